"""Bounded work: whatever a zip holds or claims, layer-lint's memory stays flat.

The CLI runs in a child process (python -m layer_lint), started by a small wrapper process
that reports the child's peak resident set size (resource.getrusage(RUSAGE_CHILDREN).ru_maxrss)
so that the measure covers that one run and nothing else pytest started. Wall-clock time is
never asserted; the test ends in seconds because the work is bounded.
"""

from __future__ import annotations

import bz2
import json
import resource
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import AS_OF

pytestmark = pytest.mark.slow

DAY = AS_OF.isoformat()
MIB = 1 << 20
GIB = 1 << 30
MAX_RSS_BYTES = 200 * 1000 * 1000  # 200 MB

_WRAPPER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr, "maxrss": peak}))
    """
)


def run_measured(*args: str) -> dict:
    """Run `python -m layer_lint ARGS` in a child; its exit code, output and peak RSS in bytes."""
    wrapper = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "layer_lint", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(wrapper.stdout)
    # ru_maxrss is in KiB on Linux and in bytes on macOS
    result["rss_bytes"] = result["maxrss"] if sys.platform == "darwin" else result["maxrss"] * 1024
    return result


def findings(result: dict) -> list[dict]:
    document = json.loads(result["out"])  # the output parses
    layer = document["layers"][0]
    assert layer["error"] is None
    return layer["findings"]


@pytest.fixture(scope="module")
def zeros_zip(tmp_path_factory) -> Path:
    """1 GiB of zeros in one deflated member (about 1 MB zipped), written in 1 MiB pieces
    so that building it takes no memory either."""
    path = tmp_path_factory.mktemp("bounds") / "zeros.zip"
    chunk = bytes(MIB)
    info = zipfile.ZipInfo("python/zeros.bin", date_time=(2024, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open(info, "w", force_zip64=True) as stream:
            for _ in range(GIB // MIB):
                stream.write(chunk)
    return path


def test_a_gib_of_zeros_is_a_bomb_and_costs_no_memory(zeros_zip):
    assert zeros_zip.stat().st_size < 2 * MIB
    result = run_measured(str(zeros_zip), "--as-of", DAY, "--format", "json")
    assert result["code"] == 1, result["err"]
    bombs = [f for f in findings(result) if f["code"] == "LL407"]
    assert [f["path"] for f in bombs] == ["python/zeros.bin"]
    assert f"{GIB:,} bytes" in bombs[0]["message"]  # deflate's best is about 1,030:1
    assert result["rss_bytes"] < MAX_RSS_BYTES, f"peak RSS {result['rss_bytes']:,} bytes"


def test_a_gib_of_zeros_read_to_the_end_costs_no_memory(zeros_zip):
    """With the limits raised, the whole GiB is decompressed and its CRC checked, piece by piece.
    Only the archive and file rules run: 1 GiB is rightly over Lambda's size limit (LL3xx)."""
    result = run_measured(
        str(zeros_zip), "--as-of", DAY, "--format", "json", "--runtime", "python3.12", "--select", "LL4",
        "--max-member-bytes", str(2 * GIB), "--max-ratio", "1000000",
    )  # fmt: skip
    assert result["code"] == 0, result["err"]
    assert findings(result) == []  # no LL407, and no LL401: all 1 GiB was read and matched its CRC
    assert json.loads(result["out"])["layers"][0]["unzipped_bytes"] == GIB
    assert result["rss_bytes"] < MAX_RSS_BYTES, f"peak RSS {result['rss_bytes']:,} bytes"


def _lying_bzip2_zip(path: Path, expands_to: int, declared: int) -> Path:
    """A bzip2 member whose headers declare `declared` bytes while its few hundred bytes of
    compressed data expand to `expands_to` bytes of zeros; the CRC is that of all the zeros."""
    compressor = bz2.BZ2Compressor(9)
    chunk = bytes(MIB)
    stream = b"".join([compressor.compress(chunk) for _ in range(expands_to // MIB)] + [compressor.flush()])
    crc = 0
    for _ in range(expands_to // MIB):
        crc = zlib.crc32(chunk, crc)
    info = zipfile.ZipInfo("python/lie.bin", date_time=(2024, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(info, stream)  # stored; the method, sizes and CRC are rewritten below
    data = bytearray(path.read_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    for at, method, crc_at, size_at in ((local, 8, 14, 22), (central, 10, 16, 24)):
        struct.pack_into("<H", data, at + method, zipfile.ZIP_BZIP2)
        struct.pack_into("<I", data, at + crc_at, crc)
        struct.pack_into("<I", data, at + size_at, declared)
    path.write_bytes(bytes(data))
    return path


def test_a_header_that_lies_about_the_size_is_not_decompressed_past_it(tmp_path):
    """256 MiB of zeros behind a header that declares 4,096 bytes: zipfile's own bzip2 reader
    would expand the whole compressed piece at once; layer-lint stops at 4,096 bytes and one more,
    which says the declared size is wrong (LL401)."""
    path = _lying_bzip2_zip(tmp_path / "lie.zip", expands_to=256 * MIB, declared=4096)
    assert path.stat().st_size < 4096
    result = run_measured(str(path), "--as-of", DAY, "--format", "json", "--runtime", "python3.12", "--select", "LL4")
    assert result["code"] == 1, result["err"]
    hits = [(f["code"], f["path"]) for f in findings(result)]
    assert hits == [("LL401", "python/lie.bin")]
    assert "goes on past the 4,096 bytes the zip's directory declares" in findings(result)[0]["message"]
    assert result["rss_bytes"] < MAX_RSS_BYTES, f"peak RSS {result['rss_bytes']:,} bytes"


def test_the_measure_sees_a_child_that_uses_memory():
    """The RSS measure is real: a child that allocates 300 MB is seen as such."""
    wrapper = subprocess.run(
        [sys.executable, "-c", _WRAPPER, sys.executable, "-c", "x = bytearray(300 * 1000 * 1000); x[::4096] = b'1' * len(x[::4096])"],
        capture_output=True,
        text=True,
        check=True,
    )
    peak = json.loads(wrapper.stdout)["maxrss"]
    assert (peak if sys.platform == "darwin" else peak * 1024) > 300 * 1000 * 1000


def test_resource_module_reports_kib_on_linux():
    if not sys.platform.startswith("linux"):
        pytest.skip("ru_maxrss units are checked on Linux only")
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 64 * 1024 * 1024  # KiB: under 64 GiB
