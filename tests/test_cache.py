"""The persistent cache: warm runs give exactly the cold run's report, and nothing stale survives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import AS_OF
from layers import EXEC_MODE, write_zip
from native import binary

from layer_lint.cache import CACHE_ENV, Cache, default_folder, file_key

DAY = AS_OF.isoformat()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


def _layer(tmp_path: Path) -> Path:
    """A layer with something for every kind of cached fact: native code, a script, wheel metadata."""
    return write_zip(
        tmp_path / "layer.zip",
        {
            "python/six.py": "x = 1\n",
            "python/six-1.16.0.dist-info/RECORD": "six.py,,6\n",
            "python/six-1.16.0.dist-info/WHEEL": "Wheel-Version: 1.0\nTag: py2-none-any\nTag: py3-none-any\n",
            "bin/tool": (b"#!/home/me/.venv/bin/python\nprint(1)\n", EXEC_MODE),
            "lib/libstatx.so": binary("x86_64/libstatx.so"),
        },
    )


def _report(cli_once, path: Path, *extra: str) -> dict:
    result = cli_once(path, "--as-of", DAY, "--format", "json", "--runtime", "python3.11", *extra)
    assert result.code in (0, 1), result.err
    return result.json()


def test_warm_run_gives_the_cold_report_and_reads_nothing(tmp_path, cache_dir, cli_once):
    path = _layer(tmp_path)
    cold = _report(cli_once, path)
    assert len(list(cache_dir.glob("*.json"))) == 1
    warm = _report(cli_once, path)
    assert warm == cold
    assert {f["code"] for f in cold["layers"][0]["findings"]} >= {"LL203", "LL409"}


def test_no_cache_neither_reads_nor_writes(tmp_path, cache_dir, cli_once):
    path = _layer(tmp_path)
    _report(cli_once, path, "--no-cache")
    assert not cache_dir.exists() or not list(cache_dir.glob("*.json"))


def test_zip_changed_in_place_is_read_again(tmp_path, cache_dir, cli_once):
    """Same names and sizes, different bytes (a corrupted member): the cold result, not the cached one."""
    path = _layer(tmp_path)
    clean = _report(cli_once, path)
    assert "LL401" not in {f["code"] for f in clean["layers"][0]["findings"]}
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("python/six.py")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    data[start + 1] ^= 0xFF  # inside the deflated data; the central directory (and its CRC) stay as they were
    path.write_bytes(bytes(data))
    corrupt = _report(cli_once, path)
    assert "LL401" in {f["code"] for f in corrupt["layers"][0]["findings"]}
    assert corrupt == _report(cli_once, path, "--no-cache")


def test_damaged_cache_entry_is_ignored_and_rewritten(tmp_path, cache_dir, cli_once):
    path = _layer(tmp_path)
    cold = _report(cli_once, path)
    (entry,) = cache_dir.glob("*.json")
    for damage in (b"{not json", b'{"format": 1, "scan": {"heads": 5}}', b""):
        entry.write_bytes(damage)
        assert _report(cli_once, path) == cold
        assert json.loads(entry.read_text())["scan"]["heads"]  # rewritten whole


def test_other_limits_are_other_entries(tmp_path, cache_dir, cli_once):
    path = _layer(tmp_path)
    _report(cli_once, path)
    _report(cli_once, path, "--no-verify")
    assert len(list(cache_dir.glob("*.json"))) == 2


def test_concurrent_runs_do_not_corrupt_the_cache(tmp_path, cache_dir):
    path = _layer(tmp_path)
    command = [sys.executable, "-m", "layer_lint", str(path), "--as-of", DAY, "--format", "json", "--runtime", "python3.11"]
    env = {**os.environ, CACHE_ENV: str(cache_dir)}
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) for _ in range(6)]
    outputs = [run.communicate()[0] for run in runs]
    assert {run.returncode for run in runs} == {1}
    assert len({output for output in outputs}) == 1
    (entry,) = cache_dir.glob("*.json")
    json.loads(entry.read_text())  # one whole entry, no partial writes left behind
    assert not list(cache_dir.glob(".tmp-*"))


def test_key_follows_the_bytes(tmp_path):
    first = tmp_path / "a.zip"
    first.write_bytes(b"PK" + b"a" * 100)
    key = file_key(first, "v1")
    assert key == file_key(first, "v1")
    assert key != file_key(first, "v2")
    first.write_bytes(b"PK" + b"b" * 100)
    assert key != file_key(first, "v1")
    assert file_key(tmp_path / "missing.zip", "v1") is None


def test_unwritable_cache_folder_is_not_an_error(tmp_path, cli_once, monkeypatch):
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    monkeypatch.setenv(CACHE_ENV, str(blocker / "cache"))
    assert default_folder() == blocker / "cache"
    Cache(blocker / "cache").store("k", {"scan": {}})  # silently skipped
    path = _layer(tmp_path)
    assert _report(cli_once, path)["layers"][0]["error"] is None


def test_the_cache_stays_under_its_size_and_keeps_what_was_used_last(tmp_path):
    folder = tmp_path / "cache"
    cache = Cache(folder, max_bytes=10_000)
    payload = {"scan": "x" * 1_000}  # about 1 kB an entry
    for index in range(8):
        cache.store(f"entry{index}", payload)
        os.utime(folder / f"entry{index}.json", (1_000_000 + index, 1_000_000 + index))  # written in this order
    assert cache.load("entry0") is not None  # used again: now the most recent
    assert len(list(folder.glob("*.json"))) == 8  # under the limit: nothing went
    for index in range(8, 11):
        cache.store(f"entry{index}", payload)
    kept = {path.stem for path in folder.glob("*.json")}
    assert sum(path.stat().st_size for path in folder.glob("*.json")) <= 10_000
    assert {"entry0", "entry8", "entry9", "entry10"} <= kept  # the one just used and those just written
    assert "entry1" not in kept  # the least recently used went first
    assert cache.load("entry10") == {**payload, "format": 1}


def test_temporary_files_of_dead_runs_are_cleared(tmp_path):
    folder = tmp_path / "cache"
    folder.mkdir()
    stale, fresh = folder / ".tmp-dead.json", folder / ".tmp-writing.json"
    stale.write_text("{")
    fresh.write_text("{")
    os.utime(stale, (1_000_000, 1_000_000))
    Cache(folder).store("key", {"scan": {}})
    assert not stale.exists() and fresh.exists()  # another run may be writing the fresh one now
