"""The public entry point shared by the CLI, the pytest plugin and the pre-commit hook."""

from __future__ import annotations

import dataclasses
import datetime
import os
from pathlib import Path
from typing import Iterable, Literal, Optional, Sequence, Union

from . import config as configuration
from .engine import Options, run
from .progress import Progress
from .report import LayerReport, Report
from .runtimes import KnowledgeBase
from .targets import UsageError

ConfigChoice = Union[str, Path, configuration.Config, Literal[False], None]


def lint(
    paths: Union[str, Path, Sequence[Union[str, Path]]],
    runtimes: Optional[Iterable[str]] = None,
    archs: Optional[Iterable[str]] = None,
    *,
    targets: Iterable[str] = (),
    as_of: Optional[datetime.date] = None,
    select: Optional[Iterable[str]] = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
    fail_on: Optional[str] = None,
    stack: bool = False,
    function: Optional[Union[str, Path]] = None,
    near_limit: Optional[float] = None,
    max_member_bytes: Optional[int] = None,
    max_ratio: Optional[float] = None,
    max_total_bytes: Optional[int] = None,
    max_members: Optional[int] = None,
    verify: bool = True,
    config: ConfigChoice = None,
) -> Report:
    """Lint one or more layer zips or folders.

    `runtimes` and `archs` work like --runtime and --arch, `targets` like --target
    ("python3.12/arm64"); without them targets are inferred from each layer's layout.
    The other keywords are the CLI flags of the same names.

    `config`: None finds [tool.layer-lint] in the nearest pyproject.toml at or above the working
    directory; a path reads that file; a `config.Config` is used as it is; False uses none.
    Arguments given here override the file, as flags do on the command line.
    Raises targets.UsageError (config.ConfigError is one) or registry.SelectionError for bad values.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    names = [str(path) for path in paths]
    loaded = _config(config)
    overrides = configuration.Settings(
        runtimes=tuple(runtimes) if runtimes else None,
        architectures=tuple(archs) if archs else None,
        targets=tuple(targets) or None,
        select=tuple(select) if select else None,
        extend_select=tuple(extend_select),
        ignore=tuple(ignore),
        fail_on=fail_on,
        near_limit=near_limit,
        max_member_bytes=max_member_bytes,
        max_ratio=max_ratio,
        max_total_bytes=max_total_bytes,
        max_members=max_members,
    )
    plans = configuration.plan(
        loaded,
        overrides,
        names,
        cwd=os.getcwd(),
        as_of=as_of or datetime.date.today(),
        stack=stack,
        function=str(function) if function is not None else None,
        verify=verify,
    )
    return run_plans(names, plans, configuration.fail_on(loaded, overrides))


def _config(choice: ConfigChoice) -> configuration.Config:
    if choice is False:
        return configuration.Config()
    if isinstance(choice, configuration.Config):
        return choice
    return configuration.load_config(choice)


def run_plans(
    paths: Sequence[str], plans: Sequence[configuration.Plan], fail_on: str = "error", kb: Optional[KnowledgeBase] = None, progress: Optional[Progress] = None
) -> Report:
    """Lint each path with its own plan: one engine run per distinct plan, merged back in the
    order of `paths`, each run's per-path-ignores applied to its findings."""
    if not plans:
        report = run([], Options(), kb)
        report.fail_on = fail_on
        return report
    first = plans[0].options
    if first.stack or first.function is not None:
        return _run_stack(paths, plans, fail_on, kb, progress)
    groups: dict[configuration.Plan, list[int]] = {}
    for index, plan in enumerate(plans):
        groups.setdefault(plan, []).append(index)
    layers: dict[int, LayerReport] = {}
    merged: Optional[Report] = None
    for plan, indexes in groups.items():
        report = configuration.drop_ignored(run([paths[i] for i in indexes], plan.options, kb, progress), plan.per_path_ignores)
        for index, layer in zip(indexes, report.layers):
            layers[index] = layer
        if merged is None:
            merged = report
        else:
            merged.skipped_targets.extend(s for s in report.skipped_targets if s not in merged.skipped_targets)
    assert merged is not None
    merged.layers = [layers[index] for index in sorted(layers)]
    merged.fail_on = fail_on
    return merged



def _run_stack(
    paths: Sequence[str], plans: Sequence[configuration.Plan], fail_on: str, kb: Optional[KnowledgeBase], progress: Optional[Progress]
) -> Report:
    """One run over all the layers of a stack, which must share their options; each layer's
    per-path-ignores then apply to its own findings, and those all layers share to the stack's."""
    differing = sorted({path for plan, path in zip(plans, paths) if plan.options != plans[0].options})
    if differing:
        raise UsageError(
            f"--stack checks the layers together, so they need the same settings, but [[tool.layer-lint.layer]] tables "
            f"give {', '.join(differing)} other ones than {paths[0]}; lint them without --stack, or set the keys that differ with flags"
        )
    report = run(paths, plans[0].options, kb, progress)
    layers = [
        configuration.drop_ignored(dataclasses.replace(report, layers=[layer], stack=None), plan.per_path_ignores).layers[0]
        for layer, plan in zip(report.layers, plans)
    ]
    shared = tuple(glob for glob in plans[0].per_path_ignores if all(glob in plan.per_path_ignores for plan in plans))
    merged = dataclasses.replace(configuration.drop_ignored(report, shared), layers=layers)
    merged.fail_on = fail_on
    return merged
