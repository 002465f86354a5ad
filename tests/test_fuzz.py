"""Fuzzing the zip reader: damaged, truncated and hostile layer zips never crash layer-lint.

Real layer zips (every compression method zipfile writes, zip64, symlinks, folders, the
README's example layer, and Info-ZIP's `zip -P` when it is installed) are mutated by
hypothesis: flipped and overwritten bytes, truncations, inserted and deleted bytes, changed
fields of the local and central headers (versions, flags, methods, CRCs, sizes, name and extra
lengths, offsets) and zips built from scratch with random member names, modes and flags.

Every run must end with exit 0, 1 or 2, a JSON report that parses, and on exit 2 one line on
stderr; never exit 3, an LL000 (internal-error) finding, or an uncaught exception.

The CLI runs in-process (layer_lint.cli.main) for speed. 200 examples per test by default;
set LAYER_LINT_FUZZ_EXAMPLES (e.g. LAYER_LINT_FUZZ_EXAMPLES=20000) to fuzz longer.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import struct
import subprocess
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layer_lint.cli import main

from conftest import AS_OF
from layers import write_folder

DAY = AS_OF.isoformat()
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("LAYER_LINT_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- seed layers ------------------------------------------------------------------------------------------------


def _info(name: str, mode: int = 0o644, method: int = zipfile.ZIP_DEFLATED, kind: int = stat.S_IFREG) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (kind | mode) << 16
    info.compress_type = method
    return info


def _layer_zip(method: int) -> bytes:
    module = b"".join(b"def f%d(x):\n    return x + %d\n" % (i, i) for i in range(300))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(_info("python/", 0o755, zipfile.ZIP_STORED, stat.S_IFDIR), b"")
        archive.writestr(_info("python/pkg/__init__.py", method=method), b"")
        archive.writestr(_info("python/pkg/mod.py", method=method), module)
        archive.writestr(_info("python/pkg/data.bin", method=method), bytes(range(256)) * 40)
        archive.writestr(_info("bin/tool", 0o755, method), b"#!/bin/sh\nexec python3 -m pkg\n")
        archive.writestr(_info("bootstrap", 0o755, method), b"#!/bin/sh\r\necho hi\r\n")
        archive.writestr(_info("lib/libz.so", 0o777, zipfile.ZIP_STORED, stat.S_IFLNK), b"libz.so.1")
        archive.writestr(_info("lib/libz.so.1", method=method), b"\x7fELF\x02\x01\x01" + bytes(57))
    return buffer.getvalue()


def _zip64_layer() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(_info("python/big.bin"), "w", force_zip64=True) as stream:
            stream.write(b"\0" * 70_000)
        archive.writestr(_info("python/a.py"), b"a = 1\n")
    return buffer.getvalue()


def _seeds(folder: Path) -> list[bytes]:
    seeds = [_layer_zip(method) for method in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)]
    seeds.append(_zip64_layer())
    seeds.append((ROOT / "fixtures" / "example-layer.zip").read_bytes())
    if shutil.which("zip"):
        source = write_folder(folder / "src", {"python/a.py": "a = 1\n", "bin/tool": ("#!/bin/sh\n", 0o755)})
        os.symlink("a.py", source / "python" / "b.py")
        for name, args in (("plain.zip", ["-y"]), ("secret.zip", ["-y", "-P", "secret"])):
            subprocess.run(["zip", "-q", "-r", *args, str(folder / name), "."], cwd=source, check=True)
            seeds.append((folder / name).read_bytes())
    return seeds


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> list[bytes]:
    return _seeds(tmp_path_factory.mktemp("seeds"))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- running the CLI and checking the contract --------------------------------------------------------------------


def assert_survives(path: Path, *extra: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main([str(path), "--as-of", DAY, "--format", "json", *extra], stdout=out, stderr=err)
    assert code in (0, 1, 2), f"exit {code}: {err.getvalue()}"
    assert "Traceback" not in err.getvalue()
    document = json.loads(out.getvalue())
    layer = document["layers"][0]
    codes = [finding["code"] for finding in layer["findings"]]
    assert "LL000" not in codes, [f["message"] for f in layer["findings"] if f["code"] == "LL000"]
    if code == 2:
        lines = err.getvalue().splitlines()
        assert len(lines) == 1 and str(path) in lines[0], err.getvalue()
        assert layer["error"] and codes == []
    else:
        assert err.getvalue() == "" and layer["error"] is None


def write(workdir: Path, data: bytes) -> Path:
    path = workdir / "fuzzed.zip"
    path.write_bytes(data)
    return path


FLAGS = st.sampled_from([(), ("--no-verify",), ("--runtime", "python3.12"), ("--max-member-bytes", "5000", "--max-total-bytes", "20000")])


# --- mutations of real zips ---------------------------------------------------------------------------------------


def _headers(data: bytes) -> list[tuple[int, int]]:
    """(central header offset, local header offset) of each member, as far as the bytes allow."""
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0 or eocd + 22 > len(data):
        return []
    count, _, cd_offset = struct.unpack("<HII", data[eocd + 10 : eocd + 20])
    found, at = [], cd_offset
    for _ in range(count):
        if data[at : at + 4] != b"PK\x01\x02" or at + 46 > len(data):
            break
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[at + 28 : at + 34])
        (local,) = struct.unpack("<I", data[at + 42 : at + 46])
        found.append((at, local))
        at += 46 + name_length + extra_length + comment_length
    return found


# (offset, struct format) of the fields in a central directory header and in a local header
CENTRAL_FIELDS = [(4, "<H"), (6, "<H"), (8, "<H"), (10, "<H"), (16, "<I"), (20, "<I"), (24, "<I"), (28, "<H"), (30, "<H"), (32, "<H"), (38, "<I"), (42, "<I")]
LOCAL_FIELDS = [(4, "<H"), (6, "<H"), (8, "<H"), (14, "<I"), (18, "<I"), (22, "<I"), (26, "<H"), (28, "<H")]
END_FIELDS = [(8, "<H"), (10, "<H"), (12, "<I"), (16, "<I"), (20, "<H")]

INTERESTING = st.one_of(
    st.sampled_from([0, 1, 2, 8, 9, 12, 14, 20, 45, 63, 64, 99, 0x7F, 0x80, 0xFF, 0x800, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0xFFFFFFFF]),
    st.integers(min_value=0, max_value=0xFFFFFFFF),
)


@st.composite
def header_changes(draw, data: bytes) -> bytes:
    data = bytearray(data)
    members = _headers(bytes(data))
    eocd = bytes(data).rfind(b"PK\x05\x06")
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        where = draw(st.sampled_from(["central", "local", "end"] if members else ["end"]))
        if where == "end":
            base, fields = eocd, END_FIELDS
        else:
            central, local = draw(st.sampled_from(members))
            base, fields = (central, CENTRAL_FIELDS) if where == "central" else (local, LOCAL_FIELDS)
        offset, fmt = draw(st.sampled_from(fields))
        if base < 0 or base + offset + struct.calcsize(fmt) > len(data):
            continue
        value = draw(INTERESTING) & (0xFFFF if fmt == "<H" else 0xFFFFFFFF)
        struct.pack_into(fmt, data, base + offset, value)
    return bytes(data)


@st.composite
def byte_changes(draw, data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        if not data:
            break
        at = draw(st.integers(min_value=0, max_value=len(data) - 1))
        how = draw(st.sampled_from(["flip", "set", "insert", "delete"]))
        if how == "flip":
            data[at] ^= draw(st.integers(min_value=1, max_value=255))
        elif how == "set":
            data[at : at + 4] = draw(st.binary(min_size=1, max_size=4))
        elif how == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(min_value=1, max_value=64))]
    return bytes(data)


@st.composite
def truncation(draw, data: bytes) -> bytes:
    if draw(st.booleans()):
        return data[: draw(st.integers(min_value=0, max_value=len(data)))]
    return data[draw(st.integers(min_value=0, max_value=len(data))) :]  # cut from the front: offsets go wrong


@st.composite
def mutated(draw, seeds: list[bytes]) -> bytes:
    data = draw(st.sampled_from(seeds))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        change = draw(st.sampled_from([header_changes, header_changes, byte_changes, truncation]))
        data = draw(change(data))
    return data


def test_fuzz_mutated_real_zips(seeds, workdir):
    @FUZZ
    @given(data=st.data())
    def run(data):
        zipped = data.draw(mutated(seeds), label="zip")
        assert_survives(write(workdir, zipped), *data.draw(FLAGS, label="flags"))

    run()


# --- zips built from random members -------------------------------------------------------------------------------

NAMES = st.one_of(
    st.text(min_size=0, max_size=40),
    st.text(alphabet="ab./\\:\x00\x01\n\r\t .._-~é\u0301Å", min_size=0, max_size=30),
    st.sampled_from(["/", "//", ".", "..", "../", "./a", "a/../../b", "C:", "c:\\x", "bin/", "bin", "bootstrap", "python/", "a" * 300]),
)
MEMBER = st.fixed_dictionaries(
    {
        "name": NAMES,
        "content": st.one_of(
            st.binary(max_size=300),
            st.sampled_from([b"#!/bin/sh\r\n", b"#!/opt/bin/x\n", b"#!", b"\x7fELF", b"\x7fELF\x02\x01\x01" + bytes(60), b"../../etc/passwd", b"/opt/x"]),
        ),
        "system": st.sampled_from([0, 3, 3, 3, 11, 19]),
        "mode": st.sampled_from([0, 0o644, 0o755, 0o600, 0o777, 0o4755]),
        "kind": st.sampled_from([stat.S_IFREG, stat.S_IFREG, stat.S_IFDIR, stat.S_IFLNK, stat.S_IFIFO, 0]),
        "method": st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]),
        "flags": st.sampled_from([0, 0x1, 0x8, 0x800, 0x20, 0x40]),
    }
)


def _build(members: list[dict]) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are part of the game
        with zipfile.ZipFile(buffer, "w") as archive:
            for spec in members:
                info = zipfile.ZipInfo(spec["name"] or "x", date_time=(2024, 1, 1, 0, 0, 0))
                info.create_system = spec["system"]
                info.external_attr = (spec["kind"] | spec["mode"]) << 16
                info.compress_type = spec["method"]
                archive.writestr(info, spec["content"])
    data = bytearray(buffer.getvalue())
    # Flag bits (encrypted, data descriptor, patched data, strong encryption) are set afterwards
    # in both headers: zipfile would refuse to write some of them, or write their side data.
    for (central, local), spec in zip(_headers(bytes(data)), members):
        for at in (central + 8, local + 6):
            (flags,) = struct.unpack_from("<H", data, at)
            struct.pack_into("<H", data, at, flags | spec["flags"])
    return bytes(data)


def test_fuzz_random_members(workdir):
    @FUZZ
    @given(members=st.lists(MEMBER, min_size=1, max_size=6), flags=FLAGS)
    def run(members, flags):
        assert_survives(write(workdir, _build(members)), *flags)

    run()


def test_fuzz_seeds_themselves_are_fine(seeds, workdir):
    """The unmutated seeds are readable layers (so the mutations start from real zips)."""
    for data in seeds:
        out, err = io.StringIO(), io.StringIO()
        code = main([str(write(workdir, data)), "--as-of", DAY, "--format", "json"], stdout=out, stderr=err)
        assert code in (0, 1), err.getvalue()
        assert json.loads(out.getvalue())["layers"][0]["error"] is None
