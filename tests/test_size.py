"""Size rules LL301-LL303 and LL306, the per-layer size breakdown, and where the numbers come from.

Every layer is a real zip or folder built at test time. The big ones (50 MB and 250 MB) hold
STORED members written in 1 MiB pieces of one pseudo-random block, so nothing is compressed and
there are no runs of zeros; each is written once per module and marked slow (CI still runs it).
Limits come from data/runtimes.json "quotas": 262,144,000 unzipped bytes ("must be smaller
than"), a 52,428,800-byte zip for direct uploads ("larger than" is over). The date is pinned.
"""

from __future__ import annotations

import io
import os
import random
import re
import shutil
import stat
import struct
import subprocess
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import IO, Iterator, Mapping, Optional, Sequence, Union

import pytest
from jsonschema import Draft202012Validator

from conftest import AS_OF
from coldwarm import run
from layer_lint.engine import Options
from layer_lint.layer import Layer
from layer_lint.limits import Limits
from layer_lint.report import STACK, Finding, LayerReport, Report
from layer_lint.source import open_layer
from layer_lint.targets import TargetRequest
from layers import EXEC_MODE, Manifest, build, write_folder, write_zip, zip_tool

DAY = AS_OF.isoformat()
LIMIT = 262_144_000  # quotas.unzipped_bytes
ZIP_LIMIT = 52_428_800  # quotas.direct_upload_zipped_bytes
SITE = "python/lib/python3.12/site-packages"
MiB = 1 << 20
# 2**-10 of the limit is exactly 256,000 bytes, with no float rounding.
SHARE = 2**-10
THRESHOLD = 256_000

IN_CI = os.environ.get("CI") == "true"

# --- building zips ------------------------------------------------------------------------------

# One incompressible MiB, repeated: STORED members are not compressed, so this costs nothing,
# and no test ever writes long runs of zeros.
BLOCK = random.Random(302).randbytes(MiB)

Body = Union[bytes, int]  # the content, or that many pseudo-random bytes


