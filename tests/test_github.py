"""`--format github`: GitHub Actions workflow commands, one line per finding, escaped as the runner expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from layer_lint.render.github import command, escape_data, escape_property

from conftest import AS_OF
from layers import write_zip

DAY = AS_OF.isoformat()
BAD = {"python/lib/python3.9/site-packages/geo/__init__.py": "x = 1\n"}  # LL103 for python3.12
GOOD = {"python/lib/python3.12/site-packages/geo/__init__.py": "x = 1\n"}


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _annotations(cli, *args) -> tuple[int, list[str]]:
    run = cli(*args, "--as-of", DAY, "--format", "github")
    return run.code, run.out.splitlines()


def test_escaping_follows_the_workflow_command_rules():
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_data("a:b,c") == "a:b,c"  # message data keeps : and ,
    assert escape_property("dist/a,b:c%.zip\n") == "dist/a%2Cb%3Ac%25.zip%0A"
    assert command("notice", {"file": "x.zip", "title": None}, "m") == "::notice file=x.zip::m"
    assert command("error", {}, "m") == "::error::m"


def test_bad_layer_is_an_error_annotation_on_the_zip(repo, cli):
    write_zip(repo / "dist" / "bad.zip", BAD)
    code, lines = _annotations(cli, "dist/bad.zip", "--runtime", "python3.12")
    assert code == 1
    (line,) = lines
    prefix = "::error file=dist/bad.zip,title=LL103::python/lib/python3.9/site-packages/: "
    assert line.startswith(prefix)
    assert "%0Afix: Move the contents of python/lib/python3.9/site-packages/" in line


def test_good_layer_prints_nothing(repo, cli):
    write_zip(repo / "good.zip", GOOD)
    assert _annotations(cli, "good.zip", "--runtime", "python3.12") == (0, [])


def test_warning_and_info_become_warning_and_notice(repo, cli):
    write_zip(repo / "mixed.zip", {**BAD, "assets/a.txt": "hi"})
    _, lines = _annotations(cli, "mixed.zip", "--runtime", "python3.12", "--runtime", "python3.9")
    kinds = sorted(line.split(" ", 1)[0] + line.split("title=", 1)[1].split("::", 1)[0] for line in lines)
    assert kinds == ["::errorLL103", "::noticeLL102", "::warningLL105"]


def test_file_is_relative_to_the_repository_root_and_escaped(repo, cli, monkeypatch):
    write_zip(repo / "dist" / "a,b:c.zip", BAD)
    monkeypatch.chdir(repo / "dist")
    _, lines = _annotations(cli, "a,b:c.zip", "--runtime", "python3.12")
    assert lines[0].startswith("::error file=dist/a%2Cb%3Ac.zip,title=LL103::")


def test_a_member_name_cannot_inject_workflow_commands(repo, cli):
    # A hostile member name with a line break and a command of its own (LL402 reports the control character).
    write_zip(repo / "evil.zip", {"python/x\n::error::pwned/__init__.py": "x = 1\n"})
    _, lines = _annotations(cli, "evil.zip", "--runtime", "python3.12")
    assert lines and all(line.startswith(("::error file=evil.zip,", "::warning file=evil.zip,", "::notice file=evil.zip,")) for line in lines)
    assert any("x%0A::error::pwned" in line for line in lines)


def test_unreadable_layer_and_stack_findings(repo, cli):
    (repo / "broken.zip").write_bytes(b"not a zip")
    code, lines = _annotations(cli, "broken.zip")
    assert code == 2
    assert lines == [line for line in lines if line.startswith("::error file=broken.zip,title=layer-lint%3A unreadable layer::cannot be read: ")]
    assert len(lines) == 1
    names = [f"l{n}.zip" for n in range(6)]
    for n, name in enumerate(names):
        write_zip(repo / name, {f"python/pkg{n}/__init__.py": "x = 1\n"})
    _, lines = _annotations(cli, *names, "--stack", "--runtime", "python3.12")
    assert [line for line in lines if "title=LL304" in line] == [line for line in lines if line.startswith("::error title=LL304::")]
    assert any(line.startswith("::error title=LL304::6 layers") for line in lines)
