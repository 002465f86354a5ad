"""The pytest plugin, run as users run it: pytester sessions on real zips, asserting outcomes and failure text.
Also the Report API the fixture returns, and the README's pytest snippets."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from layer_lint import lint

from conftest import AS_OF
from layers import write_zip
from snippets import readme_snippet

pytest_plugins = ["pytester"]

GOOD = {"python/lib/python3.12/site-packages/geo/__init__.py": "x = 1\n"}
BAD = {"python/lib/python3.9/site-packages/geo/__init__.py": "x = 1\n"}  # LL103 for python3.12
# For collected items (targets inferred, today's date): errors whatever the runtime, or none.
GOOD_ITEM = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o755)}
BAD_ITEM = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o644)}  # LL404 not-executable
AS_OF_LINE = f"AS_OF = datetime.date({AS_OF.year}, {AS_OF.month}, {AS_OF.day})"


def _no_traceback(text: str) -> None:
    for noise in ("Traceback", "LayerLintFailure", "def runtest", "pytest_plugin.py"):
        assert noise not in text, f"{noise!r} in the failure output"


# --- registration and weight ---------------------------------------------------------------------------------------


def test_registered_through_the_pytest11_entry_point():
    assert any(ep.name == "layer_lint" and ep.value == "layer_lint.pytest_plugin" for ep in entry_points(group="pytest11"))


def test_importing_the_plugin_loads_nothing_heavy():
    code = (
        "import sys, layer_lint.pytest_plugin\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'elftools', 'packaging'))\n"
        "ours = sorted(m for m in sys.modules if m.startswith('layer_lint'))\n"
        "print(heavy, ours)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] ['layer_lint', 'layer_lint.pytest_plugin']"


def test_a_real_pytest_run_with_the_plugin_loaded_imports_nothing_heavy(pytester):
    pytester.makepyfile(
        """
        import sys
        def test_light():
            assert "layer_lint.pytest_plugin" in sys.modules  # loaded through the entry point
            assert not [m for m in sys.modules if m.split(".")[0] in ("rich", "elftools")]
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


# --- the fixture -----------------------------------------------------------------------------------------------------


def test_fixture_passes_a_good_layer_and_fails_a_bad_one_with_the_findings(pytester):
    write_zip(pytester.path / "good.zip", GOOD)
    write_zip(pytester.path / "bad.zip", BAD)
    pytester.makepyfile(
        f"""
        import datetime
        {AS_OF_LINE}

        def test_good(layer_lint):
            report = layer_lint("good.zip", runtimes=["python3.12"], as_of=AS_OF)
            assert report.ok and report.findings == [] and report.errors == [] and report.warnings == []
            report.assert_ok()

        def test_bad(layer_lint):
            report = layer_lint("bad.zip", runtimes=["python3.12"], archs=["arm64"], as_of=AS_OF)
            assert not report.ok and [f.code for f in report.errors] == ["LL103"]
            report.assert_ok()
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: bad.zip",
            "*  error   LL103 wrong-runtime-version-path python/lib/python3.9/site-packages/",
            "*python3.12 does not read it*",
            "*fix: Move the contents of python/lib/python3.9/site-packages/*",
            "*layer-lint: 1 errors, 0 warnings, 0 infos in 1 layer (failing at --fail-on error)",
        ]
    )


def test_fixture_finds_project_paths_from_the_rootdir_wherever_pytest_runs(pytester, monkeypatch):
    (pytester.path / "dist").mkdir()
    write_zip(pytester.path / "dist" / "good.zip", GOOD)
    pytester.makeini("[pytest]\n")  # the rootdir
    (pytester.path / "tests").mkdir()
    (pytester.path / "tests" / "test_layer.py").write_text(
        "import datetime\n"
        f"{AS_OF_LINE}\n"
        "def test_good(layer_lint):\n"
        "    layer_lint('dist/good.zip', runtimes=['python3.12'], as_of=AS_OF).assert_ok()\n"
        "def test_missing(layer_lint):\n"
        "    layer_lint('dist/missing.zip', runtimes=['python3.12'], as_of=AS_OF).assert_ok()\n"
    )
    monkeypatch.chdir(pytester.path / "tests")  # as `cd tests && pytest` does
    result = pytester.runpytest_inprocess(str(pytester.path / "tests"))
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*dist/missing.zip  cannot be read: no such file or folder*", "*1 of them unreadable*"])


def test_fixture_takes_the_lint_options_and_the_project_configuration(pytester):
    write_zip(pytester.path / "bad.zip", BAD)
    pytester.makepyprojecttoml('[tool.layer-lint]\nruntimes = ["python3.12"]\n')
    pytester.makepyfile(
        f"""
        import datetime
        {AS_OF_LINE}

        def test_config_applies(layer_lint):
            assert [f.code for f in layer_lint("bad.zip", as_of=AS_OF).findings] == ["LL103"]

        def test_arguments_override(layer_lint):
            assert layer_lint("bad.zip", runtimes=["python3.9"], as_of=AS_OF, fail_on="error").ok
            assert not layer_lint("bad.zip", runtimes=["python3.9"], as_of=AS_OF, fail_on="warning").ok  # LL105
            assert layer_lint("bad.zip", ignore=["LL103"], as_of=AS_OF).ok

        def test_config_false_ignores_the_file(layer_lint):
            report = layer_lint("bad.zip", as_of=AS_OF, config=False)
            assert report.layers[0].targets[0].inferred
        """
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_report_api():
    """What the fixture returns: .ok, .findings/.errors/.warnings lists, assert_ok() text."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        layer = write_zip(Path(folder) / "mixed.zip", {**BAD, "assets/a.txt": "hi"})
        report = lint(layer, ["python3.12", "python3.9"], as_of=AS_OF, config=False)
    assert sorted(f.code for f in report.findings) == ["LL102", "LL103", "LL105"]
    assert [f.code for f in report.errors] == ["LL103"] and [f.code for f in report.warnings] == ["LL105"]
    assert [f.code for f in report.infos] == ["LL102"]
    assert not report.ok
    with pytest.raises(AssertionError) as failure:
        report.assert_ok()
    text = str(failure.value)
    assert "LL103 wrong-runtime-version-path python/lib/python3.9/site-packages/" in text and "fix: " in text
    assert "LL105" not in text  # only what fails at --fail-on error
    with pytest.raises(AssertionError, match="LL105"):
        report.assert_ok(fail_on="warning")
    ignoring = lint(layer.parent / "missing.zip", as_of=AS_OF, config=False)
    assert not ignoring.ok
    with pytest.raises(AssertionError, match="missing.zip  cannot be read"):
        ignoring.assert_ok(fail_on="never")


# --- collection --------------------------------------------------------------------------------------------------------


def test_collection_is_inert_without_the_flag(pytester):
    write_zip(pytester.path / "tests" / "bad.zip", BAD_ITEM)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_flag_collects_zips_under_the_test_paths_as_items_that_show_findings(pytester):
    write_zip(pytester.path / "tests" / "layers" / "good.zip", GOOD_ITEM)
    write_zip(pytester.path / "tests" / "layers" / "bad.zip", BAD_ITEM)
    result = pytester.runpytest("--layer-lint", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*tests/layers/bad.zip::layer-lint FAILED*",
            "*tests/layers/good.zip::layer-lint PASSED*",
            "*layer-lint tests/layers/bad.zip*",
            "tests/layers/bad.zip",
            "  error   LL404 not-executable bin/tool",
            "*fix: chmod 755 bin/tool*",
        ]
    )
    _no_traceback(result.stdout.str())
    pytester.runpytest("--layer-lint", "-m", "not layer_lint").assert_outcomes(deselected=2)


