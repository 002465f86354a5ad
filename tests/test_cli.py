"""The command line contract: exit codes, bad inputs, the JSON report, output and colour,
rule selection, and the runtimes / rules / explain commands.

Every layer is a real zip (or folder) built at test time by tests/layers.py; corrupt inputs
are real zip bytes written out and then cut or overwritten. Nothing in layer_lint is mocked.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from layer_lint import engine
from layer_lint.registry import Context, Hit, Rule
from layer_lint.layer import Layer
from layer_lint.report import EXIT_FINDINGS, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, LayerReport, Report
from layer_lint.rules import ALL_RULES, INTERNAL_ERROR
from layer_lint.runtimes import load_knowledge_base
from layer_lint.source import open_layer

from conftest import AS_OF
from layers import build, write_folder, write_zip

DAY = AS_OF.isoformat()

# One layer per highest severity, with the runtime that produces it (as of AS_OF):
CLEAN = {"python/requests/__init__.py": "x = 1\n"}  # python3.12: nothing to say
INFO = {**CLEAN, "assets/a.txt": "hi"}  # python3.12: LL102 outside-search-path (info)
WARNING = CLEAN  # python3.9: LL105 deprecated-runtime (warning)
ERROR = {"python/lib/python3.9/site-packages/foo/__init__.py": "x = 1\n"}  # python3.12: LL103 (error)
# Findings of all three severities in one layer: LL102 info, LL103 error (python3.12), LL105 warning (python3.9).
MIXED = {
    "python/lib/python3.9/site-packages/foo/__init__.py": "x = 1\n",
    "assets/a.txt": "hi",
    "assets/b.txt": "there",
}
MIXED_ARGS = ("--runtime", "python3.12", "--runtime", "python3.9", "--as-of", DAY)

ANSI = re.compile(r"\x1b\[")
SGR = re.compile(r"\x1b\[([0-9;]*)m")


@pytest.fixture(autouse=True)
def _plain_environment(monkeypatch):
    """Colour decisions must come from the stream and NO_COLOR, not from the developer's shell."""
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def _zip_bytes(tmp_path: Path) -> bytes:
    return write_zip(tmp_path / "source.zip", MIXED).read_bytes()


def _without_central_directory(data: bytes) -> bytes:
    """Local headers and file data, then the end record, with the central directory removed."""
    eocd = data.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack("<I", data[eocd + 16 : eocd + 20])
    return data[:cd_offset] + data[eocd:]


