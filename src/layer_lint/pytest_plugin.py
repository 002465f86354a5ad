"""pytest plugin (entry point `pytest11`): the `layer_lint` fixture, and layer zips as test items.

pytest imports this module in every run of every project that has layer-lint installed, so it
imports nothing heavy at load time: no rich, no pyelftools, not even the engine. Those load inside
the fixture and the items, the first time a layer is linted.

Collection follows pytest-mypy: inert unless `--layer-lint` is given (put it in `addopts`). Then
each layer is one item named `<zip>::layer-lint`, marked `layer_lint`, whose failure shows the
findings as the CLI prints them, not a traceback. Which zips:
  - `layer_lint_paths` (ini option; globs relative to the rootdir, e.g. ["dist/*.zip"]) when set:
    a glob that matches nothing is a failing item, so an unbuilt layer cannot pass unnoticed;
  - otherwise every `*.zip` that pytest's own collection walks over under the test paths.
Both the fixture and the items apply `[tool.layer-lint]` from the pyproject.toml found by walking
up from the rootdir, so tests lint each layer as the command line would.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import pytest

if TYPE_CHECKING:
    from .report import Report

ITEM_NAME = "layer-lint"
MARKER = "layer_lint"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("layer-lint", "AWS Lambda layer linting")
    group.addoption(
        "--layer-lint",
        action="store_true",
        default=False,
        help="lint Lambda layer zips as test items (the zips named by layer_lint_paths, or *.zip under the test paths)",
    )
    parser.addini(
        "layer_lint_paths",
        type="args",
        default=[],
        help="globs of layer zips for --layer-lint, relative to the rootdir (default: *.zip files under the test paths)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a Lambda layer linted by layer-lint (--layer-lint)")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    config = parent.config
    if file_path.suffix != ".zip" or not config.getoption("layer_lint") or config.getini("layer_lint_paths"):
        return None
    return LayerFile.from_parent(parent, path=file_path)


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselection, which then applies to these items too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    patterns = config.getini("layer_lint_paths")
    if not config.getoption("layer_lint") or not patterns:
        return
    seen: set[Path] = set()
    for pattern in patterns:
        matches = sorted(Path(match) for match in glob.glob(os.path.join(str(config.rootpath), pattern), recursive=True))
        files = [match for match in matches if match.is_file() or match.is_dir()]
        # genitems() reports these collectors like pytest's own, so "collected N items", -k and
        # --collect-only see them; the zips may lie where pytest never walks (dist/ is in norecursedirs).
        if not files:
            items.extend(session.genitems(GlobFile.from_parent(session, path=config.rootpath / pattern, pattern=pattern)))
        for path in files:
            if path not in seen:
                seen.add(path)
                items.extend(session.genitems(LayerFile.from_parent(session, path=path)))


class LayerFile(pytest.File):
    def collect(self) -> list[pytest.Item]:
        return [LayerItem.from_parent(self, name=ITEM_NAME)]


class GlobFile(pytest.File):
    """A layer_lint_paths glob that matches nothing: one item that fails, named like the layers'."""

    def __init__(self, *, pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pattern = pattern

    def collect(self) -> list[pytest.Item]:
        return [UnmatchedGlob.from_parent(self, name=ITEM_NAME, pattern=self.pattern)]


class LayerLintFailure(Exception):
    """The layer failed; the exception carries the text to show instead of a traceback."""


class LayerItem(pytest.Item):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_marker(MARKER)

    def runtest(self) -> None:
        from .registry import SelectionError
        from .targets import UsageError

        try:
            report = _lint(self.config, _display_path(self.path))
        except (UsageError, SelectionError) as exc:
            raise LayerLintFailure(f"layer-lint: error: {exc}") from None
        if not report.ok:
            from .render.plain import failure_text

            raise LayerLintFailure(failure_text(report, report.fail_on))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Optional[str] = None) -> Union[str, Any]:
        if excinfo.errisinstance(LayerLintFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)  # a bug in layer-lint: keep the traceback

    def reportinfo(self) -> tuple[Path, Optional[int], str]:
        return self.path, None, f"layer-lint {_display_path(self.path)}"


class UnmatchedGlob(pytest.Item):
    def __init__(self, *, pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pattern = pattern
        self.add_marker(MARKER)

    def runtest(self) -> None:
        raise LayerLintFailure(f"layer_lint_paths: {self.pattern!r} matches no file under {self.config.rootpath} (is the layer built?)")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Optional[str] = None) -> Union[str, Any]:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[Path, Optional[int], str]:
        return self.config.rootpath, None, f"layer_lint_paths {self.pattern}"


@pytest.fixture
def layer_lint(pytestconfig: pytest.Config) -> Callable[..., "Report"]:
    """`layer_lint(*paths, runtimes=None, archs=None, stack=False, **options) -> Report`.

    The options are `layer_lint.lint()`'s keywords (targets, as_of, select, ignore, fail_on, ...).
    Then `report.assert_ok()`, or look at `report.ok`, `.findings`, `.errors`, `.warnings`."""

    def run(
        *paths: Union[str, Path],
        runtimes: Optional[list[str]] = None,
        archs: Optional[list[str]] = None,
        stack: bool = False,
        **options: Any,
    ) -> "Report":
        return _lint(pytestconfig, *paths, runtimes=runtimes, archs=archs, stack=stack, **options)

    return run


def _lint(pytestconfig: pytest.Config, *paths: Union[str, Path], **options: Any) -> "Report":
    from .api import lint
    from .config import load_config

    if "config" not in options:  # `config` is lint()'s keyword: a file, a Config or False
        # The project's configuration, as the CLI finds it from the repository, wherever pytest's cwd is.
        options["config"] = load_config(cwd=pytestconfig.rootpath)
    return lint([_from_rootdir(path, pytestconfig.rootpath) for path in paths], **options)


def _from_rootdir(path: Union[str, Path], rootpath: Path) -> str:
    """A relative layer path as written in the project: from the working directory when it is
    there, else from pytest's rootdir (where the configuration comes from), so a test passes
    whichever folder pytest runs in."""
    given = Path(path)
    if given.is_absolute() or given.exists() or not (rootpath / given).exists():
        return str(path)
    return os.path.relpath(rootpath / given)


def _display_path(path: Path) -> str:
    """Relative to the working directory when below it, so findings name the zip as a user would."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