def write_stored(target: Union[Path, IO[bytes]], members: Mapping[str, Body]) -> None:
    """A zip of STORED members, each written through ZipFile.open(..., force_zip64=True) in
    1 MiB pieces, so every member has the same header layout whatever its size."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as archive:
        for name, body in members.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            info.compress_type = zipfile.ZIP_STORED
            with archive.open(info, "w", force_zip64=True) as out:
                if isinstance(body, bytes):
                    out.write(body)
                    continue
                left = body
                while left:
                    piece = BLOCK if left >= MiB else BLOCK[:left]
                    out.write(piece)
                    left -= len(piece)


def declared(members: Mapping[str, Body]) -> int:
    return sum(body if isinstance(body, int) else len(body) for body in members.values())


def zip_overhead(members: Mapping[str, Body]) -> int:
    """The bytes of a zip of `members` that are not member data: the same zip written with
    every member empty. Headers of STORED members do not depend on the data's size below 4 GiB
    (no data descriptors on a seekable file, zip64 extras only in local headers), so
    file size = overhead + declared size, exactly; the tests check it."""
    skeleton = io.BytesIO()
    write_stored(skeleton, {name: b"" for name in members})
    return len(skeleton.getvalue())


def write_exact_zip(path: Path, members: Mapping[str, Body], pad: str, file_size: int) -> Path:
    """A zip whose file is exactly `file_size` bytes: member `pad` takes up what is left."""
    fixed = {name: body for name, body in members.items() if name != pad}
    sizes = {**fixed, pad: file_size - zip_overhead({**fixed, pad: 0}) - declared(fixed)}
    write_stored(path, sizes)
    assert os.path.getsize(path) == file_size
    return path


def record(dist: str, *paths: str) -> str:
    return "".join(f"{path},sha256=AAAA,1\n" for path in paths) + f"{dist}.dist-info/RECORD,,\n"


HEAVY_BYTES = 150_000_000


def heavy_layer(total: int) -> dict[str, Body]:
    """A python3.12 layer of exactly `total` unzipped bytes: the distribution heavy 2.0.1 (with a
    RECORD) holding 150,000,000 bytes of weights, and a package with no metadata taking the rest."""
    small: dict[str, Body] = {
        f"{SITE}/heavy/__init__.py": b"from .core import load\n",
        f"{SITE}/heavy/core.py": b"def load():\n    return open(__file__).read()\n",
        f"{SITE}/heavy-2.0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: heavy\nVersion: 2.0.1\n",
        f"{SITE}/heavy-2.0.1.dist-info/RECORD": record(
            "heavy-2.0.1", "heavy/__init__.py", "heavy/core.py", "heavy/weights.bin", "heavy-2.0.1.dist-info/METADATA"
        ).encode(),
        f"{SITE}/bulky/__init__.py": b"DATA = 'data.bin'\n",
    }
    members = {**small, f"{SITE}/heavy/weights.bin": HEAVY_BYTES}
    members[f"{SITE}/bulky/data.bin"] = total - declared(members)
    assert declared(members) == total
    return members


def heavy_bytes(members: Mapping[str, Body]) -> int:
    return declared({name: body for name, body in members.items() if "/heavy" in name})


# --- running ------------------------------------------------------------------------------------


def lint(
    *paths: Union[Path, str],
    verify: bool = False,
    select: Sequence[str] = ("LL3",),
    stack: bool = False,
    function: Optional[Path] = None,
    near_limit: float = 0.8,
    runtimes: Sequence[str] = ("python3.12",),
) -> Report:
    """The engine as the CLI calls it. verify=False is --no-verify: the size rules need only
    the central directory and the metadata files, so the big tests stay fast."""
    options = Options(
        request=TargetRequest(tuple(runtimes)),
        as_of=AS_OF,
        select=tuple(select),
        limits=Limits(verify=verify),
        stack=stack,
        function=str(function) if function is not None else None,
        near_limit=near_limit,
    )
    report = run([str(path) for path in paths], options)
    assert not [f for f in report.findings if f.code == "LL000"], "a rule crashed"
    assert all(layer.error is None for layer in report.layers), [layer.error for layer in report.layers]
    return report


def codes(findings: Sequence[Finding]) -> list[str]:
    return sorted(f.code for f in findings)


def only(findings: Sequence[Finding], code: str) -> Finding:
    found = [f for f in findings if f.code == code]
    assert len(found) == 1, [(f.code, f.path, f.message) for f in findings]
    return found[0]


def one_layer(path: Union[Path, str], **options) -> LayerReport:
    report = lint(path, **options)
    assert report.stack is None
    return report.layers[0]


def validate(document: dict, schema: dict) -> None:
    errors = sorted(Draft202012Validator(schema).iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


_UNZIP_TOTAL = re.compile(r"^(\d+) files?, (\d+) bytes uncompressed", re.MULTILINE)


def unzip_total(path: Path) -> int:
    """The unzipped byte count `unzip -Zt` prints ("3 files, 1234 bytes uncompressed, ...")."""
    if shutil.which("unzip") is None:
        if IN_CI:
            pytest.fail("unzip is missing (CI=true: the comparison with unzip -Zt must run)")
        pytest.skip("unzip is not installed")
    output = subprocess.run(["unzip", "-Zt", str(path)], capture_output=True, text=True, check=True).stdout
    match = _UNZIP_TOTAL.search(output)
    assert match, output
    return int(match.group(2))


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        if IN_CI:
            pytest.fail(f"{tool} is missing (CI=true)")
        pytest.skip(f"{tool} is not installed")


# --- the big zips, once per module --------------------------------------------------------------


@pytest.fixture(scope="module")
def unzipped_limit(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Two 250 MB layers: exactly at the unzipped limit, and one byte under it."""
    root = tmp_path_factory.mktemp("unzipped-limit")
    at_members, under_members = heavy_layer(LIMIT), heavy_layer(LIMIT - 1)
    write_stored(root / "at.zip", at_members)
    write_stored(root / "under.zip", under_members)
    yield SimpleNamespace(at=root / "at.zip", under=root / "under.zip", heavy=heavy_bytes(at_members), root=root)
    shutil.rmtree(root)  # pytest keeps the last runs' temporary folders: not 500 MB of them


@pytest.fixture(scope="module")
def zipped_limit(tmp_path_factory) -> Iterator[SimpleNamespace]:
    """Two 50 MB zips: the file exactly at the direct-upload limit, and one byte over it."""
    root = tmp_path_factory.mktemp("zipped-limit")
    members: dict[str, Body] = {f"{SITE}/model/__init__.py": b"WEIGHTS = 'weights.bin'\n", f"{SITE}/model/weights.bin": 0}
    pad = f"{SITE}/model/weights.bin"
    yield SimpleNamespace(
        at=write_exact_zip(root / "at.zip", members, pad, ZIP_LIMIT),
        over=write_exact_zip(root / "over.zip", members, pad, ZIP_LIMIT + 1),
    )
    shutil.rmtree(root)