def test_readme_collection_snippet_lints_the_named_zips(pytester):
    pytester.makepyprojecttoml(readme_snippet("pytest-collection"))
    write_zip(pytester.path / "dist" / "good.zip", GOOD_ITEM)  # dist/ is not a folder pytest walks by itself
    write_zip(pytester.path / "dist" / "bad.zip", BAD_ITEM)
    write_zip(pytester.path / "tests" / "data.zip", BAD_ITEM)  # not named by layer_lint_paths: not collected
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*collected 3 items", "*dist/bad.zip::layer-lint FAILED*", "*dist/good.zip::layer-lint PASSED*"])
    result.stdout.fnmatch_lines(["  error   LL404 not-executable bin/tool"])
    assert "tests/data.zip" not in result.stdout.str()
    _no_traceback(result.stdout.str())


def test_a_glob_that_matches_nothing_fails(pytester):
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\naddopts = "--layer-lint"\nlayer_lint_paths = ["dist/*.zip"]\n')
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*layer_lint_paths: 'dist/*.zip' matches no file under * (is the layer built?)"])
    result.stdout.fnmatch_lines(["FAILED dist/[*].zip::layer-lint - *"])
    _no_traceback(result.stdout.str())
    write_zip(pytester.path / "dist" / "a.zip", GOOD_ITEM)
    write_zip(pytester.path / "dist" / "b.zip", GOOD_ITEM)
    listed = pytester.runpytest("--collect-only", "-q", "-k", "not b.zip")
    listed.stdout.fnmatch_lines(["dist/a.zip::layer-lint", "1/2 tests collected (1 deselected)*"])


def test_items_lint_each_layer_against_its_own_configured_runtime(pytester):
    config = textwrap.dedent(
        """
        [tool.pytest.ini_options]
        addopts = "--layer-lint"
        layer_lint_paths = ["dist/*.zip"]

        [[tool.layer-lint.layer]]
        path = "dist/geo.zip"
        runtimes = ["GEO"]

        [[tool.layer-lint.layer]]
        path = "dist/img.zip"
        runtimes = ["IMG"]
        """
    )
    write_zip(pytester.path / "dist" / "geo.zip", GOOD)  # python3.12 content
    write_zip(pytester.path / "dist" / "img.zip", {"python/lib/python3.11/site-packages/img/__init__.py": "x = 1\n"})
    pytester.makepyprojecttoml(config.replace("GEO", "python3.12").replace("IMG", "python3.11"))
    pytester.runpytest().assert_outcomes(passed=2)
    pytester.makepyprojecttoml(config.replace("GEO", "python3.11").replace("IMG", "python3.12"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["*LL103*python/lib/python3.12/site-packages/*", "*LL103*python/lib/python3.11/site-packages/*"])


def test_a_bad_configuration_fails_the_item_with_the_message(pytester):
    pytester.makepyprojecttoml('[tool.layer-lint]\nruntime = ["python3.12"]\n')
    write_zip(pytester.path / "tests" / "l.zip", GOOD)
    result = pytester.runpytest("--layer-lint")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["layer-lint: error: *pyproject.toml: unknown key 'runtime' in [[]tool.layer-lint[]]; did you mean 'runtimes'?"])
    _no_traceback(result.stdout.str())


# --- the README's fixture snippet --------------------------------------------------------------------------------------


@pytest.mark.parametrize("manifest, passed", [(GOOD, True), (BAD, False)], ids=["good", "bad"])
def test_readme_fixture_snippet(pytester, manifest, passed):
    write_zip(pytester.path / "dist" / "geo-layer.zip", manifest)
    pytester.makepyfile(test_snippet=readme_snippet("pytest-fixture"))
    result = pytester.runpytest()
    if passed:
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*LL103 wrong-runtime-version-path python/lib/python3.9/site-packages/", "*fix: *"])
