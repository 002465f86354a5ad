"""The cache key's digest: hashed through a memory map in slices, or in a background thread
started before the zip is listed, it is the SHA-256 of the file's bytes all the same."""

from __future__ import annotations

import hashlib
import threading

import pytest

from layer_lint import cache
from layer_lint.cache import Cache, file_digest, file_key


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 2500, 3000])
def test_digest_is_the_sha256_of_the_bytes_whatever_the_pieces(tmp_path, monkeypatch, size):
    monkeypatch.setattr(cache, "_HASH_CHUNK", 1000)
    data = bytes(range(256)) * (size // 256 + 1)
    path = tmp_path / "layer.zip"
    path.write_bytes(data[:size])
    assert file_digest(path) == hashlib.sha256(data[:size]).digest()


def test_a_prefetched_key_is_the_key(tmp_path):
    path = tmp_path / "layer.zip"
    path.write_bytes(b"PK" * 100_000)
    store = Cache(tmp_path / "cache")
    store.prefetch(path)
    assert store.key(path, "v1", "limits") == file_key(path, "v1", "limits")
    assert store.key(path, "v2", "limits") != file_key(path, "v1", "limits")  # the context counts, prefetched or not


def test_nothing_to_prefetch_for_a_folder_or_a_missing_file(tmp_path):
    store = Cache(tmp_path / "cache")
    store.prefetch(tmp_path)
    store.prefetch(tmp_path / "missing.zip")
    assert not store._pending
    assert store.key(tmp_path / "missing.zip", "v1") is None


def test_a_discarded_prefetch_stops_its_thread(tmp_path):
    path = tmp_path / "layer.zip"
    path.write_bytes(bytes(1 << 20))
    store = Cache(tmp_path / "cache")
    store.prefetch(path)
    store.discard(path)
    assert not store._pending and threading.active_count() == 1


def test_a_stopped_digest_is_none(tmp_path):
    path = tmp_path / "layer.zip"
    path.write_bytes(b"x")
    stop = threading.Event()
    stop.set()
    assert file_digest(path, stop) is None