def test_file_size_is_overhead_plus_declared_bytes(tmp_path):
    """The arithmetic the exact-size zips rely on, checked on a small zip: 3 MiB + 5 bytes of
    data in 1 MiB pieces, plus small members."""
    members: dict[str, Body] = {"python/a.py": b"a = 1\n", "python/b.bin": 3 * MiB + 5, "python/c.txt": b"c"}
    write_stored(tmp_path / "x.zip", members)
    assert os.path.getsize(tmp_path / "x.zip") == zip_overhead(members) + declared(members)
    path = write_exact_zip(tmp_path / "exact.zip", members, "python/b.bin", 2 * MiB + 12345)
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert archive.getinfo("python/b.bin").compress_type == zipfile.ZIP_STORED


# --- LL301 zipped-over-direct-upload -------------------------------------------------------------


@pytest.mark.slow
def test_zip_exactly_at_the_direct_upload_limit_is_fine(zipped_limit):
    assert os.path.getsize(zipped_limit.at) == ZIP_LIMIT
    layer = one_layer(zipped_limit.at)
    assert layer.zipped_bytes == ZIP_LIMIT
    assert codes(layer.findings) == []


@pytest.mark.slow
def test_zip_one_byte_over_the_direct_upload_limit(zipped_limit):
    assert os.path.getsize(zipped_limit.over) == ZIP_LIMIT + 1
    layer = one_layer(zipped_limit.over)
    finding = only(layer.findings, "LL301")
    assert finding.name == "zipped-over-direct-upload"
    assert finding.severity == "warning"
    assert finding.path is None and finding.layer == str(zipped_limit.over)
    assert finding.data == {"zipped_bytes": ZIP_LIMIT + 1, "limit": ZIP_LIMIT, "excess": 1}
    assert "52,428,801 bytes" in finding.message and "1 byte over" in finding.message and "52,428,800" in finding.message
    assert codes(layer.findings) == ["LL301"]  # 50 MB unzipped is nowhere near LL302/LL303


def test_a_folder_has_no_zip_size(tmp_path):
    layer = one_layer(write_folder(tmp_path / "layer", {"python/a.py": "a = 1\n"}))
    assert layer.zipped_bytes is None
    assert codes(layer.findings) == []


# --- LL302 unzipped-over-limit / LL303 near-unzipped-limit, one layer ---------------------------


@pytest.mark.slow
def test_unzipped_exactly_at_the_limit_is_over_it(unzipped_limit):
    layer = one_layer(unzipped_limit.at)
    assert layer.unzipped_bytes == LIMIT
    finding = only(layer.findings, "LL302")
    assert finding.name == "unzipped-over-limit" and finding.severity == "error"
    assert finding.path is None
    data = finding.data
    assert (data["unzipped_bytes"], data["limit"], data["percent"]) == (LIMIT, LIMIT, 100.0)
    # Lambda wants the size "smaller than" the limit: one byte has to go.
    assert data["excess"] == 1
    assert data["top"][0] == {"name": "heavy", "kind": "distribution", "version": "2.0.1", "unzipped_bytes": unzipped_limit.heavy, "files": 5}
    # bulky/ has no metadata: counted as its own folder in site-packages, which names it.
    assert data["top"][1]["name"] == f"{SITE}/bulky/" and data["top"][1]["unzipped_bytes"] == LIMIT - unzipped_limit.heavy
    message = finding.message
    assert "262,144,000 bytes" in message and "100.0%" in message and "1 byte too many" in message
    assert "heavy 143.1 MB" in message and f"{SITE}/bulky/ 106.9 MB" in message
    assert "LL303" not in codes(layer.findings)


@pytest.mark.slow
def test_unzipped_one_byte_under_the_limit_is_only_near_it(unzipped_limit):
    layer = one_layer(unzipped_limit.under)
    assert layer.unzipped_bytes == LIMIT - 1
    assert codes(layer.findings) == ["LL301", "LL303"]  # a 250 MB zip is also too big to upload directly
    finding = only(layer.findings, "LL303")
    assert finding.name == "near-unzipped-limit" and finding.severity == "warning"
    assert finding.data["unzipped_bytes"] == LIMIT - 1
    assert finding.data["headroom"] == 1
    assert finding.data["top"][0]["name"] == "heavy"
    assert "262,143,999 bytes" in finding.message and "1 byte left" in finding.message and "heavy" in finding.message