# The ways a layer cannot be read at all, each made from real bytes.
UNREADABLE = {
    "missing": None,
    "empty": lambda data: b"",
    "text-named-zip": lambda data: b"this is not a zip, just text\n",
    "cut-in-half": lambda data: data[: len(data) // 2],
    "cut-last-byte": lambda data: data[:-1],
    "no-central-directory": _without_central_directory,
    "only-local-header-magic": lambda data: b"PK\x03\x04",
}


def _unreadable(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "layer.zip"
    make = UNREADABLE[kind]
    if make is not None:
        path.write_bytes(make(_zip_bytes(tmp_path)))
    return path


def _validate(document: dict, schema: dict) -> None:
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def _codes(document: dict) -> list[str]:
    return [finding["code"] for layer in document["layers"] for finding in layer["findings"]]


# --- exit codes ------------------------------------------------------------------------------------------------

LEVELS = {
    "clean": (CLEAN, "python3.12", set()),
    "info": (INFO, "python3.12", {"info"}),
    "warning": (WARNING, "python3.9", {"warning"}),
    "error": (ERROR, "python3.12", {"error"}),
}
RANK = {"info": 1, "warning": 2, "error": 3}


@pytest.mark.parametrize("level", LEVELS)
def test_fixture_layers_produce_the_severity_they_stand_for(tmp_path, cli, level):
    manifest, runtime, severities = LEVELS[level]
    run = cli(write_zip(tmp_path / "l.zip", manifest), "--runtime", runtime, "--as-of", DAY, "--format", "json")
    assert {f["severity"] for layer in run.json()["layers"] for f in layer["findings"]} == severities


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never", None])
@pytest.mark.parametrize("level", LEVELS)
def test_exit_code_follows_fail_on(tmp_path, cli, level, fail_on):
    manifest, runtime, severities = LEVELS[level]
    args = [write_zip(tmp_path / "l.zip", manifest), "--runtime", runtime, "--as-of", DAY]
    if fail_on is not None:
        args += ["--fail-on", fail_on]
    threshold = fail_on or "error"  # the default
    failing = threshold != "never" and any(RANK[s] >= RANK[threshold] for s in severities)
    run = cli(*args)
    assert run.code == (EXIT_FINDINGS if failing else EXIT_OK), run.out + run.err
    assert run.err == ""


def test_exit_codes_are_the_documented_numbers():
    assert (EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL) == (0, 1, 2, 3)


def test_bad_fail_on_value_is_usage_error(tmp_path, cli):
    run = cli(write_zip(tmp_path / "l.zip", CLEAN), "--fail-on", "critical")
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1 and "--fail-on" in run.err


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no-layer"),
        pytest.param(["--bogus-flag", "L"], id="unknown-flag"),
        pytest.param(["--runtime", "python9.9", "L"], id="unknown-runtime"),
        pytest.param(["--arch", "sparc", "L"], id="unknown-arch"),
        pytest.param(["--target", "python3.12", "L"], id="target-without-arch"),
        pytest.param(["--target", "python3.7/arm64", "L"], id="target-arch-the-runtime-lacks"),
        pytest.param(["--as-of", "yesterday", "L"], id="bad-date"),
        pytest.param(["--format", "xml", "L"], id="bad-format"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(tmp_path, cli, args):
    layer = str(write_zip(tmp_path / "l.zip", ERROR))
    run = cli(*[layer if arg == "L" else arg for arg in args])
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1, run.err
    assert run.err.startswith("layer-lint: error: ")
    assert "Traceback" not in run.err


# --- unreadable layers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", UNREADABLE)
def test_unreadable_layer_is_one_line_naming_file_and_exit_2(tmp_path, cli, kind):
    path = _unreadable(tmp_path, kind)
    run = cli(path, "--as-of", DAY)
    assert run.code == 2
    lines = run.err.splitlines()
    assert len(lines) == 1, run.err
    assert str(path) in lines[0]
    reason = lines[0].split(str(path), 1)[1].lstrip(": ").strip()
    assert reason, f"no reason given: {lines[0]!r}"
    assert "Traceback" not in run.err + run.out


@pytest.mark.parametrize("kind", UNREADABLE)
def test_unreadable_layer_in_json_gets_its_error_and_the_other_layer_is_still_checked(tmp_path, cli, report_schema, kind):
    bad = _unreadable(tmp_path, kind)
    good = write_zip(tmp_path / "good" / "good.zip", ERROR)
    run = cli(good, bad, "--runtime", "python3.12", "--as-of", DAY, "--format", "json")
    assert run.code == 2  # an unreadable layer wins over the good layer's error finding (1)
    document = run.json()
    _validate(document, report_schema)
    by_path = {layer["path"]: layer for layer in document["layers"]}
    assert list(by_path) == [str(good), str(bad)]
    assert by_path[str(good)]["error"] is None
    assert [f["code"] for f in by_path[str(good)]["findings"]] == ["LL103"]
    bad_layer = by_path[str(bad)]
    assert isinstance(bad_layer["error"], str) and bad_layer["error"]
    assert bad_layer["findings"] == []
    assert bad_layer["zipped_bytes"] is None
    lines = run.err.splitlines()
    assert len(lines) == 1 and str(bad) in lines[0] and bad_layer["error"] in lines[0]


def test_unreadable_layer_wins_over_findings_whatever_fail_on(tmp_path, cli):
    bad = _unreadable(tmp_path, "text-named-zip")
    good = write_zip(tmp_path / "good" / "good.zip", ERROR)
    for fail_on in ("error", "warning", "info", "never"):
        assert cli(good, bad, "--runtime", "python3.12", "--as-of", DAY, "--fail-on", fail_on).code == 2


def test_unreadable_layer_in_text_output_is_still_reported_with_the_good_one(tmp_path, cli):
    bad = _unreadable(tmp_path, "cut-in-half")
    good = write_zip(tmp_path / "good" / "good.zip", ERROR)
    run = cli(bad, good, "--runtime", "python3.12", "--as-of", DAY)
    assert run.code == 2
    assert "LL103" in run.out
    assert len(run.err.splitlines()) == 1 and str(bad) in run.err


def test_zip_with_only_local_headers_damaged_is_still_readable(tmp_path, cli):
    """The listing comes from the central directory: damaged member data is not an unreadable layer."""
    data = _zip_bytes(tmp_path)
    eocd = data.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack("<I", data[eocd + 16 : eocd + 20])
    path = tmp_path / "layer.zip"
    path.write_bytes(b"\0" * cd_offset + data[cd_offset:])
    run = cli(path, "--runtime", "python3.12", "--as-of", DAY, "--format", "json")
    assert run.code != 2, run.err
    assert run.json()["layers"][0]["error"] is None


# --- internal errors (exit 3) ----------------------------------------------------------------------------------


def _boom(layer, context):
    yield Hit(path=None, message="never reported", fix="-")
    raise KeyError("no such thing")


CRASHING = Rule(
    code="LL998",
    name="always-crashes",
    severity="info",
    summary="A rule with a bug.",
    what="Crashes.",
    why="To prove a bug is reported, not raised.",
    example="any layer",
    fix="fix the rule",
    check=_boom,
)


def _crash_findings(tmp_path):
    path = write_zip(tmp_path / "l.zip", CLEAN)
    source = open_layer(path)
    try:
        layer = Layer(str(path), source)
        context = Context((), load_knowledge_base(), AS_OF)
        return engine._run_rule(CRASHING, CRASHING.check, layer, layer.name, context)
    finally:
        source.close()


def test_crashing_rule_becomes_an_internal_error_finding_naming_the_rule(tmp_path):
    findings = _crash_findings(tmp_path)
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.code, finding.name, finding.severity) == (INTERNAL_ERROR, "internal-error", "error")
    assert INTERNAL_ERROR == "LL000"
    assert "LL998" in finding.message and "always-crashes" in finding.message
    assert "KeyError" in finding.message
    assert "Traceback" not in finding.message and "\n" not in finding.message
    assert finding.data["rule"] == "LL998"
    assert finding.fix


@pytest.mark.parametrize("fail_on", ["error", "warning", "info", "never"])
def test_internal_error_finding_makes_exit_3(tmp_path, fail_on):
    findings = _crash_findings(tmp_path)
    kb = load_knowledge_base()
    report = Report("0", kb.version, AS_OF, layers=[LayerReport(path="l.zip", findings=findings)])
    assert report.exit_code(fail_on) == EXIT_INTERNAL
    # ...and it wins over an unreadable layer (2)
    report.layers.append(LayerReport(path="bad.zip", error="not a zip file"))
    assert report.exit_code(fail_on) == EXIT_INTERNAL


def test_internal_error_finding_is_valid_json(tmp_path, report_schema):
    findings = _crash_findings(tmp_path)
    kb = load_knowledge_base()
    report = Report("0", kb.version, AS_OF, layers=[LayerReport(path="l.zip", findings=findings)])
    document = json.loads(json.dumps(report.to_json()))
    _validate(document, report_schema)
    assert document["summary"] == {"errors": 1, "warnings": 0, "infos": 0}


def test_a_working_rule_is_not_an_internal_error(tmp_path):
    """The other side of the runner: a rule that does not crash yields its own findings."""
    path = write_zip(tmp_path / "l.zip", ERROR)
    source = open_layer(path)
    try:
        layer = Layer(str(path), source)
        kb = load_knowledge_base()
        from layer_lint.report import Target

        context = Context((Target("python3.12", "x86_64"),), kb, AS_OF)
        rule = next(r for r in ALL_RULES if r.code == "LL103")
        findings = engine._run_rule(rule, rule.check, layer, layer.name, context)
    finally:
        source.close()
    assert [f.code for f in findings] == ["LL103"]


# --- the JSON report -------------------------------------------------------------------------------------------


def test_json_is_one_document_valid_against_the_schema(tmp_path, cli, report_schema):
    a = write_zip(tmp_path / "a.zip", MIXED)
    b = build(tmp_path, "folder", INFO, name="b")
    run = cli(a, b, *MIXED_ARGS, "--format", "json")
    document = json.loads(run.out)  # exactly one document, nothing else on stdout
    assert run.out.endswith("\n") and run.out.count("\n{") == 0 and run.out.lstrip().startswith("{")
    _validate(document, report_schema)
    assert run.code == 1
    assert run.err == ""


def test_json_top_level_keys_and_tool(tmp_path, cli):
    run = cli(write_zip(tmp_path / "a.zip", MIXED), *MIXED_ARGS, "--format", "json")
    document = run.json()
    assert {"version", "tool", "as_of", "layers", "stack", "summary"} <= set(document)
    assert document["version"] == 1
    assert document["tool"]["name"] == "layer-lint"
    from layer_lint import __version__

    assert document["tool"]["version"] == __version__
    assert document["tool"]["knowledge_base"] == load_knowledge_base().version
    assert document["as_of"] == DAY
    assert document["stack"] is None
    layer = document["layers"][0]
    assert set(layer) >= {"path", "zipped_bytes", "unzipped_bytes", "files", "targets", "error", "findings"}


def test_json_sizes_match_the_zip(tmp_path, cli):
    path = write_zip(tmp_path / "a.zip", {**MIXED, "python/big.bin": b"\0" * 100_000})
    run = cli(path, *MIXED_ARGS, "--format", "json")
    layer = run.json()["layers"][0]
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
    assert layer["path"] == str(path)
    assert layer["zipped_bytes"] == os.path.getsize(path)
    assert layer["unzipped_bytes"] == sum(info.file_size for info in members)
    assert layer["files"] == len(members)
    assert layer["error"] is None


def test_json_sizes_of_a_folder(tmp_path, cli):
    folder = write_folder(tmp_path / "layer", INFO)
    run = cli(folder, "--runtime", "python3.12", "--as-of", DAY, "--format", "json")
    layer = run.json()["layers"][0]
    assert layer["zipped_bytes"] is None
    assert layer["unzipped_bytes"] == sum(len(content) for content in INFO.values())
    assert layer["files"] == len(INFO)


def test_json_targets_say_where_they_come_from(tmp_path, cli):
    run = cli(write_zip(tmp_path / "a.zip", ERROR), "--runtime", "python3.12", "--as-of", DAY, "--format", "json")
    targets = run.json()["layers"][0]["targets"]
    assert {(t["runtime"], t["arch"]) for t in targets} == {("python3.12", "x86_64"), ("python3.12", "arm64")}
    assert all(t["inferred"] is False and t["reason"] for t in targets)
    inferred = cli(write_zip(tmp_path / "b.zip", ERROR), "--as-of", DAY, "--format", "json").json()["layers"][0]["targets"]
    assert inferred and all(t["inferred"] is True and t["runtime"] == "python3.9" for t in inferred)


def test_json_summary_counts_every_finding_of_every_layer(tmp_path, cli):
    a = write_zip(tmp_path / "a.zip", MIXED)
    b = write_zip(tmp_path / "b.zip", ERROR)
    document = cli(a, b, *MIXED_ARGS, "--format", "json").json()
    findings = [f for layer in document["layers"] for f in layer["findings"]]
    severities = [f["severity"] for f in findings]
    assert document["summary"] == {
        "errors": severities.count("error"),
        "warnings": severities.count("warning"),
        "infos": severities.count("info"),
    }
    # this run really has all three severities, in both layers
    assert all(document["summary"].values())
    assert len({f["layer"] for f in findings}) == 2


def test_json_findings_are_sorted_by_layer_path_code(tmp_path, cli):
    manifest = {
        **MIXED,
        "zzz/data.txt": "z",
        "aaa/data.txt": "a",
        "python/lib/python3.8/site-packages/bar/__init__.py": "y = 2\n",
    }
    a = write_zip(tmp_path / "a.zip", manifest)
    b = write_zip(tmp_path / "b.zip", manifest)
    document = cli(b, a, *MIXED_ARGS, "--format", "json").json()
    assert [layer["path"] for layer in document["layers"]] == [str(b), str(a)]  # layers in argument order
    for layer in document["layers"]:
        keys = [(f["layer"], f["path"] or "", f["code"]) for f in layer["findings"]]
        assert len(keys) >= 5
        assert keys == sorted(keys)
        assert all(f["layer"] == layer["path"] for f in layer["findings"])


def test_json_with_no_findings(tmp_path, cli, report_schema):
    run = cli(write_zip(tmp_path / "a.zip", CLEAN), "--runtime", "python3.12", "--as-of", DAY, "--format", "json")
    assert run.code == 0
    document = run.json()
    _validate(document, report_schema)
    assert document["summary"] == {"errors": 0, "warnings": 0, "infos": 0}
    assert document["layers"][0]["findings"] == []


# --- --output, colour -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_output_writes_the_report_to_the_file(tmp_path, cli, report_schema, fmt):
    out = tmp_path / "report.out"
    run = cli(write_zip(tmp_path / "a.zip", MIXED), *MIXED_ARGS, "--format", fmt, "--output", out)
    assert run.out == ""
    assert run.code == 1  # the exit code does not change with --output
    written = out.read_text(encoding="utf-8")
    assert not ANSI.search(written)
    if fmt == "json":
        _validate(json.loads(written), report_schema)
        assert sorted(_codes(json.loads(written))) == ["LL102", "LL103", "LL105"]
    else:
        assert "LL103" in written and "wrong-runtime-version-path" in written


def test_output_matches_stdout(tmp_path, cli):
    layer = write_zip(tmp_path / "a.zip", MIXED)
    out = tmp_path / "report.json"
    cli(layer, *MIXED_ARGS, "--format", "json", "--output", out)
    assert out.read_text(encoding="utf-8") == cli(layer, *MIXED_ARGS, "--format", "json").out


def test_output_to_an_unwritable_place_is_usage_error(tmp_path, cli):
    run = cli(write_zip(tmp_path / "a.zip", CLEAN), "--output", tmp_path / "no" / "such" / "dir" / "r.json")
    assert run.code == 2
    assert len(run.err.splitlines()) == 1 and "--output" in run.err


class _Terminal(io.StringIO):
    """A stdout that says it is a terminal, as a real tty does."""

    def isatty(self) -> bool:
        return True


def _run_on_terminal(*args) -> str:
    from layer_lint.cli import main

    out = _Terminal()
    main([str(arg) for arg in args], stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _colour_codes(output: str) -> list[str]:
    """SGR parameters that set a foreground or background colour (not bold, dim, reset)."""
    found = []
    for params in SGR.findall(output):
        for param in (params or "0").split(";"):
            if param.isdigit() and (30 <= int(param) <= 49 or 90 <= int(param) <= 107):
                found.append(params)
    return found


@pytest.mark.parametrize("command", [("check",), ("rules",), ("runtimes",), ("explain", "LL103")])
def test_text_output_without_a_tty_has_no_ansi_codes(tmp_path, cli, command):
    if command == ("check",):
        run = cli(write_zip(tmp_path / "a.zip", MIXED), *MIXED_ARGS)
    else:
        run = cli(*command)
    assert run.out.strip()
    assert not ANSI.search(run.out), repr(run.out[:200])


def test_text_output_on_a_tty_is_coloured(tmp_path):
    """The control for the NO_COLOR test: on a terminal the report has colour."""
    output = _run_on_terminal(write_zip(tmp_path / "a.zip", MIXED), *MIXED_ARGS)
    assert _colour_codes(output)


def test_no_color_is_respected_on_a_tty(tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    layer = write_zip(tmp_path / "a.zip", MIXED)
    for args in ((layer, *MIXED_ARGS), ("rules",), ("runtimes",), ("explain", "LL103")):
        output = _run_on_terminal(*args)
        assert output.strip()
        assert not _colour_codes(output), repr(output[:300])


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color", [False, True])
def test_no_color_on_a_real_pseudo_terminal(tmp_path, no_color):
    layer = write_zip(tmp_path / "a.zip", MIXED)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env["TERM"] = "xterm-256color"
    if no_color:
        env["NO_COLOR"] = "1"
    controller, terminal = os.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "layer_lint", str(layer), *MIXED_ARGS],
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=env,
            timeout=120,
        )
        os.close(terminal)
        terminal = -1
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO once the terminal side is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        if terminal != -1:
            os.close(terminal)
        os.close(controller)
    output = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 1, proc.stderr
    assert "LL103" in output
    assert bool(_colour_codes(output)) is not no_color


# --- --select / --ignore ---------------------------------------------------------------------------------------


def _selected(cli, tmp_path, *flags) -> list[str]:
    run = cli(write_zip(tmp_path / "a.zip", MIXED), *MIXED_ARGS, "--format", "json", *flags)
    assert run.code in (0, 1), run.err
    return sorted(set(_codes(run.json())))


def test_every_rule_fires_on_the_mixed_layer_without_selection(cli, tmp_path):
    assert _selected(cli, tmp_path) == ["LL102", "LL103", "LL105"]


@pytest.mark.parametrize(
    "flags, expected",
    [
        (("--select", "LL103"), ["LL103"]),
        (("--select", "ll103"), ["LL103"]),
        (("--select", "wrong-runtime-version-path"), ["LL103"]),
        (("--select", "LL102,LL105"), ["LL102", "LL105"]),
        (("--select", "LL102", "--select", "deprecated-runtime"), ["LL102", "LL105"]),
        (("--select", "LL1"), ["LL102", "LL103", "LL105"]),
        (("--select", "LL10"), ["LL102", "LL103", "LL105"]),
        (("--select", "ALL"), ["LL102", "LL103", "LL105"]),
        (("--ignore", "LL103"), ["LL102", "LL105"]),
        (("--ignore", "outside-search-path"), ["LL103", "LL105"]),
        (("--ignore", "LL1"), []),
        (("--ignore", "LL102,deprecated-runtime"), ["LL103"]),
        (("--select", "LL1", "--ignore", "LL103"), ["LL102", "LL105"]),
        # the more specific selector wins, whichever flag it is on
        (("--ignore", "LL1", "--select", "LL103"), ["LL103"]),
    ],
)
def test_select_and_ignore(cli, tmp_path, flags, expected):
    assert _selected(cli, tmp_path, *flags) == expected


def test_ignoring_the_only_error_changes_the_exit_code(cli, tmp_path):
    layer = write_zip(tmp_path / "a.zip", ERROR)
    assert cli(layer, "--runtime", "python3.12", "--as-of", DAY).code == 1
    assert cli(layer, "--runtime", "python3.12", "--as-of", DAY, "--ignore", "LL103").code == 0


@pytest.mark.parametrize(
    "flags",
    [("--select", "LL999"), ("--select", "LL9"), ("--ignore", "no-such-rule"), ("--select", "LL103,bogus"), ("--select", "XY1")],
)
def test_unknown_selector_is_usage_error(cli, tmp_path, flags):
    run = cli(write_zip(tmp_path / "a.zip", MIXED), *MIXED_ARGS, *flags)
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1
    assert flags[1].split(",")[-1] in run.err


# --- layer-lint runtimes -----------------------------------------------------------------------------------------

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RUNTIME_KEYS = {
    "runtime", "family", "version", "os", "glibc", "architectures",
    "deprecated", "block_create", "block_update", "zip", "layer_paths",
}  # fmt: skip


def _runtimes_json(cli) -> list[dict]:
    run = cli("runtimes", "--format", "json")
    assert run.code == 0 and run.err == ""
    return json.loads(run.out)


def test_runtimes_json_lists_every_runtime_with_its_facts(cli):
    runtimes = _runtimes_json(cli)
    assert isinstance(runtimes, list) and runtimes
    assert [r["runtime"] for r in runtimes] == list(load_knowledge_base().runtimes)
    for runtime in runtimes:
        assert RUNTIME_KEYS <= set(runtime), runtime["runtime"]
        assert runtime["os"] in ("al1", "al2", "al2023", None), runtime
        for key in ("deprecated", "block_create", "block_update"):
            assert runtime[key] is None or ISO_DATE.match(runtime[key]), (runtime["runtime"], key)
        assert isinstance(runtime["zip"], bool)
        assert isinstance(runtime["layer_paths"], list)
        assert runtime["glibc"] is None or isinstance(runtime["glibc"], str)
    python312 = next(r for r in runtimes if r["runtime"] == "python3.12")
    assert python312["family"] == "python" and python312["os"] == "al2023"
    assert python312["architectures"] == ["x86_64", "arm64"]
    assert python312["zip"] is True
    assert "python/lib/python3.12/site-packages" in python312["layer_paths"]


def test_runtimes_json_architectures_is_always_a_list(cli):
    bad = [r["runtime"] for r in _runtimes_json(cli) if not isinstance(r["architectures"], list)]
    assert bad == []


def test_runtimes_table_contains_python312(cli):
    run = cli("runtimes", "--as-of", DAY)
    assert run.code == 0
    assert "python3.12" in run.out
    assert DAY in run.out


# --- layer-lint rules / explain ----------------------------------------------------------------------------------


def test_rules_text_lists_every_rule(cli):
    run = cli("rules")
    assert run.code == 0
    for rule in ALL_RULES:
        assert rule.code in run.out and rule.name in run.out, rule.code


def test_rules_json_lists_every_rule_in_order(cli):
    run = cli("rules", "--format", "json")
    assert run.code == 0
    rules = json.loads(run.out)
    assert [r["code"] for r in rules] == [rule.code for rule in ALL_RULES]
    for entry, rule in zip(rules, ALL_RULES):
        assert entry == rule.to_json()
        for key in ("code", "name", "severity", "summary", "what", "why", "example", "fix"):
            assert entry[key], (rule.code, key)


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda rule: rule.code)
@pytest.mark.parametrize("by", ["code", "name", "lowercase-code"])
def test_explain_prints_what_why_example_fix(cli, rule, by):
    wanted = {"code": rule.code, "name": rule.name, "lowercase-code": rule.code.lower()}[by]
    run = cli("explain", wanted)
    assert run.code == 0, run.err
    out = run.out
    assert rule.code in out and rule.name in out
    for heading, body in (("What it does", rule.what), ("Why is this bad?", rule.why), ("Example", rule.example), ("Fix", rule.fix)):
        assert heading in out
        assert body in out, f"{rule.code} {heading} text is not printed whole"
    assert out.index("What it does") < out.index("Why is this bad?") < out.index("Example") < out.index("Fix")


def test_explain_ll103_and_its_name_print_the_same(cli):
    by_code = cli("explain", "LL103")
    by_name = cli("explain", "wrong-runtime-version-path")
    assert by_code.code == by_name.code == 0
    assert by_code.out == by_name.out
    assert "python/lib/python3.9/site-packages/" in by_code.out


@pytest.mark.parametrize("wanted", ["LL999", "no-such-rule", "LL000", "LL1"])
def test_explain_unknown_rule_is_exit_2(cli, wanted):
    run = cli("explain", wanted)
    assert run.code == 2
    assert run.out == ""
    assert len(run.err.splitlines()) == 1 and wanted in run.err


# --- entry points (subprocesses) ---------------------------------------------------------------------------------


def _subprocess(argv: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    return subprocess.run(argv, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)


def _console_script() -> str:
    search = os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])
    found = shutil.which("layer-lint", path=search)
    if found is None:
        pytest.skip("the layer-lint console script is not installed")
    return found


