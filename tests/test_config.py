"""Configuration: [tool.layer-lint] in pyproject.toml, layer tables, per-path-ignores, and CLI overrides.

The pure parts (parse_config, plan, selected_codes, drop_ignored) are tested on values; the rest through the
CLI and lint() in a temporary repository with a real pyproject.toml and real zips.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from coldwarm import lint
from layer_lint.config import (  # tomllib: the stdlib module on 3.11+, tomli before
    Config,
    ConfigError,
    Settings,
    _KEYS,
    drop_ignored,
    find_config,
    load_config,
    parse_config,
    plan,
    selected_codes,
    tomllib,
)
from layer_lint.limits import Limits
from layer_lint.report import Finding, LayerReport, Report
from layer_lint.rules import ALL_RULES

from conftest import AS_OF
from layers import write_zip
from snippets import readme_between, readme_snippet

DAY = AS_OF.isoformat()
ALL_CODES = tuple(rule.code for rule in ALL_RULES)

# A python3.12 layer and a python3.11 layer: each clean for its own runtime, LL103 for the other's.
PY312 = {"python/lib/python3.12/site-packages/geo/__init__.py": "x = 1\n"}
PY311 = {"python/lib/python3.11/site-packages/img/__init__.py": "x = 1\n"}


def _parse(toml: str, source: str = "pyproject.toml") -> Config:
    return parse_config(tomllib.loads(textwrap.dedent(toml))["tool"]["layer-lint"], source, root="/repo")


def _repo(tmp_path: Path, toml: str) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(textwrap.dedent(toml))
    return tmp_path


# --- checking the file ----------------------------------------------------------------------------------------------


def test_every_key_parses():
    config = _parse(
        """
        [tool.layer-lint]
        runtimes = ["python3.12"]
        architectures = ["arm64"]
        targets = ["python3.11/x86_64"]
        select = ["LL1", "LL4"]
        extend-select = ["LL306"]
        ignore = ["outside-search-path"]
        fail-on = "warning"
        near-limit = 0.5
        max-member-bytes = 1000
        max-ratio = 50
        max-total-bytes = 2000
        per-path-ignores = {"python/vendor/**" = ["LL306", "LL1"]}

        [[tool.layer-lint.layer]]
        path = ["dist/a.zip", "dist/b-*.zip"]
        runtimes = ["python3.11"]
        """
    )
    settings = config.settings
    assert settings.runtimes == ("python3.12",) and settings.architectures == ("arm64",)
    assert settings.targets == ("python3.11/x86_64",)
    assert settings.select == ("LL1", "LL4") and settings.extend_select == ("LL306",) and settings.ignore == ("outside-search-path",)
    assert settings.fail_on == "warning" and settings.near_limit == 0.5
    assert (settings.max_member_bytes, settings.max_ratio, settings.max_total_bytes) == (1000, 50.0, 2000)
    assert settings.per_path_ignores == (("python/vendor/**", ("LL306", "LL1")),)
    assert config.layers[0].paths == ("dist/a.zip", "dist/b-*.zip")
    assert config.layers[0].settings.runtimes == ("python3.11",)


@pytest.mark.parametrize(
    "toml, expected",
    [
        ('runtime = ["python3.12"]', r"unknown key 'runtime' in \[tool\.layer-lint\]; did you mean 'runtimes'\?"),
        ('extend_select = ["LL1"]', r"unknown key 'extend_select' .*did you mean 'extend-select'\?"),
        ('per-path-ignore = {}', r"unknown key 'per-path-ignore' .*did you mean 'per-path-ignores'\?"),
        ("colour = true", r"unknown key 'colour' in \[tool\.layer-lint\]; known keys: architectures, "),
        ('select = ["LL1033"]', r"select: unknown rule selector 'LL1033'; did you mean 'LL103'\?"),
        ('ignore = ["ll10e"]', r"ignore: unknown rule selector 'll10e'; did you mean 'LL\d{3}'\?"),
        ('ignore = ["dead-weigth"]', r"did you mean 'dead-weight'\?"),
        ('extend-select = ["XY1"]', r"extend-select: unknown rule selector 'XY1'"),
        ('per-path-ignores = {"a/**" = ["LL999"]}', r"per-path-ignores 'a/\*\*': unknown rule selector 'LL999'"),
        ('runtimes = ["python3.21"]', r"runtimes: unknown runtime 'python3.21'"),
        ('runtimes = "python3.12"', r"runtimes must be a list of strings"),
        ('architectures = ["amd64"]', r"architectures: unknown architecture 'amd64'.*did you mean x86_64\?"),
        ('targets = ["python3.12"]', r"targets: 'python3.12' is not RUNTIME/ARCH"),
        ('fail-on = "errors"', r"fail-on must be one of error, warning, info, never"),
        ("near-limit = 80", r"near-limit must be a number between 0 and 1"),
        ("max-member-bytes = -1", r"max-member-bytes must be a positive whole number"),
        ("max-ratio = true", r"max-ratio must be a positive number"),
        ('layer = {path = "a.zip"}', r"'layer' must be an array of tables"),
    ],
)
def test_bad_top_level_values_name_the_file_and_the_key(toml, expected):
    with pytest.raises(ConfigError) as error:
        _parse("[tool.layer-lint]\n" + toml, source="/repo/pyproject.toml")
    message = str(error.value)
    assert message.startswith("/repo/pyproject.toml: "), message
    assert re.search(expected, message), message


@pytest.mark.parametrize(
    "body, expected",
    [
        ('runtimes = ["python3.12"]', r"\[\[tool\.layer-lint\.layer\]\] #1 needs a 'path'"),
        ('path = "a.zip"\nruntime = ["python3.12"]', r"unknown key 'runtime' in \[\[tool\.layer-lint\.layer\]\] #1; did you mean 'runtimes'\?"),
        ('path = "a.zip"\nfail-on = "warning"', r"unknown key 'fail-on' in \[\[tool\.layer-lint\.layer\]\] #1"),
        ('path = "a.zip"\nignore = ["LL9"]', r"#1 ignore: unknown rule selector 'LL9'"),
        ("path = 3", r"#1 path must be a list of strings"),
    ],
)
def test_bad_layer_tables_name_the_table(body, expected):
    with pytest.raises(ConfigError, match=expected):
        _parse("[tool.layer-lint]\n[[tool.layer-lint.layer]]\n" + body)


def test_find_config_takes_the_nearest_pyproject_with_a_layer_lint_table(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.layer-lint]\nruntimes = ["python3.12"]\n')
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\n')  # no table: skipped
    deep = tmp_path / "pkg" / "src" / "deep"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / "pyproject.toml"
    assert load_config(cwd=deep).settings.runtimes == ("python3.12",)
    (tmp_path / "pkg" / "pyproject.toml").write_text('[tool.layer-lint]\nruntimes = ["python3.11"]\n')
    assert load_config(cwd=deep).settings.runtimes == ("python3.11",)


def test_no_config_anywhere_is_an_empty_config(tmp_path):
    assert load_config(cwd=tmp_path) == Config()


def test_explicit_config_file_problems(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml", cwd=tmp_path)
    (tmp_path / "other.toml").write_text('[tool.black]\nline-length = 1\n')
    with pytest.raises(ConfigError, match=r"other\.toml: no \[tool\.layer-lint\] table"):
        load_config("other.toml", cwd=tmp_path)
    (tmp_path / "broken.toml").write_text("[tool.layer-lint\n")
    with pytest.raises(ConfigError, match=r"broken\.toml: not valid TOML"):
        load_config("broken.toml", cwd=tmp_path)


# --- resolving: pure ---------------------------------------------------------------------------------------------


def _codes(*stages: Settings) -> set[str]:
    return set(selected_codes(stages))


def test_selection_without_any_selector_is_every_rule():
    assert _codes(Settings(), Settings()) == set(ALL_CODES)


def test_ignore_in_the_file_and_on_the_command_line_add_up():
    assert _codes(Settings(ignore=("LL102",)), Settings(ignore=("LL105",))) == set(ALL_CODES) - {"LL102", "LL105"}


def test_a_later_select_starts_over():
    assert _codes(Settings(ignore=("LL103",)), Settings(select=("LL1",))) == {c for c in ALL_CODES if c.startswith("LL1")}


def test_extend_select_adds_back_what_an_earlier_stage_left_out():
    chosen = _codes(Settings(select=("LL4",)), Settings(extend_select=("LL103",)))
    assert chosen == {c for c in ALL_CODES if c.startswith("LL4")} | {"LL103"}


def test_within_a_stage_the_most_specific_selector_wins_whichever_key_it_is_in():
    assert _codes(Settings(select=("LL103",), ignore=("LL1",))) == {"LL103"}
    assert _codes(Settings(select=("LL1",), ignore=("LL103",))) == {c for c in ALL_CODES if c.startswith("LL1")} - {"LL103"}
    assert _codes(Settings(ignore=("ALL",)), Settings(extend_select=("misnested-folder",))) == {"LL104"}


def _plans(config: Config, cli: Settings, *paths: str):
    return plan(config, cli, list(paths), cwd="/repo", as_of=AS_OF)


def test_plan_without_config_is_the_plain_engine_options():
    (only,) = _plans(Config(), Settings(), "a.zip")
    assert only.options.select == () and only.options.ignore == () and only.options.limits == Limits()
    assert only.options.request.runtimes == () and only.per_path_ignores == ()


def test_layer_tables_give_each_layer_its_own_settings_and_the_cli_wins():
    config = _parse(
        """
        [tool.layer-lint]
        runtimes = ["python3.13"]
        architectures = ["x86_64"]
        [[tool.layer-lint.layer]]
        path = "dist/geo-*.zip"
        runtimes = ["python3.12"]
        [[tool.layer-lint.layer]]
        path = "dist/**/img.zip"
        targets = ["python3.11/arm64"]
        max-ratio = 10
        [[tool.layer-lint.layer]]
        path = "dist/geo-special.zip"   # shadowed: the first matching table wins
        runtimes = ["python3.9"]
        """
    )
    geo, img, other = _plans(config, Settings(), "dist/geo-special.zip", "/repo/dist/x/img.zip", "elsewhere.zip")
    assert geo.options.request.runtimes == ("python3.12",) and geo.options.request.archs == ("x86_64",)
    # targets replace the inherited runtimes too: both name runtimes
    assert img.options.request.runtimes == () and img.options.request.pairs == ("python3.11/arm64",)
    assert img.options.limits.ratio == 10 and geo.options.limits.ratio == Limits().ratio
    assert other.options.request.runtimes == ("python3.13",)
    cli = Settings(runtimes=("python3.14",))
    assert {p.options.request.runtimes for p in _plans(config, cli, "dist/geo-a.zip", "dist/img.zip")} == {("python3.14",)}
    assert {p.options.request.pairs for p in _plans(config, cli, "dist/geo-a.zip", "dist/img.zip")} == {()}


def test_per_path_ignores_of_every_level_apply():
    config = _parse(
        """
        [tool.layer-lint]
        per-path-ignores = {"python/vendor/**" = ["LL306"]}
        [[tool.layer-lint.layer]]
        path = "a.zip"
        per-path-ignores = {"bin/*" = ["LL404"]}
        """
    )
    a, b = _plans(config, Settings(), "a.zip", "b.zip")
    assert a.per_path_ignores == (("python/vendor/**", ("LL306",)), ("bin/*", ("LL404",)))
    assert b.per_path_ignores == (("python/vendor/**", ("LL306",)),)


def _finding(code: str, path):
    rule = next(rule for rule in ALL_RULES if rule.code == code)
    return Finding(code, rule.name, rule.severity, "l.zip", path, "m", "f")


def test_drop_ignored_matches_glob_and_rule():
    findings = [
        _finding("LL404", "bin/tool"),
        _finding("LL404", "bin/sub/tool"),  # `*` does not cross folders
        _finding("LL409", "bin/tool"),  # another rule
        _finding("LL306", None),  # no member path: never dropped by a glob
        Finding("LL000", "internal-error", "error", "l.zip", "bin/tool", "m", "f"),  # never dropped
    ]
    report = Report("0", "kb", AS_OF, layers=[LayerReport(path="l.zip", findings=list(findings))])
    kept = drop_ignored(report, (("bin/*", ("LL4", "dead-weight")),)).findings
    assert [(f.code, f.path) for f in kept] == [("LL404", "bin/sub/tool"), ("LL306", None), ("LL000", "bin/tool")]


# --- end to end: CLI and lint() in a repository ---------------------------------------------------------------------

TWO_LAYERS = """
[tool.layer-lint]
runtimes = ["python3.13"]

