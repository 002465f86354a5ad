"""Runs the selected rules over each layer and its targets and collects a Report."""

from __future__ import annotations

import contextlib
import datetime
import gc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional, Sequence, Union

from . import __version__
from .cache import Cache, open_cache
from .layer import Layer
from .limits import Limits
from .registry import Context, Rule, select_rules
from .linkage import BinarySummary, summarize
from .loading import natives
from .packages import SizeItem
from .progress import Progress
from .report import STACK, Finding, LayerReport, LayerTarget, Report, StackReport, Target
from .rules import ALL_RULES, INTERNAL_ERROR
from .runtimes import KnowledgeBase, load_knowledge_base
from .source import UnreadableLayer, open_layer
from .stack import Stack
from .targets import TargetRequest, UsageError, explicit_targets, layer_targets


@dataclass(frozen=True)
class Options:
    """Everything a run depends on besides the layer paths."""

    request: TargetRequest = TargetRequest()
    as_of: datetime.date = field(default_factory=datetime.date.today)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    limits: Limits = Limits()
    stack: bool = False  # the layers are one function's, in merge order
    function: Optional[str] = None  # the function's own zip or folder (implies stack)
    near_limit: float = 0.8
    cache: bool = True  # reuse what an earlier run read from the same zip bytes


def run(paths: Sequence[Union[str, Path]], options: Options, kb: Optional[KnowledgeBase] = None, progress: Optional[Progress] = None) -> Report:
    """Lint the layers at `paths`; `progress`, if given, hears how each layer's read goes."""
    with _fewer_collections():
        return _run(paths, options, kb, progress)


# Collector thresholds for a run: a young-generation pass every 100,000 allocations, not every
# 700, and full passes almost never.
_RUN_THRESHOLDS = (100_000, 50, 1000)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run Python's cyclic garbage collector seldom during a run. A run builds hundreds of
    thousands of objects (an entry per member, its facts, the findings) that live until its
    end, and with the default thresholds the collector walks them again and again, finding
    nothing to free: a tenth of a run, and in a forked reader (parallel.py) a copy-on-write
    of every page it touches. It still runs, if seldom: pyelftools leaves a few hundred
    objects in cycles for each file it reads, and a layer of many damaged ELF files must not
    pile them up. The thresholds are restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*_RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _run(paths: Sequence[Union[str, Path]], options: Options, kb: Optional[KnowledgeBase], progress: Optional[Progress]) -> Report:
    kb = kb or load_knowledge_base()
    rules = select_rules(ALL_RULES, options.select, options.ignore)
    explicit, skipped = explicit_targets(kb, options.request)
    report = Report(tool_version=__version__, knowledge_base=kb.version, as_of=options.as_of, skipped_targets=skipped)
    opened: list[Layer] = []
    stacked = options.stack or options.function is not None
    try:
        prepared = []
        for path in paths:
            layer, targets, failed = _prepare_layer(str(path), kb, options, explicit, progress)
            if layer is not None:
                opened.append(layer)
            prepared.append((layer, targets, failed))
        if stacked and not options.request.explicit:
            _share_inferred_targets(prepared)
        for layer, targets, failed in prepared:
            report.layers.append(failed if failed is not None else lint_layer(layer, targets, rules, kb, options))
        if stacked:
            function = _open_function(options, progress) if options.function is not None else None
            if function is not None:
                opened.append(function)
            stack = Stack([layer for layer in opened if not layer.is_function], function)
            report.stack = _lint_stack(stack, [str(path) for path in paths], rules, kb, options, report)
    finally:
        for layer in opened:
            layer.source.close()
    return report


def _prepare_layer(
    name: str, kb: KnowledgeBase, options: Options, explicit: Sequence[LayerTarget], progress: Optional[Progress]
) -> tuple[Optional[Layer], list[LayerTarget], Optional[LayerReport]]:
    """The opened layer and its targets, or the report that stands for it when it cannot be
    opened or its targets cannot be worked out."""
    cache = _cache(options)
    if cache is not None:
        cache.prefetch(name)  # the zip is hashed for the cache key while it is listed
    try:
        source = open_layer(name, options.limits.members)
    except UnreadableLayer as exc:
        if cache is not None:
            cache.discard(name)
        return None, [], LayerReport(path=name, error=exc.reason)
    layer = Layer(name, source, options.limits, cache=cache, progress=progress)
    try:
        return layer, layer_targets(layer, kb, options.as_of, options.request, explicit), None
    except Exception as exc:  # noqa: BLE001 - a bug in inference must not lose the other layers' reports
        return layer, [], LayerReport(path=name, zipped_bytes=layer.zipped_bytes, findings=[_internal_error("target inference", name, exc)])


