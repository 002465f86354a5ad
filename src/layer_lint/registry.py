"""The rule model and rule selection: what a rule is, and which rules a run uses.

Every rule is a `Rule` value listed in `rules/__init__.py`; the CLI's `rules` and `explain`,
the SARIF rule list and docs/rules.md are all generated from those values.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Optional, Sequence

from .report import SEVERITIES, Target

if TYPE_CHECKING:
    from .layer import Layer
    from .runtimes import KnowledgeBase
    from .stack import Stack


@dataclass(frozen=True)
class Context:
    """What a rule may know besides the layer: the targets and the runtime facts."""

    targets: tuple[Target, ...]
    kb: "KnowledgeBase"
    as_of: datetime.date
    near_limit: float = 0.8  # LL303: the share of the unzipped limit that earns a warning


@dataclass(frozen=True)
class Hit:
    """What a rule found; the engine adds the rule's code, name and the layer."""

    path: Optional[str]
    message: str
    fix: str
    targets: tuple[Target, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)
    severity: Optional[str] = None  # only where the rule's docs say when it differs


Check = Callable[["Layer", Context], Iterable[Hit]]
StackCheck = Callable[["Stack", Context], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    what: str
    why: str
    example: str
    fix: str
    check: Optional[Check] = None  # runs on each layer
    stack_check: Optional[StackCheck] = None  # runs once on a function's stack of layers (--stack)
    severity_note: str = ""  # when a finding carries another severity

    def sections(self) -> list[tuple[str, str]]:
        """The documentation, in the order every renderer shows it (ruff's headings)."""
        sections = [
            ("What it does", self.what),
            ("Why is this bad?", self.why),
            ("Example", self.example),
            ("Fix", self.fix),
            ("Severity", self.severity_note),
        ]
        return [(heading, body) for heading, body in sections if body]

    def to_json(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "summary": self.summary,
            "what": self.what,
            "why": self.why,
            "example": self.example,
            "fix": self.fix,
            "severity_note": self.severity_note,
        }


class SelectionError(ValueError):
    """A --select/--ignore value that names no rule."""


def select_rules(rules: Sequence[Rule], select: Sequence[str] = (), ignore: Sequence[str] = ()) -> list[Rule]:
    """The rules a run uses. Selectors are a code, a code prefix, a rule name or ALL;
    the most specific selector that matches a rule decides, as in ruff."""
    for selector in [*select, *ignore]:
        if not any(specificity(selector, rule) for rule in rules):
            raise SelectionError(f"unknown rule selector {selector!r}: use a code (LL103), a prefix (LL1) or a name")
    chosen = []
    for rule in rules:
        best_select = max((specificity(s, rule) for s in select), default=0) if select else 1
        best_ignore = max((specificity(s, rule) for s in ignore), default=0)
        if best_select > best_ignore:
            chosen.append(rule)
    return chosen


def specificity(selector: str, rule: Rule) -> int:
    """0 when the selector does not match; otherwise larger for more specific selectors.
    Public so that configuration can layer selections (file, layer table, CLI) the same way."""
    upper = selector.upper()
    if selector == rule.name or upper == rule.code:
        return 100
    if upper == "ALL":
        return 1
    if rule.code.startswith(upper) and upper.startswith("LL"):
        return 1 + len(upper)
    return 0


def check_registry(rules: Sequence[Rule]) -> None:
    """Invariants of the rule list; a broken registry is a bug, so this raises."""
    codes = [rule.code for rule in rules]
    names = [rule.name for rule in rules]
    if len(set(codes)) != len(codes) or len(set(names)) != len(names):
        raise ValueError("duplicate rule code or name in the registry")
    for rule in rules:
        if rule.severity not in SEVERITIES:
            raise ValueError(f"{rule.code}: unknown severity {rule.severity!r}")
        if rule.check is None and rule.stack_check is None:
            raise ValueError(f"{rule.code}: a rule needs a layer check, a stack check or both")
