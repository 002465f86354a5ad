"""The pre-commit hook: its definition, its own `entry` run on a good and a bad layer, and (marked `network`,
since pre-commit installs the hook's environment from PyPI) the real `pre-commit try-repo` and the README's
`.pre-commit-config.yaml` snippet, on a snapshot of this checkout in a temporary git repository."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from layers import write_zip
from snippets import ROOT, readme_snippet

HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
GOOD = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o755)}
BAD = {"bin/tool": ("#!/bin/sh\necho hi\n", 0o644)}  # LL404 not-executable, whatever the inferred target
GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def _hook() -> dict:
    (hook,) = HOOKS
    return hook


def test_hook_definition():
    hook = _hook()
    assert hook["id"] == "layer-lint" and hook["entry"] == "layer-lint"
    assert hook["language"] == "python"
    assert hook["types"] == ["zip"]
    assert hook["require_serial"] is True
    assert hook.get("pass_filenames", True) is True  # pre-commit appends the staged zips to `entry`


def _run_entry(cwd: Path, *files: str) -> subprocess.CompletedProcess:
    """The hook's entry as pre-commit runs it: the console script from the hook's environment, then the files."""
    entry = shlex.split(_hook()["entry"])
    executable = Path(sys.executable).parent / entry[0]
    assert executable.exists(), f"{entry[0]} is not installed next to {sys.executable}"
    return subprocess.run([str(executable), *entry[1:], *_hook().get("args", []), *files], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_hook_entry_passes_a_good_layer_and_fails_a_bad_one(tmp_path):
    write_zip(tmp_path / "good.zip", GOOD)
    write_zip(tmp_path / "bad.zip", BAD)
    good = _run_entry(tmp_path, "good.zip")
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _run_entry(tmp_path, "good.zip", "bad.zip")
    assert bad.returncode == 1
    assert "LL404 not-executable bin/tool" in bad.stdout and "bad.zip" in bad.stdout


# --- the real pre-commit ---------------------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, str]:
    """This checkout as a clean git repository: the tracked files as they are on disk, committed, so
    pre-commit installs what is being tested (uncommitted edits included) and caches it by commit."""
    if shutil.which("git") is None:
        pytest.fail("git is needed to test the pre-commit hook")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    for name in _git(ROOT, "ls-files", "-z").split("\0"):
        source = ROOT / name
        if name and source.is_file():
            target = snapshot / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot, _git(snapshot, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    # pre-commit's own cache of hook environments: private to this test module, shared by its tests.
    return tmp_path_factory.mktemp("pre-commit-home")


def _user_repo(path: Path, *layers: tuple[str, dict]) -> Path:
    path.mkdir()
    _git(path, "init", "-q")
    (path / "notes.txt").write_text("not a layer\n")  # types: [zip] keeps the hook off it
    for name, manifest in layers:
        write_zip(path / name, manifest)
    _git(path, "add", "-A")
    return path


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    executable = Path(sys.executable).parent / "pre-commit"
    assert executable.exists(), "pre-commit is a test dependency: pip install -e '.[test]'"
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    return subprocess.run([str(executable), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.network
def test_pre_commit_try_repo_fails_a_bad_layer_and_passes_a_good_one(tmp_path, hook_repo, pre_commit_home):
    snapshot, commit = hook_repo
    user = _user_repo(tmp_path / "user", ("layers/good.zip", GOOD), ("layers/bad.zip", BAD))
    good = _pre_commit(user, pre_commit_home, "try-repo", str(snapshot), "layer-lint", "--ref", commit, "--files", "layers/good.zip", "notes.txt")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "layer-lint" in good.stdout and "Passed" in good.stdout
    bad = _pre_commit(user, pre_commit_home, "try-repo", str(snapshot), "layer-lint", "--ref", commit, "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout and "LL404 not-executable bin/tool" in bad.stdout
    assert "layers/bad.zip" in bad.stdout and "notes.txt" not in bad.stdout  # types: [zip]


@pytest.mark.network
def test_readme_pre_commit_snippet(tmp_path, hook_repo, pre_commit_home):
    snapshot, commit = hook_repo
    config = yaml.safe_load(readme_snippet("pre-commit"))
    (repo,) = config["repos"]
    assert [hook["id"] for hook in repo["hooks"]] == [_hook()["id"]]
    # The snippet names the published repository; here it is this checkout at its snapshot commit.
    repo["repo"], repo["rev"] = str(snapshot), commit
    user = _user_repo(tmp_path / "user", ("dist/layer.zip", GOOD))
    (user / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    _git(user, "add", "-A")
    good = _pre_commit(user, pre_commit_home, "run", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    write_zip(user / "dist" / "layer.zip", BAD)
    _git(user, "add", "-A")
    bad = _pre_commit(user, pre_commit_home, "run", "--all-files")
    assert bad.returncode == 1 and "LL404 not-executable bin/tool" in bad.stdout, bad.stdout + bad.stderr