[[tool.layer-lint.layer]]
path = "dist/geo-layer.zip"
runtimes = ["python3.12"]

[[tool.layer-lint.layer]]
path = "dist/img-layer.zip"
runtimes = ["python3.11"]
"""


def _layer_result(document: dict, name: str) -> tuple[set[str], set[str]]:
    (layer,) = [layer for layer in document["layers"] if layer["path"].endswith(name)]
    return {t["runtime"] for t in layer["targets"]}, {f["code"] for f in layer["findings"]}


def test_two_layers_configured_with_different_runtimes_are_each_linted_against_their_own(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, TWO_LAYERS)
    write_zip(repo / "dist" / "geo-layer.zip", PY312)
    write_zip(repo / "dist" / "img-layer.zip", PY311)
    monkeypatch.chdir(repo)
    run = cli("dist/geo-layer.zip", "dist/img-layer.zip", "--as-of", DAY, "--format", "json")
    assert run.code == 0, run.out + run.err
    document = run.json()
    assert [layer["path"] for layer in document["layers"]] == ["dist/geo-layer.zip", "dist/img-layer.zip"]  # order kept
    assert _layer_result(document, "geo-layer.zip") == ({"python3.12"}, set())
    assert _layer_result(document, "img-layer.zip") == ({"python3.11"}, set())

    # The same two layers under swapped tables: each is now checked against the other's runtime.
    (repo / "pyproject.toml").write_text(TWO_LAYERS.replace("geo-layer", "TMP").replace("img-layer", "geo-layer").replace("TMP", "img-layer"))
    run = cli("dist/geo-layer.zip", "dist/img-layer.zip", "--as-of", DAY, "--format", "json")
    assert run.code == 1
    assert _layer_result(run.json(), "geo-layer.zip") == ({"python3.11"}, {"LL103"})
    assert _layer_result(run.json(), "img-layer.zip") == ({"python3.12"}, {"LL103"})


def test_layer_tables_match_from_a_subfolder_and_through_lint(tmp_path, monkeypatch):
    repo = _repo(tmp_path, TWO_LAYERS)
    write_zip(repo / "dist" / "geo-layer.zip", PY312)
    write_zip(repo / "dist" / "img-layer.zip", PY311)
    monkeypatch.chdir(repo / "dist")  # the config is found above, globs stay relative to it
    report = lint(["geo-layer.zip", "img-layer.zip"], as_of=AS_OF)
    assert report.ok and report.findings == []
    assert [{t.target.runtime for t in layer.targets} for layer in report.layers] == [{"python3.12"}, {"python3.11"}]
    # config=False: no configuration, both inferred from their folders (still clean); a CLI-style override wins
    assert lint(["geo-layer.zip"], as_of=AS_OF, config=False).layers[0].targets[0].inferred
    assert [f.code for f in lint(["geo-layer.zip"], ["python3.11"], as_of=AS_OF).findings] == ["LL103"]


def test_cli_flags_override_the_file(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, TWO_LAYERS)
    write_zip(repo / "dist" / "geo-layer.zip", PY312)
    monkeypatch.chdir(repo)
    run = cli("dist/geo-layer.zip", "--runtime", "python3.11", "--as-of", DAY, "--format", "json")
    assert run.code == 1 and _layer_result(run.json(), "geo-layer.zip") == ({"python3.11"}, {"LL103"})
    run = cli("dist/geo-layer.zip", "--runtime", "python3.11", "--ignore", "LL103", "--as-of", DAY, "--format", "json")
    assert run.code == 0


def test_fail_on_ignore_and_thresholds_from_the_file(tmp_path, cli, monkeypatch):
    layer = {"python/lib/python3.9/site-packages/old/__init__.py": "x = 1\n", "assets/a.txt": "hi"}
    repo = _repo(tmp_path, '[tool.layer-lint]\nruntimes = ["python3.9"]\nfail-on = "warning"\n')
    write_zip(repo / "l.zip", layer)
    monkeypatch.chdir(repo)
    assert cli("l.zip", "--as-of", DAY).code == 1  # LL105 warning fails at fail-on = "warning"
    assert cli("l.zip", "--as-of", DAY, "--fail-on", "error").code == 0  # the flag wins
    (repo / "pyproject.toml").write_text('[tool.layer-lint]\nruntimes = ["python3.9"]\nfail-on = "warning"\nignore = ["deprecated-runtime"]\n')
    assert cli("l.zip", "--as-of", DAY).code == 0
    (repo / "pyproject.toml").write_text("[tool.layer-lint]\nmax-member-bytes = 3\n")
    codes = {f["code"] for f in cli("l.zip", "--as-of", DAY, "--format", "json").json()["layers"][0]["findings"]}
    assert "LL407" in codes  # the zip-bomb threshold came from the file


def test_per_path_ignores_end_to_end(tmp_path, cli, monkeypatch):
    layer = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o644), "bin/other": ("#!/bin/sh\necho hi\n", 0o644)}
    repo = _repo(tmp_path, '[tool.layer-lint.per-path-ignores]\n"bin/tool" = ["not-executable"]\n')
    write_zip(repo / "l.zip", layer)
    monkeypatch.chdir(repo)
    run = cli("l.zip", "--as-of", DAY, "--format", "json")
    findings = run.json()["layers"][0]["findings"]
    assert [(f["code"], f["path"]) for f in findings if f["code"] == "LL404"] == [("LL404", "bin/other")]
    assert run.json()["summary"]["errors"] == sum(f["severity"] == "error" for f in findings)


@pytest.mark.parametrize(
    "toml, key",
    [
        ('[tool.layer-lint]\nruntime = ["python3.12"]\n', "'runtime'"),
        ('[tool.layer-lint]\nignore = ["LL1033"]\n', "'LL1033'"),
        ('[tool.layer-lint]\n[[tool.layer-lint.layer]]\npath = "l.zip"\narchitecture = ["arm64"]\n', "'architecture'"),
    ],
)
def test_cli_bad_config_is_exit_2_with_one_line_naming_file_and_key(tmp_path, cli, monkeypatch, toml, key):
    repo = _repo(tmp_path, toml)
    write_zip(repo / "l.zip", PY312)
    monkeypatch.chdir(repo)
    run = cli("l.zip", "--as-of", DAY)
    assert run.code == 2 and run.out == ""
    assert len(run.err.splitlines()) == 1
    assert str(repo / "pyproject.toml") in run.err and key in run.err and "did you mean" in run.err


def test_cli_config_flag_reads_another_file(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, '[tool.layer-lint]\nruntimes = ["python3.12"]\n')
    (repo / "ci.toml").write_text('[tool.layer-lint]\nruntimes = ["python3.11"]\n')
    write_zip(repo / "l.zip", PY312)
    monkeypatch.chdir(repo)
    assert cli("l.zip", "--as-of", DAY).code == 0
    assert cli("l.zip", "--as-of", DAY, "--config", "ci.toml").code == 1
    run = cli("l.zip", "--config", "nope.toml")
    assert run.code == 2 and "nope.toml" in run.err and "no such file" in run.err
    run = cli("l.zip", "--config", "/dev/null" if Path("/dev/null").exists() else str(tmp_path))
    assert run.code == 2 and "not a regular file" in run.err


def test_cli_unknown_selector_on_the_command_line_suggests(tmp_path, cli):
    run = cli(write_zip(tmp_path / "l.zip", PY312), "--ignore", "LL1033")
    assert run.code == 2 and "did you mean 'LL103'?" in run.err


def test_stack_with_layers_that_need_different_settings_is_a_usage_error(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, TWO_LAYERS)
    write_zip(repo / "dist" / "geo-layer.zip", PY312)
    write_zip(repo / "dist" / "img-layer.zip", PY311)
    monkeypatch.chdir(repo)
    run = cli("dist/geo-layer.zip", "dist/img-layer.zip", "--stack", "--as-of", DAY)
    assert run.code == 2 and "--stack" in run.err and len(run.err.splitlines()) == 1
    assert "give dist/img-layer.zip other ones than dist/geo-layer.zip" in run.err
    # the same flags for both make one configuration again
    assert cli("dist/geo-layer.zip", "dist/img-layer.zip", "--stack", "--runtime", "python3.12", "--as-of", DAY).code == 1


def test_targets_say_where_they_were_asked_for(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, TWO_LAYERS)
    write_zip(repo / "dist" / "geo-layer.zip", PY312)
    monkeypatch.chdir(repo)
    document = cli("dist/geo-layer.zip", "--as-of", DAY, "--format", "json").json()
    reasons = {t["reason"] for t in document["layers"][0]["targets"]}
    assert reasons == {"runtimes python3.12 in pyproject.toml"}
    document = cli("dist/geo-layer.zip", "--runtime", "python3.13", "--as-of", DAY, "--format", "json").json()
    assert {t["reason"] for t in document["layers"][0]["targets"]} == {"--runtime python3.13"}


def test_stack_of_layers_with_their_own_per_path_ignores(tmp_path, cli, monkeypatch):
    # Per-path-ignores add up rather than replace, so no flag could make them equal: each layer keeps its own.
    repo = _repo(tmp_path, """