@pytest.fixture(params=["python -m layer_lint", "layer-lint"])
def command(request) -> list[str]:
    if request.param == "layer-lint":
        return [_console_script()]
    return [sys.executable, "-m", "layer_lint"]


def test_entry_point_check_json(tmp_path, command, report_schema):
    good = write_zip(tmp_path / "good.zip", ERROR)
    proc = _subprocess([*command, str(good), "--runtime", "python3.12", "--as-of", DAY, "--format", "json"], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    document = json.loads(proc.stdout)
    _validate(document, report_schema)
    assert _codes(document) == ["LL103"]


def test_entry_point_bad_layer_is_one_line_and_exit_2(tmp_path, command):
    bad = tmp_path / "layer.zip"
    bad.write_text("not a zip\n")
    proc = _subprocess([*command, str(bad), "--as-of", DAY], tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1 and str(bad) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not ANSI.search(proc.stdout)


def test_entry_point_clean_layer_text(tmp_path, command):
    good = write_zip(tmp_path / "good.zip", CLEAN)
    proc = _subprocess([*command, str(good), "--runtime", "python3.12", "--as-of", DAY], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert str(good) in proc.stdout
    assert not ANSI.search(proc.stdout)


@pytest.mark.parametrize("args", [["rules"], ["runtimes"], ["explain", "LL103"], ["--version"]])
def test_entry_point_subcommands(tmp_path, command, args):
    proc = _subprocess([*command, *args], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    assert not ANSI.search(proc.stdout)
