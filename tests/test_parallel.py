"""The read shared with a forked child (parallel.py) finds exactly what a read in one process finds.

map_split gives [work(item) for item in items] whether the child takes its share, fails to start,
or dies half-way; and a layer's Scan (heads, metadata, ELF facts, errors, skips, byte counts,
even the order of each table) is the same read in parallel as member by member, for zips and
folders, with damaged and skipped members, and when the limits make the read sequential.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
from pathlib import Path

import pytest

from layer_lint import layer as layer_module
from layer_lint import parallel
from layer_lint.layer import Layer
from layer_lint.limits import Limits
from layer_lint.source import open_layer
from layers import EXEC_MODE, write_folder, write_zip
from native import binary, elf_names

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the read is shared only on Linux")


def slow_double(item: int) -> tuple[int, int]:
    time.sleep(0.0005)
    return item * 2, os.getpid()


def test_map_split_gives_every_result_in_order_and_both_processes_work():
    results = parallel.map_split(list(range(400)), slow_double, lambda: None)
    assert [value for value, _ in results] == [item * 2 for item in range(400)]
    assert len({pid for _, pid in results}) == 2  # the child took a share


def test_map_split_reports_how_far_both_processes_have_got():
    reports: list[tuple[int, int]] = []
    results = parallel.map_split(list(range(400)), slow_double, lambda: None, lambda front, back: reports.append((front, back)))
    assert [value for value, _ in results] == [item * 2 for item in range(400)]
    assert all(0 < front <= back <= 400 for front, back in reports)
    fronts = [front for front, _ in reports]
    assert fronts == list(range(1, len(fronts) + 1))  # one report per item read here
    backs = [back for _, back in reports]
    assert backs == sorted(backs, reverse=True) and backs[-1] < 400  # the child's share shows too


def test_a_child_that_fails_to_start_leaves_its_share_here():
    def fail() -> None:
        raise RuntimeError("no")

    results = parallel.map_split(list(range(50)), slow_double, fail)
    assert [value for value, _ in results] == [item * 2 for item in range(50)]
    assert {pid for _, pid in results} == {os.getpid()}


def test_a_child_that_dies_half_way_leaves_its_share_here():
    parent = os.getpid()

    def dies(item: int) -> int:
        if os.getpid() != parent and item == 150:
            os._exit(7)
        time.sleep(0.0005)
        return item * 2

    assert parallel.map_split(list(range(200)), dies, lambda: None) == [item * 2 for item in range(200)]


def mixed_manifest() -> dict:
    """Native code, scripts, metadata, plain files and empty ones, in a few hundred members."""
    manifest: dict = {}
    for index, name in enumerate(elf_names()):
        manifest[f"lib/elf{index}.so"] = binary(name)
    manifest["python/demo-1.0.dist-info/RECORD"] = "demo/__init__.py,,\n" + "".join(f"demo/m{i}.py,sha256=x,1\n" for i in range(100))
    manifest["python/demo-1.0.dist-info/WHEEL"] = "Wheel-Version: 1.0\nTag: py3-none-any\n"
    manifest["nodejs/node_modules/x/package.json"] = '{"name": "x", "version": "1.0.0", "os": ["linux"]}'
    manifest["bin/tool"] = ("#!/bin/sh\necho hi\n", EXEC_MODE)
    manifest["python/demo/__init__.py"] = ""
    for i in range(300):
        manifest[f"python/demo/m{i}.py"] = f"def f{i}():\n    return {i}\n" * (i % 7 + 1)
    return manifest


def scan_json(path: Path, shared: bool, monkeypatch, limits: Limits = Limits()) -> str:
    monkeypatch.setattr(layer_module, "PARALLEL_BYTES", 0 if shared else 1 << 62)
    monkeypatch.setattr(parallel, "usable", (lambda workload, threshold: workload >= threshold) if shared else (lambda *a: False))
    return json.dumps(Layer(str(path), open_layer(path), limits)._read_all().to_json())


def corrupt(path: Path, name: str) -> Path:
    """Flip a byte in the middle of one member's compressed data (an LL401 CRC or inflate error)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_a_shared_read_finds_what_a_read_in_order_finds(tmp_path, monkeypatch, kind):
    manifest = mixed_manifest()
    if kind == "zip":
        path = corrupt(write_zip(tmp_path / "layer.zip", manifest), "python/demo/m150.py")
    else:
        path = write_folder(tmp_path / "layer", manifest)
    shared = scan_json(path, True, monkeypatch)
    assert shared == scan_json(path, False, monkeypatch)
    found = json.loads(shared)
    assert len(found["elves"]) == len(elf_names()) and len(found["texts"]) == 3
    assert found["errors"] if kind == "zip" else not found["errors"]


def test_skipped_members_are_the_same_when_shared(tmp_path, monkeypatch):
    path = write_zip(tmp_path / "layer.zip", mixed_manifest())
    limits = Limits(member_bytes=4000)  # the bigger ELF files are bombs by this measure, and skipped
    shared = scan_json(path, True, monkeypatch, limits)
    assert shared == scan_json(path, False, monkeypatch, limits)
    assert json.loads(shared)["skipped"]


@pytest.mark.parametrize("bound", ["total", "metadata"])
def test_at_its_bounds_a_layer_is_read_in_order(tmp_path, monkeypatch, bound):
    """When the layer's total or its metadata could reach their bounds, what a member may keep
    depends on what the earlier reads really read: no plan, one member after the other."""
    path = corrupt(write_zip(tmp_path / "layer.zip", mixed_manifest()), "python/demo/m150.py")
    size = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    if bound == "total":
        limits = Limits(total_bytes=size - 1000)
    else:
        limits = Limits()
        monkeypatch.setattr(layer_module, "MAX_TEXT_TOTAL", 1000)  # the RECORD alone is over 2 KB
    layer = Layer(str(path), open_layer(path), limits)
    assert layer._plan() is None
    assert scan_json(path, True, monkeypatch, limits) == scan_json(path, False, monkeypatch, limits)