@pytest.mark.slow
def test_big_layer_with_default_verify_through_the_cli(unzipped_limit, cli, report_schema):
    """Every rule, every member's CRC checked (no --no-verify), JSON valid in stack mode."""
    result = cli("--stack", unzipped_limit.at, "--format", "json", "--as-of", DAY)
    document = result.json()
    validate(document, report_schema)
    assert result.code == 1
    (layer,) = document["layers"]
    assert layer["unzipped_bytes"] == LIMIT == unzip_total(unzipped_limit.at)
    assert layer["zipped_bytes"] == os.path.getsize(unzipped_limit.at)
    assert [f["code"] for f in layer["findings"] if f["code"].startswith("LL3")] == ["LL301", "LL302"]
    assert not [f for f in layer["findings"] if f["code"].startswith("LL4")], "the CRCs are right"
    assert document["stack"]["unzipped_bytes"] == LIMIT
    assert [f["code"] for f in document["stack"]["findings"]] == ["LL302"]
    assert layer["sizes"][0] == {"name": "heavy", "kind": "distribution", "version": "2.0.1", "unzipped_bytes": unzipped_limit.heavy, "files": 5}


@pytest.mark.slow
def test_big_totals_agree_with_unzip(unzipped_limit):
    for path, total in ((unzipped_limit.at, LIMIT), (unzipped_limit.under, LIMIT - 1)):
        assert unzip_total(path) == total == one_layer(path, select=["LL302"]).unzipped_bytes


@pytest.mark.slow
def test_sizes_need_only_the_central_directory(unzipped_limit):
    """With verification off, the sizes and totals of 250 MB come from the listing and a few
    small metadata files: no more than the first piece of each member is read."""
    layer = Layer(str(unzipped_limit.at), open_layer(unzipped_limit.at), Limits(verify=False))
    try:
        assert layer.unzipped_bytes == LIMIT
        assert sum(item.unzipped_bytes for item in layer.sizes) == LIMIT
        assert layer.scan.bytes_read < 3 * MiB
    finally:
        layer.source.close()
    # Verifying is another matter: it reads every byte once, to check the CRCs as unzip -t does.
    verified = Layer(str(unzipped_limit.at), open_layer(unzipped_limit.at), Limits(verify=True))
    try:
        assert verified.scan.bytes_read == LIMIT
        assert not verified.scan.errors
    finally:
        verified.source.close()


# --- LL302 / LL303 across a stack (with the 250 MB layers) --------------------------------------


@pytest.mark.slow
def test_layer_under_the_limit_plus_a_one_byte_function_is_at_it(unzipped_limit):
    function = write_zip(unzipped_limit.root / "app.zip", {"app.py": "x"})
    report = lint(unzipped_limit.under, function=function)
    assert codes(report.layers[0].findings) == ["LL301", "LL303"]  # the layer alone is still under
    assert report.stack.unzipped_bytes == LIMIT
    finding = only(report.stack.findings, "LL302")
    assert finding.layer == STACK and finding.severity == "error"
    assert (finding.data["unzipped_bytes"], finding.data["excess"]) == (LIMIT, 1)
    assert [item["name"] for item in finding.data["top"]] == [str(unzipped_limit.under), str(function)]
    assert "the function with its 1 layer" in finding.message and "1 byte too many" in finding.message
    assert "LL303" not in codes(report.stack.findings)


@pytest.mark.slow
def test_layer_over_the_limit_is_reported_on_the_layer_in_a_stack_too(unzipped_limit, tmp_path):
    small = write_zip(tmp_path / "small.zip", {"python/tiny.py": "t = 1\n"})
    report = lint(small, unzipped_limit.at, stack=True)
    at_report = report.layers[1]
    assert codes(at_report.findings) == ["LL301", "LL302"]
    assert codes(report.layers[0].findings) == []
    finding = only(report.stack.findings, "LL302")
    assert finding.data["unzipped_bytes"] == LIMIT + 6
    assert "the stack of 2 layers" in finding.message


@pytest.mark.slow
def test_stack_of_one_layer_under_the_limit_is_near_it(unzipped_limit):
    report = lint(unzipped_limit.under, stack=True)
    assert codes(report.stack.findings) == ["LL303"]
    assert only(report.stack.findings, "LL303").data["headroom"] == 1


# --- LL303 thresholds on small layers -----------------------------------------------------------