def _share_inferred_targets(prepared: list[tuple[Optional[Layer], list[LayerTarget], Optional[LayerReport]]]) -> None:
    """One function runs one runtime, so the layers of a stack are checked for the same targets:
    those every layer's own inference names or, when they name none in common (a python3.11
    layer stacked with a python3.12 one), all of them, so that each layer is checked for the
    others' runtime too and says why it cannot serve it."""
    ready = [(index, layer, targets) for index, (layer, targets, failed) in enumerate(prepared) if layer is not None and failed is None]
    agreed = _agreed([[t.target for t in targets] for _, _, targets in ready])
    for index, layer, targets in ready:
        own = {t.target: t for t in targets}
        shared = []
        for target in agreed:
            if target in own:
                shared.append(own[target])
            else:
                others = [other.name for _, other, theirs in ready if any(t.target == target for t in theirs)]
                shared.append(LayerTarget(target, True, f"{', '.join(others)} in the same stack, since one function runs one runtime"))
        prepared[index] = (layer, shared, None)


def lint_layer(layer: Layer, targets: list[LayerTarget], rules: Sequence[Rule], kb: KnowledgeBase, options: Options) -> LayerReport:
    """Run the layer rules on an open layer for the given targets (the inspector calls this too)."""
    context = Context(tuple(t.target for t in targets), kb, options.as_of, options.near_limit)
    findings = []
    for rule in rules:
        if rule.check is not None:
            findings.extend(_run_rule(rule, rule.check, layer, layer.name, context))
    return LayerReport(
        path=layer.name,
        zipped_bytes=layer.zipped_bytes,
        unzipped_bytes=layer.unzipped_bytes,
        files=len(layer.files),
        targets=targets,
        findings=sorted(findings, key=Finding.sort_key),
        sizes=_sizes(layer),
        binaries=_binaries(layer, context),
    )


def _sizes(layer: Layer) -> list[SizeItem]:
    # Sizes need only the listing plus package metadata; a crash here must not lose the findings.
    try:
        return layer.sizes
    except Exception:  # noqa: BLE001
        return []


def _binaries(layer: Layer, context: Context) -> list[BinarySummary]:
    # Data for the report, not findings: a crash here is already an LL000 from the native rules.
    try:
        return summarize(layer, context, natives(layer, context))
    except Exception:  # noqa: BLE001
        return []


def _cache(options: Options) -> Optional[Cache]:
    return open_cache(options.cache)


def _open_function(options: Options, progress: Optional[Progress]) -> Layer:
    try:
        source = open_layer(options.function, options.limits.members)
    except UnreadableLayer as exc:
        raise UsageError(f"--function {exc.path}: {exc.reason}") from None
    return Layer(str(options.function), source, options.limits, is_function=True, cache=_cache(options), progress=progress)


def _lint_stack(
    stack: Stack, paths: list[str], rules: Sequence[Rule], kb: KnowledgeBase, options: Options, report: Report
) -> StackReport:
    context = Context(_stack_targets(report), kb, options.as_of, options.near_limit)
    findings = []
    for rule in rules:
        if rule.stack_check is not None:
            findings.extend(_run_rule(rule, rule.stack_check, stack, STACK, context))
    return StackReport(
        layers=paths,
        function=options.function,
        unzipped_bytes=stack.unzipped_bytes,
        findings=sorted(findings, key=Finding.sort_key),
    )


def _stack_targets(report: Report) -> tuple[Target, ...]:
    """A function runs on one runtime, so a stack's targets are those every readable layer has;
    when the layers agree on none, all of them (each layer's own rules report the mismatch)."""
    return tuple(_agreed([[t.target for t in layer.targets] for layer in report.layers if layer.error is None]))


def _agreed(per_layer: list[list[Target]]) -> list[Target]:
    """The targets every layer has or, when they have none in common, all of them."""
    union = list(dict.fromkeys(target for targets in per_layer for target in targets))
    common = [target for target in union if all(target in targets for targets in per_layer)]
    return common or union


def _run_rule(rule: Rule, check: Callable, subject: Union[Layer, Stack], name: str, context: Context) -> list[Finding]:
    # A crashing rule is a bug in layer-lint, not in the layer: report it and go on.
    try:
        return [
            Finding(
                code=rule.code,
                name=rule.name,
                severity=hit.severity or rule.severity,
                layer=name,
                path=hit.path,
                message=hit.message,
                fix=hit.fix,
                targets=hit.targets,
                data=hit.data,
            )
            for hit in check(subject, context)
        ]
    except Exception as exc:  # noqa: BLE001 - the contract is exit 3 with a finding, never a traceback
        return [_internal_error(f"rule {rule.code} {rule.name}", name, exc, rule.code)]


def _internal_error(what: str, layer: str, exc: Exception, rule: Optional[str] = None) -> Finding:
    return Finding(
        code=INTERNAL_ERROR,
        name="internal-error",
        severity="error",
        layer=layer,
        path=None,
        message=f"{what} crashed: {type(exc).__name__}: {exc}",
        fix="This is a bug in layer-lint; please report it with the layer (or its listing: unzip -Zl).",
        data={"rule": rule, "exception": type(exc).__name__},
    )
