"""The README is true: its commands, its example layer and what .ci/run runs."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import AS_OF

ROOT = Path(__file__).resolve().parent.parent


def _shell_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)]


def test_readme_has_the_two_quick_start_commands():
    blocks = _shell_blocks()
    assert len(blocks) >= 2
    run, test = blocks[0], blocks[1]
    assert "layer-lint" in run and "fixtures/" in run and "pip install ." in run
    assert "pytest" in test and ".[test]" in test


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _shell_blocks()[1]
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_quick_start_layer_shows_the_promised_finding(cli):
    run_command = _shell_blocks()[0]
    layer = re.search(r"(fixtures/\S+\.zip)", run_command).group(1)
    args = run_command.split("layer-lint", 1)[1].split()
    result = cli(*[ROOT / arg if arg == layer else arg for arg in args], "--as-of", AS_OF.isoformat(), "--format", "json")
    assert result.code == 1
    codes = [finding["code"] for finding in result.json()["layers"][0]["findings"]]
    assert "LL103" in codes
