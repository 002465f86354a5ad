"""Findings and reports: the plain data every renderer reads, the JSON document, and exit codes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Optional

JSON_VERSION = 1

SEVERITIES = ("error", "warning", "info")
_RANK = {"info": 1, "warning": 2, "error": 3}
FAIL_ON_CHOICES = ("error", "warning", "info", "never")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# The "layer" of a finding about a whole stack of layers.
STACK = "(stack)"


@dataclass(frozen=True, order=True)
class Target:
    """One runtime and architecture a layer is checked against."""

    runtime: str
    arch: str

    def __str__(self) -> str:
        return f"{self.runtime}/{self.arch}"

    def to_json(self) -> dict[str, str]:
        return {"runtime": self.runtime, "arch": self.arch}


@dataclass(frozen=True)
class LayerTarget:
    """A target of one layer, and why it was chosen."""

    target: Target
    inferred: bool
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {**self.target.to_json(), "inferred": self.inferred, "reason": self.reason}


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: str
    layer: str
    path: Optional[str]  # None: the finding is about the whole layer
    message: str
    fix: str
    targets: tuple[Target, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.layer, self.path or "", self.code, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "layer": self.layer,
            "path": self.path,
            "message": self.message,
            "fix": self.fix,
            "targets": [target.to_json() for target in self.targets],
            "data": self.data,
        }


@dataclass
class LayerReport:
    path: str
    zipped_bytes: Optional[int] = None
    unzipped_bytes: int = 0
    files: int = 0
    targets: list[LayerTarget] = field(default_factory=list)
    error: Optional[str] = None
    findings: list[Finding] = field(default_factory=list)
    sizes: list[Any] = field(default_factory=list)  # packages.SizeItem, largest first
    binaries: list[Any] = field(default_factory=list)  # linkage.BinarySummary, by path

    def status(self, target: Target) -> tuple[str, tuple[str, ...]]:
        """How the layer fares on one target: "ok", "warning" or "error" (info findings count
        as ok), with the codes of the findings at that severity. Findings naming no target are
        about the whole layer and count for every target."""
        hits = [f for f in self.findings if not f.targets or target in f.targets]
        worst = max((_RANK[f.severity] for f in hits if f.severity != "info"), default=0)
        if worst == 0:
            return "ok", ()
        severity = "error" if worst == _RANK["error"] else "warning"
        return severity, tuple(sorted({f.code for f in hits if f.severity == severity}))

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "zipped_bytes": self.zipped_bytes,
            "unzipped_bytes": self.unzipped_bytes,
            "files": self.files,
            "targets": [target.to_json() for target in self.targets],
            "error": self.error,
            "findings": [finding.to_json() for finding in self.findings],
            "sizes": [item.to_json() for item in self.sizes],
            "binaries": [binary.to_json() for binary in self.binaries],
        }


@dataclass
class StackReport:
    """Findings about a function's layers taken together (--stack, --function)."""

    layers: list[str]
    function: Optional[str]
    unzipped_bytes: int
    findings: list[Finding] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "layers": self.layers,
            "function": self.function,
            "unzipped_bytes": self.unzipped_bytes,
            "findings": [finding.to_json() for finding in self.findings],
        }


@dataclass(frozen=True)
class SkippedTarget:
    """A runtime/architecture pair that was asked for but cannot exist."""

    target: Target
    reason: str

    def to_json(self) -> dict[str, str]:
        return {**self.target.to_json(), "reason": self.reason}


@dataclass
class Report:
    tool_version: str
    knowledge_base: str
    as_of: datetime.date
    layers: list[LayerReport] = field(default_factory=list)
    skipped_targets: list[SkippedTarget] = field(default_factory=list)
    stack: Optional[StackReport] = None
    fail_on: str = "error"  # the configured --fail-on: what `ok`, `assert_ok()` and `exit_code()` use by default

    @property
    def findings(self) -> list[Finding]:
        """Every finding: each layer's in order, then the stack's."""
        stacked = self.stack.findings if self.stack is not None else []
        return [finding for layer in self.layers for finding in layer.findings] + stacked

    @property
    def errors(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "warning"]

    @property
    def infos(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == "info"]

    @property
    def ok(self) -> bool:
        """True when the CLI would exit 0: no unreadable layer, no finding at or above `fail_on`."""
        return self.exit_code() == EXIT_OK

    def failing(self, fail_on: Optional[str] = None) -> list[Finding]:
        """The findings that make `exit_code(fail_on)` non-zero (internal errors always do)."""
        level = fail_on or self.fail_on
        return [f for f in self.findings if f.code == "LL000" or (level != "never" and _RANK[f.severity] >= _RANK[level])]

    def assert_ok(self, fail_on: Optional[str] = None) -> None:
        """Raise AssertionError, with the findings as the CLI prints them, unless the run passes
        at `fail_on` (default: the report's); so a failing test reads like a lint report."""
        __tracebackhide__ = True  # pytest shows the findings, not this frame
        if self.exit_code(fail_on) != EXIT_OK:
            from .render.plain import failure_text  # render/ holds every renderer

            raise AssertionError(failure_text(self, fail_on or self.fail_on))

    def summary(self) -> dict[str, int]:
        counts = {"errors": 0, "warnings": 0, "infos": 0}
        for finding in self.findings:
            counts[finding.severity + "s"] += 1
        return counts

    def exit_code(self, fail_on: Optional[str] = None) -> int:
        """The exit-code contract: 3 internal error > 2 unreadable layer > 1 findings > 0."""
        fail_on = fail_on or self.fail_on
        findings = self.findings
        if any(finding.code == "LL000" for finding in findings):
            return EXIT_INTERNAL
        if any(layer.error is not None for layer in self.layers):
            return EXIT_USAGE
        if fail_on != "never" and any(_RANK[f.severity] >= _RANK[fail_on] for f in findings):
            return EXIT_FINDINGS
        return EXIT_OK

    def to_json(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "tool": {"name": "layer-lint", "version": self.tool_version, "knowledge_base": self.knowledge_base},
            "as_of": self.as_of.isoformat(),
            "layers": [layer.to_json() for layer in self.layers],
            "skipped_targets": [skipped.to_json() for skipped in self.skipped_targets],
            "stack": self.stack.to_json() if self.stack is not None else None,
            "summary": self.summary(),
        }