[tool.layer-lint]
runtimes = ["python3.12"]

[[tool.layer-lint.layer]]
path = "dist/geo-layer.zip"
per-path-ignores = {"assets/**" = ["LL102"]}
""")
    write_zip(repo / "dist" / "geo-layer.zip", {**PY312, "assets/a.txt": "a\n"})
    write_zip(repo / "dist" / "img-layer.zip", {**PY312, "assets/b.txt": "b\n"})
    monkeypatch.chdir(repo)
    run = cli("dist/geo-layer.zip", "dist/img-layer.zip", "--stack", "--as-of", DAY, "--format", "json")
    assert run.code in (0, 1), run.err
    assert _layer_result(run.json(), "geo-layer.zip")[1] == set()
    assert _layer_result(run.json(), "img-layer.zip")[1] == {"LL102"}


# --- the README's configuration reference ---------------------------------------------------------------------------


def test_readme_configuration_snippet_parses_and_lints(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, readme_snippet("configuration"))
    write_zip(repo / "dist" / "geo-layer.zip", {"python/lib/python3.11/site-packages/geo/__init__.py": "x = 1\n"})
    write_zip(repo / "dist" / "node-tools.zip", {"nodejs/node_modules/left-pad/index.js": "module.exports = 1\n"})
    write_zip(repo / "dist" / "app.zip", PY312)
    monkeypatch.chdir(repo)
    run = cli("dist/geo-layer.zip", "dist/node-tools.zip", "dist/app.zip", "--as-of", DAY, "--format", "json")
    assert run.code == 0, run.out + run.err
    document = run.json()
    assert _layer_result(document, "geo-layer.zip")[0] == {"python3.11"}
    assert _layer_result(document, "node-tools.zip")[0] == {"nodejs22.x"}
    assert _layer_result(document, "app.zip")[0] == {"python3.12"}
    (node,) = [layer for layer in document["layers"] if layer["path"].endswith("node-tools.zip")]
    assert {t["arch"] for t in node["targets"]} == {"arm64"}


def test_readme_key_table_documents_exactly_the_known_keys():
    table = readme_between("<!-- config-keys: checked against config.py by tests/test_config.py -->", "\nHow settings combine")
    documented = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            documented |= set(re.findall(r"`([a-z-]+)`", line.split("|")[1]))
    assert documented == set(_KEYS) | {"layer"}


def test_max_members_from_the_configuration(tmp_path, cli, monkeypatch):
    repo = _repo(tmp_path, '[tool.layer-lint]\nruntimes = ["python3.12"]\nmax-members = 2\n')
    write_zip(repo / "three.zip", {"python/a.py": "a\n", "python/b.py": "b\n", "python/c.py": "c\n"}, dirs=False)
    write_zip(repo / "two.zip", {"python/a.py": "a\n", "python/b.py": "b\n"}, dirs=False)
    monkeypatch.chdir(repo)
    refused = cli("three.zip", "--as-of", DAY)
    assert refused.code == 2 and "more than the 2 layer-lint lists" in refused.err
    assert cli("two.zip", "--as-of", DAY).code in (0, 1)
