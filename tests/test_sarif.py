"""SARIF output, validated against the official SARIF 2.1.0 JSON Schema (vendored in tests/data/), and the
README's GitHub Actions workflow, whose lint step is run as written on real layers in a temporary repository."""

from __future__ import annotations

import glob
import hashlib
import json
import shlex
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft4Validator

from layer_lint.render.sarif import sarif_log
from layer_lint.report import Finding, LayerReport, Report
from layer_lint.rules import ALL_RULES

from conftest import AS_OF
from layers import write_zip
from snippets import ROOT, readme_between

DAY = AS_OF.isoformat()
SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
VALIDATOR = Draft4Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))

GOOD = {"python/lib/python3.12/site-packages/geo/__init__.py": "x = 1\n"}
BAD = {"python/lib/python3.9/site-packages/geo/__init__.py": "x = 1\n"}  # LL103 for python3.12
# Errors under inferred targets too (no --runtime, as in the workflow): bin/ files Lambda runs without x bits.
BAD_INFERRED = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o644)}
GOOD_INFERRED = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o755)}


def _valid(document: dict) -> dict:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return document


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    """A repository root (it has .git) as the working directory: %SRCROOT%."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _sarif(cli, *args) -> tuple[int, dict]:
    run = cli(*args, "--as-of", DAY, "--format", "sarif")
    return run.code, _valid(json.loads(run.out))


def test_vendored_schema_is_the_unmodified_official_file():
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    assert len(text) == 112768
    assert hashlib.sha256(text.encode()).hexdigest() == "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
    schema = json.loads(text)
    Draft4Validator.check_schema(schema)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    # and it does reject what it should, so a pass below means something
    assert list(VALIDATOR.iter_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]}))


def test_bad_layer_is_one_result_at_the_zip_with_the_member_in_message_and_properties(repo, cli):
    write_zip(repo / "dist" / "bad.zip", BAD)
    code, document = _sarif(cli, "dist/bad.zip", "--runtime", "python3.12")
    assert code == 1
    assert document["version"] == "2.1.0" and len(document["runs"]) == 1
    run = document["runs"][0]
    (result,) = run["results"]
    assert result["ruleId"] == "LL103" and result["level"] == "error"
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "LL103"
    assert result["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "dist/bad.zip", "uriBaseId": "%SRCROOT%"}}}
    ]
    member = "python/lib/python3.9/site-packages/"
    assert result["message"]["text"].startswith(member + ": ") and "\nFix: " in result["message"]["text"]
    assert result["properties"]["member"] == member and result["properties"]["layer"] == "dist/bad.zip"
    assert result["properties"]["targets"] == ["python3.12/x86_64", "python3.12/arm64"]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_good_layer_has_no_results(repo, cli):
    write_zip(repo / "dist" / "good.zip", GOOD)
    code, document = _sarif(cli, "dist/good.zip", "--runtime", "python3.12")
    assert code == 0 and document["runs"][0]["results"] == []


def test_driver_rules_are_the_registry_with_help_text(repo, cli):
    write_zip(repo / "good.zip", GOOD)
    rules = _sarif(cli, "good.zip")[1]["runs"][0]["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == [rule.code for rule in ALL_RULES]
    for descriptor, rule in zip(rules, ALL_RULES):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        for body in (rule.what, rule.why, rule.example, rule.fix):
            assert body in descriptor["help"]["text"] and body in descriptor["help"]["markdown"]
        assert descriptor["defaultConfiguration"]["level"] == {"error": "error", "warning": "warning", "info": "note"}[rule.severity]


def test_every_severity_maps_to_a_sarif_level(repo, cli):
    mixed = {**BAD, "assets/a.txt": "hi"}  # LL102 info, LL103 error for 3.12, LL105 warning for 3.9
    write_zip(repo / "mixed.zip", mixed)
    _, document = _sarif(cli, "mixed.zip", "--runtime", "python3.12", "--runtime", "python3.9")
    levels = {result["ruleId"]: result["level"] for result in document["runs"][0]["results"]}
    assert levels == {"LL102": "note", "LL103": "error", "LL105": "warning"}


def test_stack_findings_are_results_located_at_every_layer(repo, cli):
    names = [f"l{n}.zip" for n in range(6)]  # one more than Lambda allows: LL304
    for n, name in enumerate(names):
        write_zip(repo / name, {f"python/pkg{n}/__init__.py": "x = 1\n"})
    code, document = _sarif(cli, *names, "--stack", "--runtime", "python3.12")
    assert code == 1
    (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "LL304"]
    assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["locations"]] == names
    assert result["properties"]["layer"] == "(stack)"


def test_a_shadowed_package_is_located_at_the_zips_that_ship_it(repo, cli):
    write_zip(repo / "fn.zip", {"handler.py": "x = 1\n"})
    write_zip(repo / "other.zip", {"python/other/__init__.py": "x = 1\n"})
    write_zip(repo / "a.zip", {"python/attrs/__init__.py": "x = 1\n"})
    write_zip(repo / "b.zip", {"python/attrs/__init__.py": "x = 2\n"})
    _, document = _sarif(cli, "other.zip", "a.zip", "b.zip", "--function", "fn.zip", "--runtime", "python3.12")
    (result,) = [r for r in document["runs"][0]["results"] if r["ruleId"] == "LL305"]
    assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["locations"]] == ["a.zip", "b.zip"]


def test_unreadable_layer_is_a_tool_notification(repo, cli):
    (repo / "broken.zip").write_bytes(b"not a zip")
    code, document = _sarif(cli, "broken.zip")
    assert code == 2
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"].startswith("broken.zip: cannot be read")


def test_uris_are_relative_to_the_repository_root_wherever_it_runs(repo, cli, monkeypatch, tmp_path_factory):
    write_zip(repo / "dist" / "my layer.zip", BAD)
    monkeypatch.chdir(repo / "dist")
    _, document = _sarif(cli, "my layer.zip", "--runtime", "python3.12")
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "dist/my%20layer.zip", "uriBaseId": "%SRCROOT%"}
    outside = write_zip(tmp_path_factory.mktemp("elsewhere") / "o.zip", BAD)
    _, document = _sarif(cli, str(outside), "--runtime", "python3.12")
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.resolve().as_uri()}  # no %SRCROOT% outside the repository


def test_fingerprints_are_unique_and_stable(repo, cli):
    layer = {"bin/a": ("#!/bin/sh\n", 0o644), "bin/b": ("#!/bin/sh\n", 0o644), "bin/c": ("#!/bin/sh\n", 0o600)}
    write_zip(repo / "l.zip", layer)
    first = _sarif(cli, "l.zip")[1]["runs"][0]["results"]
    prints = [result["partialFingerprints"]["layerLintFinding/v1"] for result in first]
    assert len(prints) >= 3 and len(set(prints)) == len(prints)
    again = _sarif(cli, "l.zip")[1]["runs"][0]["results"]
    assert prints == [result["partialFingerprints"]["layerLintFinding/v1"] for result in again]


def test_sarif_to_a_file_and_text_to_the_terminal_in_one_run(repo, cli):
    write_zip(repo / "bad.zip", BAD)
    run = cli("bad.zip", "--runtime", "python3.12", "--as-of", DAY, "--format", "sarif", "--output", "out.sarif", "--format", "text")
    assert run.code == 1
    assert "LL103" in run.out and "Found 1 error" in run.out and not run.out.lstrip().startswith("{")
    document = _valid(json.loads((repo / "out.sarif").read_text()))
    assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["LL103"]


def test_internal_error_findings_get_a_rule_descriptor():
    crash = Finding("LL000", "internal-error", "error", "l.zip", None, "rule LL101 crashed: KeyError: 'x'", "report it")
    report = Report("0.1.0", "kb", AS_OF, layers=[LayerReport(path="l.zip", findings=[crash])])
    run = _valid(sarif_log(report, ALL_RULES, cwd="/repo", root="/repo"))["runs"][0]
    assert run["tool"]["driver"]["rules"][-1]["id"] == "LL000"
    assert "ruleIndex" not in run["results"][0] and run["invocations"][0]["executionSuccessful"] is False


# --- the README's GitHub Actions workflow ----------------------------------------------------------------------------

WORKFLOW = ROOT / "docs" / "github-workflow.yml"


def test_readme_shows_the_workflow_file_verbatim():
    between = readme_between(
        "<!-- github-workflow: copied from docs/github-workflow.yml (tests/test_sarif.py checks they match) -->",
        "<!-- end github-workflow -->",
    )
    assert between.strip() == "```yaml\n" + WORKFLOW.read_text(encoding="utf-8") + "```", "paste docs/github-workflow.yml into the README"


def _workflow_steps() -> list[dict]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"]["security-events"] == "write"
    (job,) = workflow["jobs"].values()
    return job["steps"]


def _lint_command(steps: list[dict]) -> list[str]:
    (step,) = [s for s in steps if "run" in s and s["run"].startswith("layer-lint ")]
    return shlex.split(step["run"])


def test_workflow_uploads_the_sarif_file_its_lint_step_writes():
    steps = _workflow_steps()
    command = _lint_command(steps)
    sarif_file = command[command.index("sarif") + 2]
    assert command[command.index("sarif") + 1] == "--output"
    (upload,) = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    assert upload["with"]["sarif_file"] == sarif_file
    assert upload["if"] == "always()"  # findings make the lint step fail; they must still be uploaded
    lint_index = steps.index(next(s for s in steps if s.get("run", "").startswith("layer-lint ")))
    assert steps.index(upload) > lint_index


@pytest.mark.parametrize("manifest, code", [(GOOD_INFERRED, 0), (BAD_INFERRED, 1)], ids=["good", "bad"])
def test_workflow_lint_step_writes_valid_sarif_and_annotations(repo, cli, manifest, code):
    write_zip(repo / "dist" / "layer.zip", manifest)
    command = _lint_command(_workflow_steps())
    assert command[0] == "layer-lint"
    args = [match for arg in command[1:] for match in (sorted(glob.glob(arg)) if "*" in arg else [arg])]  # as the shell
    run = cli(*args)
    assert run.code == code, run.out + run.err
    sarif_file = command[command.index("sarif") + 2]
    results = _valid(json.loads((repo / sarif_file).read_text()))["runs"][0]["results"]
    annotations = run.out.splitlines()
    if code == 0:
        assert results == [] and annotations == []
    else:
        assert [r["ruleId"] for r in results] == ["LL404"]
        assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dist/layer.zip"
        assert annotations == [line for line in annotations if line.startswith("::error file=dist/layer.zip,title=LL404::bin/tool: ")]
        assert len(annotations) == 1


# --- --format / --output pairs ---------------------------------------------------------------------------------------


def test_each_output_takes_the_format_just_before_it(repo, cli):
    write_zip(repo / "bad.zip", BAD)
    args = ("bad.zip", "--runtime", "python3.12", "--as-of", DAY)
    run = cli(*args, "--format", "github", "--format", "sarif", "--output", "out.sarif")
    assert run.out.startswith("::error file=bad.zip,title=LL103::")
    _valid(json.loads((repo / "out.sarif").read_text()))
    run = cli(*args, "--output", "r.json", "--format", "json")  # an --output before any --format: the first one
    assert run.code == 1 and run.out == "" and json.loads((repo / "r.json").read_text())["version"] == 1
    run = cli(*args, "--output", "r.txt")  # no --format: text
    assert run.out == "" and "Found 1 error" in (repo / "r.txt").read_text()


@pytest.mark.parametrize(
    "flags, message",
    [
        (("--format", "json", "--format", "text"), "only one report can go to standard output"),
        (("--format", "json", "--output", "a", "--output", "b"), "--output b: each --output needs its own --format"),
        (("--output", "a", "--output", "b"), "--output b: each --output needs its own --format"),
    ],
)
def test_ambiguous_format_and_output_pairs_are_usage_errors(repo, cli, flags, message):
    write_zip(repo / "bad.zip", BAD)
    run = cli("bad.zip", *flags)
    assert run.code == 2 and run.out == "" and message in run.err and len(run.err.splitlines()) == 1
    assert not (repo / "a").exists()  # nothing is written before the command line is understood


def test_stack_fingerprints_do_not_follow_the_order_of_the_layers(repo, cli):
    names = [f"l{n}.zip" for n in range(6)]  # LL304
    for n, name in enumerate(names):
        write_zip(repo / name, {f"python/pkg{n}/__init__.py": "x = 1\n", "python/attrs/__init__.py": f"x = {n}\n"})

    def stack_prints(*args: str) -> dict:
        _, document = _sarif(cli, *args, "--runtime", "python3.12")
        return {r["ruleId"]: r["partialFingerprints"] for r in document["runs"][0]["results"] if r["properties"]["layer"] == "(stack)"}

    first = stack_prints(*names, "--stack")
    assert {"LL304", "LL305"} <= set(first)
    assert stack_prints(*reversed(names), "--stack") == first
