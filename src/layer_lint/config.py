"""Configuration: `[tool.layer-lint]` in pyproject.toml, `[[tool.layer-lint.layer]]` tables, CLI overrides.

Only `find_config` and `load_config` touch the file system. The rest is pure and testable:
`parse_config` checks a TOML table into a `Config`, and `plan` turns a Config, the command line's
`Settings` and the layer paths into one `Plan` (engine Options plus per-path-ignores) per layer.

Precedence, lowest first: the top-level table, the first layer table whose `path` glob matches the
layer, the command line. A later stage replaces each key it sets, with three exceptions that follow
ruff: `select` restarts the rule selection while `ignore` and `extend-select` adjust the selection
carried over (most specific selector wins within a stage); `runtimes` and `targets` both name
runtimes, so a stage that sets either replaces both; `per-path-ignores` of all stages add up.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
import sys
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from .engine import Options
from .globs import compile_glob, glob_match
from .limits import Limits
from .registry import Rule, SelectionError, specificity
from .report import FAIL_ON_CHOICES, Report
from .rules import ALL_RULES
from .runtimes import KnowledgeBase, load_knowledge_base
from .targets import TargetRequest, UsageError, check_arch, resolve_runtime

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.9 and 3.10 only
    import tomli as tomllib

TABLE = "[tool.layer-lint]"
LAYER_TABLE = "[[tool.layer-lint.layer]]"

PathGlobs = tuple[tuple[str, tuple[str, ...]], ...]  # (glob on the member path, rule selectors)


class ConfigError(UsageError):
    """A bad configuration file or value; like every usage error it ends in exit 2."""


@dataclass(frozen=True)
class Settings:
    """One stage of configuration. None (or empty) means "not set here": the earlier stage stands."""

    runtimes: Optional[tuple[str, ...]] = None
    architectures: Optional[tuple[str, ...]] = None
    targets: Optional[tuple[str, ...]] = None
    select: Optional[tuple[str, ...]] = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_path_ignores: PathGlobs = ()
    fail_on: Optional[str] = None
    near_limit: Optional[float] = None
    max_member_bytes: Optional[int] = None
    max_ratio: Optional[float] = None
    max_total_bytes: Optional[int] = None
    max_members: Optional[int] = None


@dataclass(frozen=True)
class LayerTable:
    """A `[[tool.layer-lint.layer]]` table: the layers it is for and their own settings."""

    paths: tuple[str, ...]  # globs, relative to the folder of the configuration file
    settings: Settings


@dataclass(frozen=True)
class Config:
    source: Optional[str] = None  # the file, named in messages; None when there is none
    root: Optional[str] = None  # the file's folder: layer-table globs are relative to it
    settings: Settings = Settings()
    layers: tuple[LayerTable, ...] = ()


@dataclass(frozen=True)
class Plan:
    """How to lint one layer: the engine's options, and the findings to drop after the run."""

    options: Options
    per_path_ignores: PathGlobs = ()


# --- reading -------------------------------------------------------------------------------------------------------


