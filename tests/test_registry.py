"""Meta-tests of the rule registry: every rule is well formed and documented, the generated
docs are up to date, and (crudely) every rule is exercised by some test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from layer_lint.registry import SelectionError, check_registry, select_rules
from layer_lint.render import markdown
from layer_lint.report import SEVERITIES
from layer_lint.rules import ALL_RULES, INTERNAL_ERROR

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent

CODE = re.compile(r"^LL[0-9]{3}$")
KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REGENERATE = (
    "regenerate with `python scripts/update_docs.py` "
    "and paste `layer-lint rules --format markdown-table` between the README markers"
)


def test_there_are_rules():
    assert ALL_RULES


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_rule_is_well_formed(rule):
    assert CODE.match(rule.code), rule.code
    assert rule.code != INTERNAL_ERROR, "LL000 is reserved for internal errors"
    assert KEBAB.match(rule.name), rule.name
    assert rule.severity in SEVERITIES and set(SEVERITIES) == {"error", "warning", "info"}
    for field in ("summary", "what", "why", "example", "fix"):
        value = getattr(rule, field)
        assert isinstance(value, str) and value.strip(), f"{rule.code}: empty {field}"
    checks = [check for check in (rule.check, rule.stack_check) if check is not None]
    assert checks and all(callable(check) for check in checks), f"{rule.code}: no check"


def test_codes_and_names_are_unique():
    codes = [rule.code for rule in ALL_RULES]
    names = [rule.name for rule in ALL_RULES]
    assert len(set(codes)) == len(codes), codes
    assert len(set(names)) == len(names), names
    check_registry(ALL_RULES)  # the import-time check agrees


def test_rules_are_in_code_order():
    codes = [rule.code for rule in ALL_RULES]
    assert codes == sorted(codes)


def test_registry_check_rejects_duplicates_and_bad_severities():
    rule = ALL_RULES[0]
    with pytest.raises(ValueError):
        check_registry([rule, rule])
    from dataclasses import replace

    with pytest.raises(ValueError):
        check_registry([replace(rule, severity="fatal")])


def test_every_rule_is_selectable_by_code_and_name():
    for rule in ALL_RULES:
        assert select_rules(ALL_RULES, [rule.code]) == [rule]
        assert select_rules(ALL_RULES, [rule.name]) == [rule]
        assert rule not in select_rules(ALL_RULES, (), [rule.name])
    with pytest.raises(SelectionError):
        select_rules(ALL_RULES, [INTERNAL_ERROR])  # LL000 is not a selectable rule


# --- generated documentation -------------------------------------------------------------------------------------


def _read(relative: str) -> str:
    path = ROOT / relative
    if not path.is_file():
        pytest.fail(f"{relative} does not exist: {REGENERATE}")
    return path.read_text(encoding="utf-8")


def test_docs_rules_md_is_generated_from_the_registry():
    expected = markdown.rules_document(ALL_RULES)
    assert _read("docs/rules.md") == expected, f"docs/rules.md is out of date: {REGENERATE}"


def test_readme_rules_table_is_generated_from_the_registry():
    readme = _read("README.md")
    assert readme.count(markdown.README_BEGIN) == 1, f"README.md needs exactly one {markdown.README_BEGIN!r} marker"
    assert readme.count(markdown.README_END) == 1, f"README.md needs exactly one {markdown.README_END!r} marker"
    between = readme.split(markdown.README_BEGIN, 1)[1].split(markdown.README_END, 1)[0]
    assert between.strip() == markdown.rules_table(ALL_RULES).strip(), f"the README rules table is out of date: {REGENERATE}"


def test_rules_document_mentions_every_rule():
    """The generator itself: the document holds each rule's heading and texts."""
    document = markdown.rules_document(ALL_RULES)
    table = markdown.rules_table(ALL_RULES)
    for rule in ALL_RULES:
        assert f"## {rule.code} `{rule.name}` ({rule.severity})" in document
        assert f"| {rule.code} | `{rule.name}` | {rule.severity} |" in table
        for body in (rule.what, rule.why, rule.example, rule.fix):
            assert body in document


def test_cli_markdown_output_is_the_generator_output(cli):
    assert cli("rules", "--format", "markdown").out == markdown.rules_document(ALL_RULES)
    assert cli("rules", "--format", "markdown-table").out == markdown.rules_table(ALL_RULES)


# --- CRUDE META-TEST: "every rule proves itself" -----------------------------------------------------------------
# This only checks that each rule code is *mentioned* in some test file other than this one. It does not
# prove that a test makes the rule fire (or stay silent); it catches a rule added without any test at all.


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
def test_crude_every_rule_code_appears_in_some_other_test_file(rule):
    others = [path for path in sorted(TESTS.glob("**/*.py")) if path.resolve() != Path(__file__).resolve()]
    mentioned = [path.name for path in others if rule.code in path.read_text(encoding="utf-8")]
    assert mentioned, f"{rule.code} {rule.name} is not mentioned in any test file under tests/ (besides test_registry.py)"
