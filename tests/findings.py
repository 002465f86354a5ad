"""Running the CLI on one layer for its JSON findings, and picking findings out of them."""

from __future__ import annotations

from pathlib import Path

from conftest import AS_OF


def lint(cli, path: Path, *args: str, runtime: str = "python3.12") -> tuple[int, list[dict]]:
    """Run the CLI (the `cli` fixture) on one layer; returns (exit code, findings of that layer)."""
    run = cli(path, "--runtime", runtime, "--as-of", AS_OF.isoformat(), "--format", "json", *args)
    assert run.code in (0, 1), run.err
    assert "Traceback" not in run.err
    layer = run.json()["layers"][0]
    assert layer["error"] is None
    assert all(f["code"] != "LL000" for f in layer["findings"]), layer["findings"]
    return run.code, layer["findings"]


def of(findings: list[dict], code: str) -> list[dict]:
    return [f for f in findings if f["code"] == code]


def only(findings: list[dict], code: str) -> dict:
    hits = of(findings, code)
    assert len(hits) == 1, hits
    return hits[0]
