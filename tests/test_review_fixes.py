"""Regressions found in review: hostile metadata, configuration and folders end in findings or
exit 2, never in exit 3 or a hang, and member names never reach the terminal raw."""

from __future__ import annotations

import io
import os
import threading

from conftest import AS_OF
from layers import EXEC_MODE, write_folder, write_zip
from native import binary

from layer_lint import lint
from layer_lint.render.text import console, render_report

DAY = AS_OF.isoformat()


def test_unparsable_manylinux_tag_is_no_crash(tmp_path):
    path = write_zip(
        tmp_path / "layer.zip",
        {
            "python/x-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: cp312-cp312-manylinux_2_x_x86_64\n",
            "python/x/__init__.py": "",
        },
    )
    report = lint(path, targets=["python3.12/x86_64"], as_of=AS_OF)
    assert "LL000" not in {f.code for f in report.findings}
    assert report.exit_code() != 3


def test_bad_glob_in_configuration_is_a_usage_error(tmp_path, cli, monkeypatch):
    layer = write_zip(tmp_path / "layer.zip", {"python/x.py": ""})
    (tmp_path / "pyproject.toml").write_text('[[tool.layer-lint.layer]]\npath = "[z-a].zip"\nruntimes = ["python3.12"]\n')
    monkeypatch.chdir(tmp_path)
    result = cli(layer, "--as-of", DAY)
    assert result.code == 2
    assert "pyproject.toml" in result.err and "[z-a].zip" in result.err and "not a valid glob" in result.err


def test_fifo_in_a_layer_folder_does_not_block(tmp_path):
    folder = write_folder(tmp_path / "layer", {"python/x.py": "x = 1\n"})
    os.mkfifo(folder / "python" / "pipe.py")
    done: list = []
    worker = threading.Thread(target=lambda: done.append(lint(folder, targets=["python3.12/x86_64"], as_of=AS_OF)), daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert done, "linting a folder with a FIFO blocked"
    assert "LL000" not in {f.code for f in done[0].findings}
    assert [(f.code, f.path) for f in done[0].findings if f.code == "LL401"] == [("LL401", "python/pipe.py")]


def test_member_names_cannot_send_terminal_escapes(tmp_path):
    evil = "bin/\x1b[31mEVIL"
    path = write_zip(tmp_path / "layer.zip", {evil: (binary("x86_64/hello-old"), EXEC_MODE)})
    report = lint(path, as_of=AS_OF)
    stream = io.StringIO()
    render_report(report, console(stream, color=False), 262144000)
    assert "\x1b" not in stream.getvalue()


def test_metadata_kept_from_one_layer_is_bounded(tmp_path):
    import zipfile

    from layer_lint.layer import MAX_TEXT_TOTAL, Layer
    from layer_lint.source import open_layer

    manifest = b'{"name": "x", "version": "1.0.0", "description": "' + b"padding " * (1 << 17) + b'"}'
    path = tmp_path / "layer.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for number in range(100):
            archive.writestr(f"nodejs/node_modules/p{number}/package.json", manifest)
    source = open_layer(path)
    try:
        scan = Layer(str(path), source).scan
    finally:
        source.close()
    assert 100 * len(manifest) > MAX_TEXT_TOTAL >= scan.text_bytes == sum(len(text) for text in scan.texts.values())
    assert len(scan.texts) == MAX_TEXT_TOTAL // min(len(manifest), 1 << 20)  # each manifest kept up to 1 MiB
