"""The progress bar: on a terminal's stderr once a run has taken over a second, never in a pipe
and never on a terminal that a JSON or SARIF report is printed to."""

from __future__ import annotations

import io
from contextlib import closing
import json
from pathlib import Path

import pytest
from conftest import AS_OF
from layers import write_zip

from layer_lint.render import progress
from layer_lint.cli import main
from layer_lint.layer import Layer
from layer_lint.render.progress import TerminalProgress, for_terminal
from layer_lint.source import open_layer

EXAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "example-layer.zip"
DAY = AS_OF.isoformat()


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stderr does in a shell."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_delay(monkeypatch):
    """The bar from the first member on, so that a run of a small layer shows it."""
    monkeypatch.setattr(progress, "DELAY_SECONDS", 0.0)


def _many_members(tmp_path: Path) -> Path:
    return write_zip(tmp_path / "many.zip", {f"python/pkg/m{i}.py": f"x = {i}\n" * 200 for i in range(300)})


def run(*args: str, stderr: io.StringIO) -> tuple[int, str]:
    out = io.StringIO()
    code = main([*args, "--as-of", DAY, "--no-cache"], stdout=out, stderr=stderr)
    return code, out.getvalue()


def test_a_read_reports_its_bytes_and_the_bar_names_the_layer(tmp_path, no_delay):
    zip_path = _many_members(tmp_path)
    stream = Terminal()
    bar = TerminalProgress(stream)
    with closing(open_layer(zip_path)) as source:
        shown = Layer(str(zip_path), source, progress=bar).scan
    bar.finish()
    with closing(open_layer(zip_path)) as source:
        plain = Layer(str(zip_path), source).scan
    assert shown.to_json() == plain.to_json()  # watching a read does not change what it finds
    drawn = stream.getvalue()
    assert "reading many.zip" in drawn
    assert str(tmp_path) not in drawn  # the file name only: a whole path wraps the bar
    total = sum(len(f"x = {i}\n" * 200) for i in range(300))
    assert f"/{total / 1e3:.1f} kB" in drawn  # rich's DownloadColumn: done/total


def test_no_bar_before_the_delay(tmp_path):
    stream = Terminal()
    bar = TerminalProgress(stream, delay=3600.0)
    zip_path = _many_members(tmp_path)
    with closing(open_layer(zip_path)) as source:
        Layer(str(zip_path), source, progress=bar).scan
    bar.finish()
    assert stream.getvalue() == ""


def test_the_bar_shows_once_the_delay_has_passed():
    now = [0.0]
    stream = Terminal()
    bar = TerminalProgress(stream, delay=1.0, clock=lambda: now[0])
    bar.start("layer.zip", 1000)
    bar.update(10)
    assert stream.getvalue() == ""
    now[0] = 1.5
    bar.update(500)
    assert "reading layer.zip" in stream.getvalue()
    bar.finish()


def test_only_terminals_get_a_bar():
    assert for_terminal(io.StringIO()) is None
    assert for_terminal(Terminal(), enabled=False) is None
    assert isinstance(for_terminal(Terminal()), TerminalProgress)
    closed = io.StringIO()
    closed.close()
    assert for_terminal(closed) is None


def test_check_on_a_terminal_shows_the_bar_and_prints_the_same_report(no_delay):
    terminal = Terminal()
    code, shown = run(str(EXAMPLE), stderr=terminal)
    code_plain, plain = run(str(EXAMPLE), stderr=io.StringIO())
    assert "reading example-layer.zip" in terminal.getvalue()
    assert (code, shown) == (code_plain, plain)


@pytest.mark.parametrize("fmt", ["json", "sarif", "github"])
def test_no_bar_on_a_terminal_that_shows_a_machine_readable_report(no_delay, fmt):
    terminal = Terminal()
    code, out = run(str(EXAMPLE), "--format", fmt, stderr=terminal)
    assert terminal.getvalue() == ""
    if fmt != "github":
        json.loads(out)


def test_a_machine_readable_report_written_to_a_file_leaves_the_terminal_free(no_delay, tmp_path):
    terminal = Terminal()
    report = tmp_path / "report.sarif"
    run(str(EXAMPLE), "--format", "sarif", "--output", str(report), stderr=terminal)
    assert "reading example-layer.zip" in terminal.getvalue()
    assert json.loads(report.read_text())["version"] == "2.1.0"


def test_no_bar_in_a_pipe(no_delay):
    err = io.StringIO()
    run(str(EXAMPLE), stderr=err)
    assert err.getvalue() == ""


def test_inspect_shows_the_bar_in_text_only(no_delay):
    terminal = Terminal()
    main(["inspect", str(EXAMPLE), "--as-of", DAY, "--no-cache"], stdout=io.StringIO(), stderr=terminal)
    assert "reading example-layer.zip" in terminal.getvalue()
    terminal = Terminal()
    out = io.StringIO()
    main(["inspect", str(EXAMPLE), "--format", "json", "--as-of", DAY, "--no-cache"], stdout=out, stderr=terminal)
    assert terminal.getvalue() == ""
    json.loads(out.getvalue())