@pytest.mark.parametrize(("size", "fires"), [(THRESHOLD, False), (THRESHOLD + 1, True)])
def test_near_limit_share_is_a_strict_threshold(tmp_path, cli, size, fires):
    """--near-limit 0.0009765625 (2**-10) puts the threshold at exactly 256,000 bytes; LL303 is
    for sizes over it."""
    layer = write_zip(tmp_path / "layer.zip", {"python/blob.bin": random.Random(size).randbytes(size)})
    result = cli(layer, "--near-limit", str(SHARE), "--select", "LL303", "--runtime", "python3.12", "--format", "json", "--as-of", DAY)
    findings = result.json()["layers"][0]["findings"]
    assert [f["code"] for f in findings] == (["LL303"] if fires else [])
    if fires:
        assert findings[0]["data"]["unzipped_bytes"] == size
        assert findings[0]["data"]["headroom"] == LIMIT - size


def test_small_layer_is_not_near_the_default_limit(tmp_path):
    layer = one_layer(write_zip(tmp_path / "layer.zip", {"python/blob.bin": b"x" * 1000}))
    assert codes(layer.findings) == []


@pytest.mark.parametrize("value", ["0", "1", "1.5", "-0.2", "much"])
def test_near_limit_must_be_a_share(tmp_path, cli, value):
    layer = write_zip(tmp_path / "layer.zip", {"python/a.py": "a"})
    result = cli(layer, "--near-limit", value, "--as-of", DAY)
    assert result.code == 2
    assert "--near-limit" in result.err


# --- LL306 dead-weight ---------------------------------------------------------------------------


DEAD: dict[str, dict[str, bytes]] = {
    "bytecode caches (__pycache__/, .pyc)": {
        f"{SITE}/pkg/__pycache__/__init__.cpython-312.pyc": b"\x0d\x0d" * 60,
        f"{SITE}/legacy.pyc": b"\xcb\x0d" * 5,
    },
    "test suites inside packages (tests/, test/)": {
        f"{SITE}/pkg/tests/test_core.py": b"def test(): pass\n" * 3,
        f"{SITE}/pkg/sub/test/conftest.py": b"import pytest\n",
    },
    "static libraries (.a)": {"lib/libfoo.a": b"!<arch>\n" + b"obj" * 10},
    "C/C++ headers": {f"{SITE}/pkg/include/pkg.h": b"int pkg(void);\n", "include/foo.hpp": b"class Foo;\n"},
    "documentation folders (doc/, docs/, man/)": {
        f"{SITE}/pkg/docs/index.rst": b"Pkg\n===\n",
        "share/man/man1/jq.1": b".TH JQ 1\n",
        "share/doc/jq/README": b"jq\n",
    },
}
DEBUG_CLASS = "debug sections in unstripped ELF files (strip --strip-debug)"

C_SOURCE = """
struct point { int x; int y; };
int add(const struct point *a, const struct point *b) { return a->x + b->x + a->y + b->y; }
int twice(int v) { struct point p = {v, v}; return add(&p, &p); }
"""


def compile_library(tmp_path: Path, *flags: str, strip_debug: bool = False) -> bytes:
    need("gcc")
    source = tmp_path / "point.c"
    source.write_text(C_SOURCE)
    out = tmp_path / f"libpoint{'-'.join(flags)}{'-stripped' if strip_debug else ''}.so"
    subprocess.run(["gcc", "-shared", "-fPIC", *flags, "-o", str(out), str(source)], check=True)
    if strip_debug:
        need("strip")
        subprocess.run(["strip", "--strip-debug", str(out)], check=True)
    return out.read_bytes()


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_dead_weight_of_every_class(tmp_path, kind):
    unstripped = compile_library(tmp_path, "-g")
    manifest: dict[str, bytes] = {f"{SITE}/pkg/__init__.py": b"from .core import *\n", f"{SITE}/pkg/core.py": b"x = 1\n"}
    for files in DEAD.values():
        manifest.update(files)
    manifest["lib/libpoint.so"] = unstripped
    layer = one_layer(build(tmp_path, kind, manifest), select=["LL306"])
    total = sum(len(content) for content in manifest.values())
    findings = {f.data["class"]: f for f in layer.findings}
    assert set(findings) == {*DEAD, DEBUG_CLASS}
    for kind_name, files in DEAD.items():
        finding = findings[kind_name]
        assert finding.code == "LL306" and finding.name == "dead-weight" and finding.severity == "info"
        size = sum(len(content) for content in files.values())
        assert finding.data["bytes"] == size
        assert finding.data["count"] == len(files)
        assert set(finding.data["files"]) == set(files)
        assert f"({size:,} bytes, {100 * size / total:.1f}% of the layer)" in finding.message
        for path in files:
            assert path in finding.message
    debug = findings[DEBUG_CLASS]
    assert debug.data["files"] == ["lib/libpoint.so"]
    assert 0 < debug.data["bytes"] < len(unstripped)


