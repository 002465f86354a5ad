"""Runs the selected rules over each layer and its targets and collects a Report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence, Union

from . import __version__
from .layer import Layer
from .limits import Limits
from .registry import Context, Rule, select_rules
from .report import Finding, LayerReport, LayerTarget, Report
from .rules import ALL_RULES, INTERNAL_ERROR
from .runtimes import KnowledgeBase, load_knowledge_base
from .source import UnreadableLayer, open_layer
from .targets import TargetRequest, explicit_targets, layer_targets


@dataclass(frozen=True)
class Options:
    """Everything a run depends on besides the layer paths."""

    request: TargetRequest = TargetRequest()
    as_of: datetime.date = field(default_factory=datetime.date.today)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    limits: Limits = Limits()


def run(paths: Sequence[Union[str, Path]], options: Options, kb: Optional[KnowledgeBase] = None) -> Report:
    kb = kb or load_knowledge_base()
    rules = select_rules(ALL_RULES, options.select, options.ignore)
    explicit, skipped = explicit_targets(kb, options.request)
    report = Report(tool_version=__version__, knowledge_base=kb.version, as_of=options.as_of, skipped_targets=skipped)
    for path in paths:
        report.layers.append(_lint_layer(str(path), rules, kb, options, explicit))
    return report


def _lint_layer(name: str, rules: Sequence[Rule], kb: KnowledgeBase, options: Options, explicit: Sequence[LayerTarget]) -> LayerReport:
    try:
        source = open_layer(name)
    except UnreadableLayer as exc:
        return LayerReport(path=name, error=exc.reason)
    try:
        layer = Layer(name, source, options.limits)
        targets = layer_targets(layer, kb, options.as_of, options.request, explicit)
        context = Context(tuple(t.target for t in targets), kb, options.as_of)
        findings = []
        for rule in rules:
            findings.extend(_run_rule(rule, layer, context))
        return LayerReport(
            path=name,
            zipped_bytes=layer.zipped_bytes,
            unzipped_bytes=layer.unzipped_bytes,
            files=len(layer.files),
            targets=targets,
            findings=sorted(findings, key=Finding.sort_key),
        )
    finally:
        source.close()


def _run_rule(rule: Rule, layer: Layer, context: Context) -> list[Finding]:
    # A crashing rule is a bug in layer-lint, not in the layer: report it and go on.
    try:
        return [
            Finding(
                code=rule.code,
                name=rule.name,
                severity=hit.severity or rule.severity,
                layer=layer.name,
                path=hit.path,
                message=hit.message,
                fix=hit.fix,
                targets=hit.targets,
                data=hit.data,
            )
            for hit in rule.check(layer, context)
        ]
    except Exception as exc:  # noqa: BLE001 - the contract is exit 3 with a finding, never a traceback
        return [
            Finding(
                code=INTERNAL_ERROR,
                name="internal-error",
                severity="error",
                layer=layer.name,
                path=None,
                message=f"rule {rule.code} {rule.name} crashed: {type(exc).__name__}: {exc}",
                fix="This is a bug in layer-lint; please report it with the layer (or its listing: unzip -Zl).",
                data={"rule": rule.code, "exception": type(exc).__name__},
            )
        ]
