"""Plain text of findings without rich: what `Report.assert_ok()` raises and the pytest items show.

It mirrors the CLI's text lines (severity, code, name, member; then the message and the fix) so a
failing test reads like `layer-lint` output, without importing rich into a test run that passes.
"""

from __future__ import annotations

from typing import Iterable

from ..report import STACK, Finding, Report


def whole(finding: Finding) -> str:
    """What a finding without a member path is about: the whole layer, or the whole stack."""
    return "(stack)" if finding.layer == STACK else "(layer)"


def finding_lines(finding: Finding) -> list[str]:
    return [
        f"  {finding.severity:<7} {finding.code} {finding.name} {finding.path or whole(finding)}",
        f"          {finding.message}",
        f"          fix: {finding.fix}",
    ]


def failure_text(report: Report, fail_on: str = "error") -> str:
    """Why the report fails at `fail_on`: unreadable layers and the failing findings, by layer."""
    failing = report.failing(fail_on)
    lines: list[str] = []
    for layer in report.layers:
        if layer.error is not None:
            lines.append(f"{layer.path}  cannot be read: {layer.error}")
            continue
        mine = [finding for finding in failing if finding.layer == layer.path]
        if mine:
            lines.append(layer.path)
            lines.extend(_lines(mine))
    stacked = [finding for finding in failing if report.stack is not None and finding in report.stack.findings]
    if stacked:
        lines.append("stack")
        lines.extend(_lines(stacked))
    counts = report.summary()
    unreadable = sum(1 for layer in report.layers if layer.error is not None)
    lines.append(
        f"layer-lint: {counts['errors']} errors, {counts['warnings']} warnings, {counts['infos']} infos "
        f"in {len(report.layers)} layer{'s' if len(report.layers) != 1 else ''}"
        + (f", {unreadable} of them unreadable" if unreadable else "")
        + f" (failing at --fail-on {fail_on})"
    )
    return "\n".join(lines)


def _lines(findings: Iterable[Finding]) -> list[str]:
    return [line for finding in findings for line in finding_lines(finding)]