@pytest.mark.parametrize(("flags", "strip_debug"), [((), False), (("-g", "-s"), False), (("-g",), True)], ids=["no-g", "built-with-s", "strip-debug"])
def test_stripped_libraries_have_no_debug_weight(tmp_path, flags, strip_debug):
    library = compile_library(tmp_path, *flags, strip_debug=strip_debug)
    layer = one_layer(write_zip(tmp_path / "layer.zip", {"lib/libpoint.so": library}), select=["LL306"])
    assert codes(layer.findings) == []


def test_debug_bytes_are_what_strip_removes_at_most(tmp_path):
    unstripped = compile_library(tmp_path, "-g")
    stripped = compile_library(tmp_path, "-g", strip_debug=True)
    layer = one_layer(write_zip(tmp_path / "layer.zip", {"lib/libpoint.so": unstripped}), select=["LL306"])
    assert only(layer.findings, "LL306").data["bytes"] <= len(unstripped) - len(stripped)


COPIES_CLASS = "identical copies of other files (same size and CRC-32)"


def test_symlinks_zipped_as_copies_are_dead_weight(tmp_path):
    need("zip")
    folder = tmp_path / "layer"
    (folder / "lib").mkdir(parents=True)
    (folder / "lib" / "libpoint.so.1.2.3").write_bytes(random.Random(7).randbytes(300_000))
    for name in ("libpoint.so.1", "libpoint.so"):
        (folder / "lib" / name).symlink_to("libpoint.so.1.2.3")
    copied = one_layer(zip_tool(tmp_path / "copied.zip", folder), select=["LL306"])  # zip -r stores each link as a copy
    finding = only(copied.findings, "LL306")
    assert finding.data["class"] == COPIES_CLASS
    assert sorted(finding.data["files"]) == ["lib/libpoint.so", "lib/libpoint.so.1"] and finding.data["bytes"] == 600_000
    assert "zip -r -y" in finding.fix
    linked = one_layer(zip_tool(tmp_path / "linked.zip", folder, "-y"), select=["LL306"])
    assert linked.findings == []


def test_clean_layer_has_no_dead_weight(tmp_path):
    """Names close to the dead-weight classes, but none of them: a top-level tests package is not
    inside a package, testing/ is not tests/, doctest_utils.py is a module."""
    library = compile_library(tmp_path, "-g", "-s")
    manifest = {
        f"{SITE}/pkg/__init__.py": "x = 1\n",
        f"{SITE}/pkg/testing/__init__.py": "helpers = 1\n",
        f"{SITE}/pkg/doctest_utils.py": "y = 2\n",
        f"{SITE}/pkg/headers.py": "h = 3\n",
        f"{SITE}/tests/__init__.py": "",
        f"{SITE}/pkg-1.0.dist-info/RECORD": record("pkg-1.0", "pkg/__init__.py"),
        f"{SITE}/pkg/_native.cpython-312-x86_64-linux-gnu.so": library,
        "bin/tool": ("#!/bin/sh\necho hi\n", EXEC_MODE),
    }
    layer = one_layer(write_zip(tmp_path / "layer.zip", manifest), select=["LL306"])
    assert codes(layer.findings) == []


# --- sizes: the breakdown in the JSON and the terminal -------------------------------------------