def find_config(start: Path) -> Optional[Path]:
    """The nearest pyproject.toml at or above `start` that has a [tool.layer-lint] table."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and _layer_lint_table(_read_toml(candidate)) is not None:
            return candidate
    return None


def load_config(path: Optional[Union[str, Path]] = None, cwd: Optional[Path] = None, kb: Optional[KnowledgeBase] = None) -> Config:
    """The configuration in `path` (--config FILE), or found by walking up from `cwd`; empty if none."""
    cwd = cwd or Path.cwd()
    if path is None:
        found = find_config(cwd)
        if found is None:
            return Config()
        path = found
    else:
        path = Path(cwd, path)
        if not path.exists():
            raise ConfigError(f"--config {path}: no such file")
        if not path.is_file():
            raise ConfigError(f"--config {path}: not a regular file (a pyproject.toml or a TOML file with a {TABLE} table)")
    data = _read_toml(path)
    table = _layer_lint_table(data)
    if table is None:
        raise ConfigError(f"{path}: no {TABLE} table")
    return parse_config(table, str(path), root=os.path.dirname(os.path.abspath(path)), kb=kb)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as stream:
            return tomllib.load(stream)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _layer_lint_table(data: Mapping[str, Any]) -> Optional[Mapping[str, Any]]:
    tool = data.get("tool")
    table = tool.get("layer-lint") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


# --- checking ------------------------------------------------------------------------------------------------------


def parse_config(table: Mapping[str, Any], source: str, root: Optional[str] = None, kb: Optional[KnowledgeBase] = None) -> Config:
    """Check a [tool.layer-lint] table: every key known, every value of its type, every runtime,
    architecture and rule selector real. Errors name the file and the key, with a "did you mean"."""
    checker = _Checker(source, kb or load_knowledge_base())
    settings = checker.settings({k: v for k, v in table.items() if k != "layer"}, TABLE, _TOP_KEYS | {"layer"})
    raw_layers = table.get("layer", [])
    if not isinstance(raw_layers, list) or not all(isinstance(item, dict) for item in raw_layers):
        raise ConfigError(f"{source}: 'layer' must be an array of tables: {LAYER_TABLE} path = \"dist/my-layer.zip\"")
    layers = []
    for number, raw in enumerate(raw_layers, 1):
        where = f"{LAYER_TABLE} #{number}"
        if "path" not in raw:
            raise ConfigError(f"{source}: {where} needs a 'path' (a glob such as \"dist/my-layer.zip\")")
        paths = checker.globs(checker.strings(raw["path"], f"{where} path", allow_single=True), f"{where} path")
        body = {k: v for k, v in raw.items() if k != "path"}
        layers.append(LayerTable(paths, checker.settings(body, where, _LAYER_KEYS | {"path"})))
    return Config(source=source, root=root, settings=settings, layers=tuple(layers))


class _Checker:
    def __init__(self, source: str, kb: KnowledgeBase) -> None:
        self.source = source
        self.kb = kb

    def fail(self, message: str) -> ConfigError:
        return ConfigError(f"{self.source}: {message}")

    def settings(self, table: Mapping[str, Any], where: str, allowed: frozenset[str]) -> Settings:
        values: dict[str, Any] = {}
        for key, value in table.items():
            if key not in allowed:
                hint = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
                did_you_mean = f"; did you mean {hint[0]!r}?" if hint else f"; known keys: {', '.join(sorted(allowed))}"
                raise self.fail(f"unknown key {key!r} in {where}{did_you_mean}")
            if key in _KEYS:
                attribute, convert = _KEYS[key]
                values[attribute] = convert(self, value, f"{where} {key}")
        return Settings(**values)

    def strings(self, value: Any, where: str, allow_single: bool = False) -> tuple[str, ...]:
        if allow_single and isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(f"{where} must be a list of strings")
        return tuple(value)

    def runtimes(self, value: Any, where: str) -> tuple[str, ...]:
        names = self.strings(value, where)
        for name in names:
            self._wrap(where, resolve_runtime, self.kb, name)
        return names

    def architectures(self, value: Any, where: str) -> tuple[str, ...]:
        archs = self.strings(value, where)
        for arch in archs:
            self._wrap(where, check_arch, arch)
        return archs

    def targets(self, value: Any, where: str) -> tuple[str, ...]:
        pairs = self.strings(value, where)
        for pair in pairs:
            name, sep, arch = pair.partition("/")
            if not sep:
                raise self.fail(f"{where}: {pair!r} is not RUNTIME/ARCH, e.g. \"python3.12/arm64\"")
            self._wrap(where, resolve_runtime, self.kb, name)
            self._wrap(where, check_arch, arch)
        return pairs

    def selectors(self, value: Any, where: str) -> tuple[str, ...]:
        selectors = self.strings(value, where)
        for selector in selectors:
            problem = unknown_selector(selector)
            if problem:
                raise self.fail(f"{where}: {problem}")
        return selectors

    def per_path_ignores(self, value: Any, where: str) -> PathGlobs:
        if not isinstance(value, dict):
            raise self.fail(f"{where} must be a table of glob = [rules], e.g. {{\"python/vendor/**\" = [\"LL306\"]}}")
        self.globs(tuple(value), where)
        return tuple((glob, self.selectors(rules, f"{where} {glob!r}")) for glob, rules in value.items())

    def globs(self, patterns: tuple[str, ...], where: str) -> tuple[str, ...]:
        """Every glob compiles now, so a bad one is a configuration error, not a crash later."""
        for pattern in patterns:
            try:
                compile_glob(pattern)
            except re.error as exc:
                raise self.fail(f"{where}: {pattern!r} is not a valid glob ({exc})") from None
        return patterns

    def fail_on(self, value: Any, where: str) -> str:
        if value not in FAIL_ON_CHOICES:
            raise self.fail(f"{where} must be one of {', '.join(FAIL_ON_CHOICES)}, not {value!r}")
        return str(value)

    def share(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise self.fail(f"{where} must be a number between 0 and 1, not {value!r}")
        return float(value)

    def positive_int(self, value: Any, where: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self.fail(f"{where} must be a positive whole number, not {value!r}")
        return value

    def positive_number(self, value: Any, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise self.fail(f"{where} must be a positive number, not {value!r}")
        return float(value)

    def _wrap(self, where: str, check: Callable[..., object], *args: Any) -> None:
        """Run a targets.py check, naming the file and the key in its UsageError."""
        try:
            check(*args)
        except UsageError as exc:
            raise self.fail(f"{where}: {exc}") from None


# TOML key -> (Settings attribute, checker). Layer tables take every key but fail-on (one exit code per run).
_KEYS: dict[str, tuple[str, Callable[[_Checker, Any, str], Any]]] = {
    "runtimes": ("runtimes", _Checker.runtimes),
    "architectures": ("architectures", _Checker.architectures),
    "targets": ("targets", _Checker.targets),
    "select": ("select", _Checker.selectors),
    "extend-select": ("extend_select", _Checker.selectors),
    "ignore": ("ignore", _Checker.selectors),
    "per-path-ignores": ("per_path_ignores", _Checker.per_path_ignores),
    "fail-on": ("fail_on", _Checker.fail_on),
    "near-limit": ("near_limit", _Checker.share),
    "max-member-bytes": ("max_member_bytes", _Checker.positive_int),
    "max-ratio": ("max_ratio", _Checker.positive_number),
    "max-total-bytes": ("max_total_bytes", _Checker.positive_int),
    "max-members": ("max_members", _Checker.positive_int),
}
_TOP_KEYS = frozenset(_KEYS)
_LAYER_KEYS = _TOP_KEYS - {"fail-on"}


def unknown_selector(selector: str, rules: Sequence[Rule] = ALL_RULES) -> Optional[str]:
    """None for a selector that matches some rule; otherwise what is wrong, with a "did you mean"."""
    if any(specificity(selector, rule) for rule in rules):
        return None
    candidates = [rule.code for rule in rules] + [rule.name for rule in rules]
    probe = selector.upper() if selector.upper().startswith("LL") else selector
    hint = difflib.get_close_matches(probe, candidates, n=1, cutoff=0.6)
    did_you_mean = f"; did you mean {hint[0]!r}?" if hint else "; use a code (LL103), a prefix (LL1), a name or ALL"
    return f"unknown rule selector {selector!r}{did_you_mean}"


# --- resolving -----------------------------------------------------------------------------------------------------


def plan(
    config: Config,
    cli: Settings,
    paths: Sequence[str],
    *,
    cwd: str,
    as_of: datetime.date,
    stack: bool = False,
    function: Optional[str] = None,
    verify: bool = True,
    cache: bool = True,
) -> list[Plan]:
    """One Plan per layer path: the stages that apply to it, merged. Pure: nothing is read."""
    for selector in [*(cli.select or ()), *cli.extend_select, *cli.ignore, *(s for _, group in cli.per_path_ignores for s in group)]:
        problem = unknown_selector(selector)
        if problem:
            raise SelectionError(problem)
    plans = []
    for path in paths:
        stages = [config.settings]
        table = matching_table(config, path, cwd)
        if table is not None:
            stages.append(table.settings)
        stages.append(cli)
        where = os.path.basename(config.source) if config.source else "the configuration"
        origins = [where] * (len(stages) - 1) + [""]
        plans.append(_merge(stages, origins, as_of=as_of, stack=stack, function=function, verify=verify, cache=cache))
    return plans


def fail_on(config: Config, cli: Settings) -> str:
    return cli.fail_on or config.settings.fail_on or "error"


def matching_table(config: Config, layer_path: str, cwd: str) -> Optional[LayerTable]:
    """The first layer table with a glob matching the layer's path relative to the config's folder
    (or, for a layer outside that folder, the path as given)."""
    relative = _relative(layer_path, cwd, config.root)
    for table in config.layers:
        if any(glob_match(pattern, relative) for pattern in table.paths):
            return table
    return None


def _relative(layer_path: str, cwd: str, root: Optional[str]) -> str:
    absolute = os.path.normpath(os.path.join(cwd, layer_path))
    if root is not None:
        relative = os.path.relpath(absolute, root)
        if relative != ".." and not relative.startswith(".." + os.sep):
            return Path(relative).as_posix()
    return Path(layer_path).as_posix()


def _merge(
    stages: Sequence[Settings], origins: Sequence[str], *, as_of: datetime.date, stack: bool, function: Optional[str], verify: bool, cache: bool = True
) -> Plan:
    """The stages merged, weakest first; `origins` names where each was set ("" for the command line)."""
    def last(attribute: str) -> Any:
        for stage in reversed(stages):
            value = getattr(stage, attribute)
            if value is not None:
                return value
        return None

    runtimes: tuple[str, ...] = ()
    pairs: tuple[str, ...] = ()
    runtimes_from = archs_from = ""
    for stage, where in reversed(list(zip(stages, origins))):
        if stage.runtimes is not None or stage.targets is not None:
            runtimes, pairs, runtimes_from = stage.runtimes or (), stage.targets or (), where
            break
    for stage, where in reversed(list(zip(stages, origins))):
        if stage.architectures is not None:
            archs_from = where
            break
    codes = selected_codes(stages)
    if len(codes) == len(ALL_RULES):
        select, ignore = (), ()  # the same Options as a run without configuration
    elif not codes:
        select, ignore = (), ("ALL",)
    else:
        select, ignore = codes, ()
    defaults = Limits()
    options = Options(
        request=TargetRequest(runtimes, last("architectures") or (), pairs, runtimes_from, archs_from),
        as_of=as_of,
        select=select,
        ignore=ignore,
        limits=Limits(
            member_bytes=last("max_member_bytes") or defaults.member_bytes,
            ratio=last("max_ratio") or defaults.ratio,
            total_bytes=last("max_total_bytes") or defaults.total_bytes,
            members=last("max_members") or defaults.members,
            verify=verify,
        ),
        stack=stack,
        function=function,
        near_limit=last("near_limit") or _default(Options, "near_limit"),
        cache=cache,
    )
    return Plan(options, tuple(item for stage in stages for item in stage.per_path_ignores))


def _default(cls: type, name: str) -> Any:
    return next(f.default for f in fields(cls) if f.name == name)


def selected_codes(stages: Sequence[Settings], rules: Sequence[Rule] = ALL_RULES) -> tuple[str, ...]:
    """The rules left after applying each stage in turn. Within a stage the most specific matching
    selector decides (a tie goes to ignore); a rule no selector of the stage names keeps its earlier
    state, unless the stage sets `select`, which starts over from nothing."""
    chosen = {rule.code: True for rule in rules}
    for stage in stages:
        selects = [*(stage.select or ()), *stage.extend_select]
        for rule in rules:
            best_select = max((specificity(s, rule) for s in selects), default=0)
            best_ignore = max((specificity(s, rule) for s in stage.ignore), default=0)
            if best_select or best_ignore:
                chosen[rule.code] = best_select > best_ignore
            elif stage.select is not None:
                chosen[rule.code] = False
    return tuple(code for code, on in chosen.items() if on)


def drop_ignored(report: Report, per_path_ignores: PathGlobs, rules: Sequence[Rule] = ALL_RULES) -> Report:
    """The report without the findings whose member path matches a glob and whose rule matches one
    of that glob's selectors. Internal errors (LL000) are never dropped."""
    if not per_path_ignores:
        return report
    compiled = [(glob, {rule.code for rule in rules if any(specificity(s, rule) for s in selectors)}) for glob, selectors in per_path_ignores]

    def keep(finding: Any) -> bool:
        if finding.path is None:
            return True
        return not any(finding.code in codes and glob_match(glob, finding.path) for glob, codes in compiled)

    layers = [replace(layer, findings=[f for f in layer.findings if keep(f)]) for layer in report.layers]
    stack = replace(report.stack, findings=[f for f in report.stack.findings if keep(f)]) if report.stack is not None else None
    return replace(report, layers=layers, stack=stack)
