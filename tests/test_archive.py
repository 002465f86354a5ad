"""Archive rules: LL401 corrupt-member, LL402 unsafe-path, LL406 duplicate-member, LL407 zip-bomb,
LL408 encrypted-member.

Every layer is a real zip built here: Python's zipfile with raw ZipInfo fields, Info-ZIP's `zip`,
and real zip bytes whose headers are then rewritten in place (sizes, CRCs, methods, names) the
way a broken tool, a bad download or an attacker would leave them. Nothing is mocked.
"""

from __future__ import annotations

import os
import shutil
import stat
import struct
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import AS_OF
from findings import lint, of, only
from layers import write_folder, write_zip, zip_tool

DAY = AS_OF.isoformat()
GIB = 1 << 30
MIB = 1 << 20

CLEAN = {
    "python/requests/__init__.py": "x = 1\n",
    "python/requests/api.py": "def get(url):\n    return url\n",
    "bin/tool": ("#!/bin/sh\necho hi\n", 0o755),
}
ARCHIVE_RULES = ("LL401", "LL402", "LL406", "LL407", "LL408")


# --- helpers ----------------------------------------------------------------------------------------------------


def member(name: str, mode: int = 0o644, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
    info.create_system = 3
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = method
    return info


def write_members(path: Path, members: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names, which some tests want
        with zipfile.ZipFile(path, "w") as archive:
            for info, data in members:
                archive.writestr(info, data)
    return path


@dataclass
class Headers:
    """Where one member's local and central directory headers sit in the zip's bytes."""

    local: int
    central: int
    name_length: int


def headers(data: bytes) -> list[Headers]:
    """Each member's header offsets, from the end record and the central directory."""
    eocd = data.rfind(b"PK\x05\x06")
    count, _, cd_offset = struct.unpack("<HII", data[eocd + 10 : eocd + 20])
    found, at = [], cd_offset
    for _ in range(count):
        assert data[at : at + 4] == b"PK\x01\x02"
        name_length, extra_length, comment_length = struct.unpack("<HHH", data[at + 28 : at + 34])
        (local,) = struct.unpack("<I", data[at + 42 : at + 46])
        found.append(Headers(local, at, name_length))
        at += 46 + name_length + extra_length + comment_length
    return found


# Field offsets in the local header (30 bytes) and the central directory header (46 bytes).
LOCAL = {"flags": 6, "method": 8, "crc": 14, "compressed": 18, "size": 22}
CENTRAL = {"flags": 8, "method": 10, "crc": 16, "compressed": 20, "size": 24, "external": 38}
FORMAT = {"flags": "<H", "method": "<H", "crc": "<I", "compressed": "<I", "size": "<I", "external": "<I"}


def patch(path: Path, index: int, *, local: bool = True, **fields: int) -> Path:
    """Rewrite header fields of member `index` in the central directory (and the local header)."""
    data = bytearray(path.read_bytes())
    where = headers(bytes(data))[index]
    for field, value in fields.items():
        struct.pack_into(FORMAT[field], data, where.central + CENTRAL[field], value)
        if local and field in LOCAL:
            struct.pack_into(FORMAT[field], data, where.local + LOCAL[field], value)
    path.write_bytes(bytes(data))
    return path


def data_offset(data: bytes, index: int) -> int:
    """Where member `index`'s compressed data starts."""
    local = headers(data)[index].local
    name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
    return local + 30 + name_length + extra_length


def flip_byte(path: Path, index: int, at: float = 0.5) -> Path:
    """Invert one byte of member `index`'s compressed data, `at` of the way through it."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        compressed = archive.infolist()[index].compress_size
    data[data_offset(bytes(data), index) + int(compressed * at)] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def index_of(path: Path, name: str) -> int:
    with zipfile.ZipFile(path) as archive:
        return [info.filename for info in archive.infolist()].index(name)


# --- LL401 corrupt-member ---------------------------------------------------------------------------------------


def test_ll401_silent_on_a_correct_layer(tmp_path, cli):
    code, findings = lint(cli, write_zip(tmp_path / "l.zip", CLEAN))
    assert code == 0 and findings == []


def test_ll401_flipped_byte_in_deflated_data_names_the_member_and_the_rest_is_still_checked(tmp_path, cli):
    six = "".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(2000))
    path = write_zip(tmp_path / "l.zip", {**CLEAN, "python/six.py": six, "bin/other": ("#!/bin/sh\n", 0o644)})
    flip_byte(path, index_of(path, "python/six.py"))
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL401")
    assert (finding["name"], finding["severity"], finding["path"]) == ("corrupt-member", "error", "python/six.py")
    assert "python/six.py" in finding["message"]
    assert finding["data"]["reason"] and finding["data"]["reason"] in finding["message"]
    assert finding["data"]["declared_bytes"] == len(six)
    # the other members were read and checked all the same
    assert [f["path"] for f in of(findings, "LL404")] == ["bin/other"]
    assert {f["code"] for f in findings} == {"LL401", "LL404"}


def test_ll401_flipped_byte_in_stored_data_is_a_crc_mismatch(tmp_path, cli):
    data = os.urandom(5000)
    path = write_members(tmp_path / "l.zip", [(member("python/blob.bin", method=zipfile.ZIP_STORED), data)])
    flip_byte(path, 0)
    _, findings = lint(cli, path)
    finding = only(findings, "LL401")
    assert finding["path"] == "python/blob.bin"
    assert "CRC-32" in finding["message"]
    assert f"{zipfile.crc32(data):08x}" in finding["message"]  # the checksum the directory records


def test_ll401_wrong_crc_in_the_headers(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {**CLEAN, "python/a.py": "a = 1\n"}, dirs=False)
    patch(path, index_of(path, "python/a.py"), crc=0x12345678)
    _, findings = lint(cli, path)
    finding = only(findings, "LL401")
    assert finding["path"] == "python/a.py"
    assert "CRC-32" in finding["message"] and "12345678" in finding["message"]
    assert finding["data"]["crc"] == "12345678"


def test_ll401_member_whose_data_ends_before_its_declared_size(tmp_path, cli):
    data = os.urandom(3000)
    path = write_members(tmp_path / "l.zip", [(member("python/blob.bin", method=zipfile.ZIP_STORED), data)])
    patch(path, 0, compressed=1000, local=False)  # the directory says only 1,000 bytes are stored
    _, findings = lint(cli, path)
    finding = only(findings, "LL401")
    assert finding["path"] == "python/blob.bin"
    assert "1,000" in finding["message"] and "3,000" in finding["message"]


def test_ll401_damaged_local_header(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {**CLEAN, "python/a.py": "a = 1\n"}, dirs=False)
    data = bytearray(path.read_bytes())
    local = headers(bytes(data))[index_of(path, "python/a.py")].local
    data[local : local + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    code, findings = lint(cli, path)
    finding = only(findings, "LL401")
    assert finding["path"] == "python/a.py"
    assert code == 1


def test_ll401_unsupported_compression_method(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {**CLEAN, "python/a.py": "a = 1\n"}, dirs=False)
    patch(path, index_of(path, "python/a.py"), method=9)  # deflate64: neither zipfile nor Lambda's unzip
    _, findings = lint(cli, path)
    finding = only(findings, "LL401")
    assert finding["path"] == "python/a.py"
    assert "9" in finding["message"] and "deflate64" in finding["message"]


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_ll401_every_method_zipfile_writes_is_verified_silently(tmp_path, cli, method):
    big = os.urandom(300_000) + b"\0" * 3 * MIB + os.urandom(300_000)  # several read pieces
    path = write_members(
        tmp_path / "l.zip",
        [(member("python/blob.bin", method=method), big), (member("python/a.py", method=method), b"a = 1\n")],
    )
    code, findings = lint(cli, path)
    assert code == 0 and findings == []


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_ll401_corrupt_data_in_every_method(tmp_path, cli, method):
    text = b"".join(b"line %d of a python module\n" % i for i in range(20000))
    path = write_members(tmp_path / "l.zip", [(member("python/mod.py", method=method), text), (member("python/ok.py"), b"ok = 1\n")])
    flip_byte(path, 0, at=0.3)
    _, findings = lint(cli, path)
    finding = only(findings, "LL401")
    assert finding["path"] == "python/mod.py"


def test_ll401_header_that_lies_about_the_size_is_not_decompressed_past_it(tmp_path, cli):
    """The headers declare 1,000 bytes, but the deflate stream holds 8 MiB: layer-lint stops at
    1,000 bytes, whose checksum is not the one recorded for the whole stream."""
    path = write_members(tmp_path / "l.zip", [(member("python/big.txt"), b"a" * 8 * MIB)])
    patch(path, 0, size=1000)
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL401")
    assert finding["path"] == "python/big.txt"
    assert "goes on past the 1,000 bytes the zip's directory declares" in finding["message"]
    assert finding["data"]["declared_bytes"] == 1000
    assert of(findings, "LL407") == []  # 1,000 declared bytes are no bomb; the lie is corruption


def test_ll401_no_verify_skips_the_crc_of_what_no_rule_reads(tmp_path, cli):
    data = os.urandom(3 * MIB)
    path = write_members(tmp_path / "l.zip", [(member("python/blob.bin", method=zipfile.ZIP_STORED), data)])
    flip_byte(path, 0, at=0.9)  # past the first piece, the only one --no-verify reads
    _, verified = lint(cli, path)
    assert only(verified, "LL401")["path"] == "python/blob.bin"
    code, unverified = lint(cli, path, "--no-verify")
    assert code == 0 and of(unverified, "LL401") == []


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data, cd: data[:cd] + b"XXXX" + data[cd + 4 :], id="central-directory-magic"),
        pytest.param(lambda data, cd: data[:cd] + data[cd + 46 :], id="central-directory-cut"),
    ],
)
def test_ll401_unreadable_central_directory_is_exit_2_and_one_line_not_a_finding(tmp_path, cli, damage):
    path = write_zip(tmp_path / "l.zip", CLEAN)
    data = path.read_bytes()
    path.write_bytes(damage(data, headers(data)[0].central))
    run = cli(path, "--as-of", DAY, "--format", "json")
    assert run.code == 2
    lines = run.err.splitlines()
    assert len(lines) == 1 and str(path) in lines[0]
    layer = run.json()["layers"][0]
    assert layer["error"] and layer["findings"] == []


# --- LL402 unsafe-path ------------------------------------------------------------------------------------------


UNSAFE = {
    "/etc/cron.d/x": "absolute",
    "../../evil.py": "'..'",
    "python/../../outside.py": "'..'",
    "python\\requests\\__init__.py": "backslash",
    "C:/layer/python/a.py": "drive letter",
    "python/bad\x01name.py": "control characters",
    "python/tab\tname.py": "control characters",
}


@pytest.mark.parametrize("name", UNSAFE, ids=lambda name: repr(name))
def test_ll402_unsafe_name_is_an_error_naming_it(tmp_path, cli, name):
    path = write_members(tmp_path / "l.zip", [(member("python/ok.py"), b"ok = 1\n"), (member(name), b"x = 1\n")])
    with zipfile.ZipFile(path) as archive:
        assert name in archive.namelist()  # stored as given, not cleaned up by zipfile
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL402")
    assert (finding["name"], finding["severity"], finding["path"]) == ("unsafe-path", "error", name)
    assert repr(name) in finding["message"]
    assert UNSAFE[name] in finding["message"]
    assert finding["data"]["member"] == name and finding["data"]["problems"]


def test_ll402_every_problem_of_one_name_is_listed(tmp_path, cli):
    name = "/abs\\..\\x.py"
    path = write_members(tmp_path / "l.zip", [(member(name), b"x")])
    _, findings = lint(cli, path)
    finding = only(findings, "LL402")
    assert len(finding["data"]["problems"]) == 3  # absolute, '..', backslashes
    assert "absolute" in finding["message"] and "'..'" in finding["message"] and "backslash" in finding["message"]


def test_ll402_nul_in_a_name(tmp_path, cli):
    """zipfile cuts a name at its first NUL (ZipInfo.filename) but keeps the stored name in
    ZipInfo.orig_filename, which LL402 reads: the NUL is found. zipfile cannot write such a name,
    so the zip's bytes are rewritten: 'X' becomes NUL in both headers."""
    path = write_members(tmp_path / "l.zip", [(member("python/aX.py.txt"), b"x = 1\n")])
    data = path.read_bytes()
    assert data.count(b"python/aX.py.txt") == 2
    path.write_bytes(data.replace(b"python/aX.py.txt", b"python/a\0.py.txt"))
    _, findings = lint(cli, path)
    finding = only(findings, "LL402")
    assert finding["path"] == "python/a\0.py.txt"
    assert "control characters" in finding["message"]


def test_ll402_silent_on_plain_names(tmp_path, cli):
    names = ["python/café.py", "python/with space.py", "python/..hidden/x.py", "python/a..b.py", "python/.dotfile"]
    path = write_members(tmp_path / "l.zip", [(member(name), b"x = 1\n") for name in names])
    _, findings = lint(cli, path)
    assert of(findings, "LL402") == []


def test_ll402_silent_on_a_zip_tool_layer(tmp_path, cli):
    _need_zip()
    folder = write_folder(tmp_path / "src", CLEAN)
    code, findings = lint(cli, zip_tool(tmp_path / "l.zip", folder))
    assert code == 0 and findings == []


# --- LL406 duplicate-member -------------------------------------------------------------------------------------


def test_ll406_same_name_twice_names_both_copies(tmp_path, cli):
    path = write_members(
        tmp_path / "l.zip",
        [
            (member("python/app/config.py"), b"DEBUG = False\n"),
            (member("python/app/other.py"), b"x = 1\n"),
            (member("python/app/config.py"), b"DEBUG = True  # appended later\n"),
        ],
    )
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL406")
    assert (finding["name"], finding["severity"], finding["path"]) == ("duplicate-member", "error", "python/app/config.py")
    assert "2 times" in finding["message"]
    assert "#1" in finding["message"] and "#3" in finding["message"]  # both copies, by position
    assert "14 bytes" in finding["message"] and "31 bytes" in finding["message"]
    assert [copy["index"] for copy in finding["data"]["copies"]] == [0, 2]


def test_ll406_appending_to_a_zip_makes_a_duplicate(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", CLEAN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(path, "a") as archive:
            archive.writestr(member("python/requests/api.py"), "def get(url):\n    return None\n")
    _, findings = lint(cli, path)
    assert [(f["path"], f["severity"]) for f in of(findings, "LL406")] == [("python/requests/api.py", "error")]


def test_ll406_three_copies(tmp_path, cli):
    path = write_members(tmp_path / "l.zip", [(member("python/a.py"), b"%d" % i) for i in range(3)])
    _, findings = lint(cli, path)
    assert "3 times" in only(findings, "LL406")["message"]


def test_ll406_names_differing_only_by_case_are_info(tmp_path, cli):
    path = write_members(tmp_path / "l.zip", [(member("python/Mod.py"), b"a"), (member("python/mod.py"), b"b")])
    code, findings = lint(cli, path)
    finding = only(findings, "LL406")
    assert finding["severity"] == "info"
    assert "'python/Mod.py'" in finding["message"] and "'python/mod.py'" in finding["message"]
    assert finding["data"]["members"] == ["python/Mod.py", "python/mod.py"]
    assert code == 0  # info does not fail the default --fail-on error


def test_ll406_names_differing_only_by_unicode_normalisation_are_info(tmp_path, cli):
    nfc = unicodedata.normalize("NFC", "python/café.py")
    nfd = unicodedata.normalize("NFD", "python/café.py")
    assert nfc != nfd
    path = write_members(tmp_path / "l.zip", [(member(nfc), b"a"), (member(nfd), b"b")])
    _, findings = lint(cli, path)
    finding = only(findings, "LL406")
    assert finding["severity"] == "info"
    assert sorted(finding["data"]["members"]) == sorted([nfc, nfd])


def test_ll406_silent_on_repeated_folder_entries_and_distinct_names(tmp_path, cli):
    folder = zipfile.ZipInfo("python/", date_time=(2024, 1, 1, 0, 0, 0))
    folder.create_system = 3
    folder.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
    path = write_members(
        tmp_path / "l.zip",
        [(folder, b""), (member("python/a.py"), b"a"), (folder, b""), (member("python/b.py"), b"b"), (member("python/ab.py"), b"c")],
    )
    _, findings = lint(cli, path)
    assert of(findings, "LL406") == []


# --- LL407 zip-bomb ---------------------------------------------------------------------------------------------


def test_ll407_member_over_max_member_bytes(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {**CLEAN, "python/data.bin": b"\1" * 5000})
    code, findings = lint(cli, path, "--max-member-bytes", "4000")
    assert code == 1
    finding = only(findings, "LL407")
    assert (finding["name"], finding["severity"], finding["path"]) == ("zip-bomb", "error", "python/data.bin")
    assert "5,000" in finding["message"] and "4,000" in finding["message"]
    assert finding["data"]["declared_bytes"] == 5000
    # the same layer is fine with the default limits
    assert of(lint(cli, path)[1], "LL407") == []


def test_ll407_member_declaring_over_1_gib_is_never_decompressed(tmp_path, cli):
    """The directory claims 1 GiB + 1 bytes for a 6-byte member: a bomb by declaration alone,
    and layer-lint does not read it (else the size lie would also show as LL401)."""
    path = write_members(tmp_path / "l.zip", [(member("python/bomb.bin", method=zipfile.ZIP_STORED), b"tiny!\n")])
    patch(path, 0, size=GIB + 1)
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL407")
    assert finding["path"] == "python/bomb.bin"
    assert f"{GIB + 1:,}" in finding["message"] and f"{GIB:,}" in finding["message"]
    assert of(findings, "LL401") == []


def test_ll407_ratio_over_1000_in_a_member_over_10_mib(tmp_path, cli):
    zeros = b"\0" * 20 * MIB  # bzip2 packs this into about 50 bytes
    path = write_members(tmp_path / "l.zip", [(member("python/zeros.bin", method=zipfile.ZIP_BZIP2), zeros)])
    with zipfile.ZipFile(path) as archive:
        compressed = archive.infolist()[0].compress_size
    _, findings = lint(cli, path)
    finding = only(findings, "LL407")
    assert finding["path"] == "python/zeros.bin"
    assert f"{compressed:,} -> {20 * MIB:,} bytes" in finding["message"]
    assert "1,000:1" in finding["message"] and f"{10 * MIB:,}" in finding["message"]
    assert finding["data"]["compressed_bytes"] == compressed
    # --max-ratio raises the limit, and then the member is read and verified
    code, findings = lint(cli, path, "--max-ratio", "10000000")
    assert code == 0 and findings == []


def test_ll407_ratio_does_not_count_for_small_members(tmp_path, cli):
    path = write_members(tmp_path / "l.zip", [(member("python/zeros.bin", method=zipfile.ZIP_BZIP2), b"\0" * 5 * MIB)])
    code, findings = lint(cli, path)
    assert code == 0 and findings == []


def test_ll407_total_over_max_total_bytes(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {f"python/m{i}.py": "x" * 1500 for i in range(3)})
    code, findings = lint(cli, path, "--max-total-bytes", "4000")
    assert code == 1
    finding = only(findings, "LL407")
    assert finding["path"] is None
    assert "4,500" in finding["message"] and "4,000" in finding["message"]
    assert finding["data"] == {"declared_bytes": 4500, "limit": 4000}


def test_ll407_total_over_4_gib_by_default(tmp_path, cli):
    """Five members that each declare 900 MiB (not a bomb alone: 900 MiB, ratio 900:1) but
    4.4 GiB in all; each really holds 1 MiB, so the size lie also shows as LL401."""
    members = [(member(f"python/part{i}.bin", method=zipfile.ZIP_STORED), os.urandom(MIB)) for i in range(5)]
    path = write_members(tmp_path / "l.zip", members)
    for index in range(5):
        patch(path, index, size=900 * MIB)
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL407")
    assert finding["path"] is None
    assert f"{5 * 900 * MIB:,}" in finding["message"] and f"{4 * GIB:,}" in finding["message"]
    truncated = of(findings, "LL401")
    assert truncated and all(f"{MIB:,} of the {900 * MIB:,} bytes" in f["message"] for f in truncated)


def test_ll407_silent_on_an_ordinary_layer(tmp_path, cli):
    path = write_zip(tmp_path / "l.zip", {**CLEAN, "python/data.bin": os.urandom(2 * MIB), "python/zeros.bin": b"\0" * MIB})
    code, findings = lint(cli, path)
    assert code == 0 and findings == []


# --- LL408 encrypted-member -------------------------------------------------------------------------------------


def _need_zip() -> None:
    if shutil.which("zip") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Info-ZIP `zip` is required in CI")
        pytest.skip("Info-ZIP `zip` is not installed")


def test_ll408_zip_with_a_password(tmp_path, cli):
    _need_zip()
    folder = write_folder(tmp_path / "src", CLEAN)
    path = zip_tool(tmp_path / "l.zip", folder, "-P", "secret")
    with zipfile.ZipFile(path) as archive:
        encrypted = sorted(info.filename for info in archive.infolist() if info.flag_bits & 0x1)
    assert encrypted == sorted(CLEAN)  # the files, not the folders
    code, findings = lint(cli, path)
    assert code == 1
    finding = only(findings, "LL408")
    assert (finding["name"], finding["severity"]) == ("encrypted-member", "error")
    assert finding["path"] is None  # more than one member
    assert "3 members are encrypted" in finding["message"]
    assert all(name in finding["message"] for name in CLEAN)
    assert sorted(finding["data"]["members"]) == encrypted and finding["data"]["count"] == 3
    assert of(findings, "LL401") == []  # encrypted members are not read, so not "corrupt"


def test_ll408_one_encrypted_member_is_named_as_the_path(tmp_path, cli):
    _need_zip()
    folder = write_folder(tmp_path / "src", {"python/secret.py": "KEY = 1\n"})
    path = zip_tool(tmp_path / "l.zip", folder, "-P", "secret")
    _, findings = lint(cli, path)
    finding = only(findings, "LL408")
    assert finding["path"] == "python/secret.py"
    assert "1 member is encrypted" in finding["message"]


def test_ll408_silent_without_a_password(tmp_path, cli):
    _need_zip()
    folder = write_folder(tmp_path / "src", CLEAN)
    code, findings = lint(cli, zip_tool(tmp_path / "l.zip", folder))
    assert code == 0 and findings == []


# --- all the archive rules at once ------------------------------------------------------------------------------


def test_archive_rules_silent_on_folders(tmp_path, cli):
    code, findings = lint(cli, write_folder(tmp_path / "layer", CLEAN))
    assert code == 0 and findings == []


def test_archive_rules_can_be_selected_alone(tmp_path, cli):
    path = write_members(tmp_path / "l.zip", [(member("../x.py"), b"x"), (member("python/a.py"), b"a"), (member("python/a.py"), b"b")])
    _, findings = lint(cli, path, "--select", "LL402")
    assert [f["code"] for f in findings] == ["LL402"]
    _, findings = lint(cli, path, "--select", "duplicate-member")
    assert [f["code"] for f in findings] == ["LL406"]


# --- too many members to list ---------------------------------------------------------------------------------


def _empty_members(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(count):
            archive.writestr(zipfile.ZipInfo(f"python/m{index}.py"), b"")
    return path


def test_a_zip_of_more_members_than_the_limit_is_not_listed(tmp_path, cli):
    path = _empty_members(tmp_path / "many.zip", 3000)
    result = cli(path, "--max-members", "2500", "--as-of", DAY)
    assert result.code == 2
    assert "the zip declares 3,000 members, more than the 2,500 layer-lint lists" in result.err and "--max-members" in result.err
    assert cli(path, "--max-members", "3000", "--as-of", DAY, "--format", "json").code in (0, 1)


def test_a_central_directory_that_lies_about_its_count_is_counted(tmp_path, cli):
    # The end record says 10 members; zipfile would list all 3,000 records anyway.
    path = _empty_members(tmp_path / "lies.zip", 3000)
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 10, 10)
    path.write_bytes(bytes(data))
    result = cli(path, "--max-members", "2500", "--as-of", DAY)
    assert result.code == 2 and "holds over 2,500 members in its central directory" in result.err


def test_a_folder_of_more_items_than_the_limit_is_not_listed(tmp_path, cli):
    folder = write_folder(tmp_path / "layer", {f"python/m{index}.py": "" for index in range(30)})
    result = cli(folder, "--max-members", "20", "--as-of", DAY)
    assert result.code == 2 and "the folder holds over 20 items" in result.err


def test_the_count_of_a_zip64_archive_is_read_from_its_zip64_end_record(tmp_path, cli):
    # Over 65,535 members: the classic end record says 0xFFFF and the zip64 one has the count.
    path = _empty_members(tmp_path / "zip64.zip", 70_000)
    assert path.read_bytes().rfind(b"PK\x06\x06") > 0
    result = cli(path, "--max-members", "65536", "--as-of", DAY)
    assert result.code == 2 and "declares 70,000 members" in result.err


def test_data_before_the_archive_does_not_hide_its_count(tmp_path, cli):
    # A self-extractor's stub before the zip: zipfile finds the members anyway, so the count must too.
    path = _empty_members(tmp_path / "many.zip", 3000)
    stubbed = tmp_path / "stubbed.zip"
    stubbed.write_bytes(b"#!/bin/sh\nexit 0\n" + path.read_bytes())
    result = cli(stubbed, "--max-members", "2500", "--as-of", DAY)
    assert result.code == 2 and "declares 3,000 members" in result.err


def test_a_damaged_zip64_end_record_is_an_unreadable_zip_not_a_crash(tmp_path, cli):
    path = _empty_members(tmp_path / "zip64.zip", 70_000)
    data = bytearray(path.read_bytes())
    record = data.rfind(b"PK\x06\x06")
    struct.pack_into("<QQ", data, record + 40, 2**63, 2**63)  # the directory's size and offset
    path.write_bytes(bytes(data))
    result = cli(path, "--as-of", DAY)
    assert result.code == 2 and "internal error" not in result.err


def test_ll401_a_member_whose_header_offset_points_before_the_file(tmp_path, cli):
    # The end record's directory offset made 100,000 too big: zipfile shifts every member's local
    # header that far back, before the start of the file.
    path = write_zip(tmp_path / "l.zip", {"python/a.py": "a = 1\n", "python/b.py": "b = 2\n"})
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    (offset,) = struct.unpack_from("<I", data, end + 16)
    struct.pack_into("<I", data, end + 16, offset + 100_000)
    path.write_bytes(bytes(data))
    code, findings = lint(cli, path)
    assert code == 1
    messages = [f["message"] for f in of(findings, "LL401")]
    assert messages and all("its header points outside the file" in message for message in messages)