def test_sizes_by_distribution_node_package_and_folder(tmp_path, cli, report_schema):
    manifest: Manifest = {
        # requests 2.31.0: every file its RECORD lists, including the dist-info itself.
        f"{SITE}/requests/__init__.py": "r" * 3000,
        f"{SITE}/requests/api.py": "a" * 1000,
        f"{SITE}/requests-2.31.0.dist-info/METADATA": "Name: requests\nVersion: 2.31.0\n",
        f"{SITE}/requests-2.31.0.dist-info/RECORD": record(
            "requests-2.31.0", "requests/__init__.py", "requests/api.py", "requests-2.31.0.dist-info/METADATA"
        ),
        # A single-module distribution.
        "python/six.py": "s" * 2500,
        "python/six-1.16.0.dist-info/RECORD": record("six-1.16.0", "six.py"),
        "python/loose.py": "l" * 10,  # no distribution: by top-level folder
        # Node: by package, nested node_modules counted in the outer package, scoped names.
        "nodejs/node_modules/lodash/package.json": '{"name": "lodash", "version": "4.17.21"}',
        "nodejs/node_modules/lodash/lodash.js": "_" * 2000,
        "nodejs/node_modules/lodash/node_modules/dep/index.js": "d" * 100,
        "nodejs/node_modules/@types/node/package.json": '{"name": "@types/node", "version": "20.11.5"}',
        "nodejs/node_modules/@types/node/index.d.ts": "t" * 1500,
        "nodejs/node_modules/noversion/index.js": "n" * 50,
        "bin/jq": ("j" * 700, EXEC_MODE),
        "README.txt": "hi",
    }
    path = write_zip(tmp_path / "layer.zip", manifest)
    result = cli(path, "--format", "json", "--as-of", DAY)
    document = result.json()
    validate(document, report_schema)
    sizes = document["layers"][0]["sizes"]

    def size(*names: str) -> int:
        return sum(len(manifest[name] if isinstance(manifest[name], str) else manifest[name][0]) for name in names)

    requests_files = [name for name in manifest if "requests" in name]
    expected = [
        {"name": "requests", "kind": "distribution", "version": "2.31.0", "unzipped_bytes": size(*requests_files), "files": 4},
        {"name": "six", "kind": "distribution", "version": "1.16.0", "unzipped_bytes": size("python/six.py", "python/six-1.16.0.dist-info/RECORD"), "files": 2},
        {
            "name": "lodash",
            "kind": "node-package",
            "version": "4.17.21",
            "unzipped_bytes": size(*[name for name in manifest if "/lodash/" in name]),
            "files": 3,
        },
        {
            "name": "@types/node",
            "kind": "node-package",
            "version": "20.11.5",
            "unzipped_bytes": size(*[name for name in manifest if "@types" in name]),
            "files": 2,
        },
        {"name": "bin/", "kind": "folder", "version": None, "unzipped_bytes": 700, "files": 1},
        {"name": "noversion", "kind": "node-package", "version": None, "unzipped_bytes": 50, "files": 1},
        {"name": "python/", "kind": "folder", "version": None, "unzipped_bytes": 10, "files": 1},
        {"name": "README.txt", "kind": "folder", "version": None, "unzipped_bytes": 2, "files": 1},
    ]
    assert sorted(sizes, key=lambda item: -item["unzipped_bytes"]) == sizes  # largest first
    assert sizes == sorted(expected, key=lambda item: (-item["unzipped_bytes"], item["name"]))
    assert sum(item["unzipped_bytes"] for item in sizes) == document["layers"][0]["unzipped_bytes"]
    assert sum(item["files"] for item in sizes) == document["layers"][0]["files"]


def test_namespace_package_bytes_go_to_the_distribution_that_records_them(tmp_path):
    """google/ is shared by protobuf and google-api-core: each RECORD claims its own files."""
    manifest = {
        f"{SITE}/google/api_core/__init__.py": "a" * 300,
        f"{SITE}/google/protobuf/__init__.py": "p" * 4000,
        f"{SITE}/google_api_core-2.17.1.dist-info/RECORD": record("google_api_core-2.17.1", "google/api_core/__init__.py"),
        f"{SITE}/protobuf-4.25.3.dist-info/RECORD": record("protobuf-4.25.3", "google/protobuf/__init__.py"),
    }
    layer = one_layer(write_zip(tmp_path / "layer.zip", manifest))
    by_name = {item.name: item for item in layer.sizes}
    assert set(by_name) == {"protobuf", "google_api_core"}
    assert (by_name["protobuf"].version, by_name["protobuf"].files) == ("4.25.3", 2)
    assert by_name["protobuf"].unzipped_bytes == 4000 + len(manifest[f"{SITE}/protobuf-4.25.3.dist-info/RECORD"])
    assert (by_name["google_api_core"].version, by_name["google_api_core"].files) == ("2.17.1", 2)



def test_record_is_read_as_csv_and_damaged_lines_do_not_crash(tmp_path):
    """A quoted path with a comma belongs to its distribution; a line with a NUL byte or a
    field too long for the csv module is skipped over, not a crash (LL000)."""
    body = 'odd = 1\n'
    recorded = (
        '"odd,name.py",sha256=AAAA,8\n'
        "bro\0ken.py,sha256=AAAA,1\n"
        + "x" * 200_000 + ",sha256=AAAA,1\n"
        + "weird-1.0.dist-info/RECORD,,\n"
    )
    manifest = {"python/odd,name.py": body, "python/weird-1.0.dist-info/RECORD": recorded}
    layer = one_layer(write_zip(tmp_path / "layer.zip", manifest))
    assert [(item.name, item.kind, item.version, item.files) for item in layer.sizes] == [("weird", "distribution", "1.0", 2)]

def test_text_report_shows_the_ten_largest_with_bars(tmp_path, cli):
    """Twelve top-level folders; the largest (5 MiB, a STORED pseudo-random member) is big enough
    for one block of the 30-character bar against the 250 MB limit."""
    members: dict[str, Body] = {f"dir{index:02d}/file.bin": bytes([65 + index]) * (100 + index) for index in range(11)}
    members["big/blob.bin"] = 5 * MiB
    path = tmp_path / "layer.zip"
    write_stored(path, members)
    result = cli(path, "--select", "LL3", "--as-of", DAY)
    lines = result.out.splitlines()
    start = next(index for index, line in enumerate(lines) if "largest (bars: share of the 250.0 MB unzipped limit)" in line)
    rows = lines[start + 1 : start + 11]
    assert rows[0].split()[0] == "big/" and "█" in rows[0] and "5.0 MB" in rows[0]
    assert [row.split()[0] for row in rows[1:]] == [f"dir{index:02d}/" for index in range(10, 1, -1)]
    assert all("·" in row for row in rows)
    assert "dir01/" not in result.out and "dir00/" not in result.out  # only the top ten


# --- where the numbers come from -----------------------------------------------------------------


def _layer_kinds(tmp_path: Path) -> list[Path]:
    manifest = {"python/pkg/__init__.py": "x = 1\n" * 50, "python/pkg/data.json": '{"a": 1}', "bin/tool": ("#!/bin/sh\n", EXEC_MODE)}
    deflated = write_zip(tmp_path / "deflated.zip", manifest)
    stored = tmp_path / "stored.zip"
    write_stored(stored, {"python/a.bin": 3 * MiB + 17, "python/b.py": b"b = 2\n"})
    folder = write_folder(tmp_path / "src", manifest)
    (folder / "python" / "link.py").symlink_to("pkg/__init__.py")
    by_tool = zip_tool(tmp_path / "tool.zip", folder, "-y")  # keeps the symlink as a link
    return [deflated, stored, by_tool]


def test_totals_agree_with_unzip(tmp_path):
    need("zip")
    for path in _layer_kinds(tmp_path):
        assert one_layer(path).unzipped_bytes == unzip_total(path), path


def test_sizes_are_what_the_central_directory_declares(tmp_path):
    """A member whose central-directory entry declares 5,000,000 bytes but whose data holds
    1,000: the totals follow the declaration, as unzip -Zt does; reading it is the archive
    rules' business (it is truncated)."""
    path = write_zip(tmp_path / "layer.zip", {"python/data.bin": random.Random(7).randbytes(1000)}, dirs=False)
    raw = bytearray(path.read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, 5_000_000)  # uncompressed size
    path.write_bytes(bytes(raw))
    layer = one_layer(path, select=["LL3"])
    assert layer.unzipped_bytes == 5_000_000 == unzip_total(path)
    assert [(item.name, item.unzipped_bytes) for item in layer.sizes] == [("python/", 5_000_000)]


# --- LL306: native code no target loads (platform variants) -------------------------------


def test_ll306_platform_variants_no_target_loads():
    from layers import write_zip
    from native import SETUPTOOLS_LAUNCHERS, binary

    from coldwarm import lint

    tmp = Path(__import__("tempfile").mkdtemp())
    manifest = {f"python/setuptools/{name.rsplit('/', 1)[-1]}": binary(name) for name in SETUPTOOLS_LAUNCHERS}
    manifest["python/setuptools/__init__.py"] = "x = 1\n"
    manifest["nodejs/node_modules/demo/prebuilds/linux-x64/demo.node"] = binary("x86_64/napi.node")
    manifest["nodejs/node_modules/demo/prebuilds/linux-arm64/demo.node"] = binary("arm64/napi.node")
    path = write_zip(tmp / "layer.zip", manifest)
    layer = lint(path, targets=["python3.12/x86_64", "nodejs22.x/x86_64"], as_of=AS_OF, select=["LL2", "LL306"]).layers[0]
    assert [f.code for f in layer.findings if f.severity == "error"] == []
    unused = [f for f in layer.findings if f.code == "LL306" and "native code no target loads" in f.data["class"]]
    members = {member for finding in unused for member in finding.data["files"]}
    expected = {f"python/setuptools/{name.rsplit('/', 1)[-1]}" for name in SETUPTOOLS_LAUNCHERS}
    assert members == expected | {"nodejs/node_modules/demo/prebuilds/linux-arm64/demo.node"}
    total = sum(len(binary(name)) for name in SETUPTOOLS_LAUNCHERS) + len(binary("arm64/napi.node"))
    assert sum(finding.data["bytes"] for finding in unused) == total
