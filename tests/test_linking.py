"""The loader model and the rules built on it: LL205 libstdcxx-too-new, LL206 missing-shared-library
and LL210 node-abi-mismatch, on real binaries (fixtures/native) in zips built at test time."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path
from typing import Optional

import pytest
from conftest import AS_OF
from layers import EXEC_MODE, Manifest, build
from native import binary, require

from coldwarm import lint
from layer_lint import layer as layer_module
from layer_lint.elf import dynamic_range, read_elf
from layer_lint.loader import Loader, expand, resolve
from layer_lint.report import LayerReport
from layer_lint.runtimes import load_knowledge_base


def check(tmp_path: Path, manifest: Manifest, *targets: str, kind: str = "zip") -> LayerReport:
    path = build(tmp_path, kind, manifest)
    return lint(path, targets=targets, as_of=AS_OF, select=["LL205", "LL206", "LL210"]).layers[0]


def codes(layer: LayerReport) -> list[tuple[str, str, Optional[str]]]:
    return [(f.code, f.severity, f.path) for f in layer.findings]


# --- the loader model ------------------------------------------------------------------


def test_expand_origin_and_unknowable_tokens():
    assert expand("$ORIGIN/../lib", "python/numpy/core") == "/opt/python/numpy/lib"
    assert expand("${ORIGIN}", "") == "/opt"
    assert expand("/usr/lib", "x") == "/usr/lib"
    assert expand("$LIB/x", "x") is None and expand("relative/dir", "x") is None


def test_search_order_rpath_before_ld_library_path_before_runpath():
    kb = load_knowledge_base()
    runtime = kb.get("python3.12")
    al2023 = kb.operating_systems["al2023"]
    rpath = read_elf(binary("x86_64/librpath.so"), complete=True)
    runpath = read_elf(binary("x86_64/librunpath.so"), complete=True)
    files = {"vendor/lib/libgood.so.1", "lib/libgood.so.1"}
    # RPATH ($ORIGIN/../lib) is searched before LD_LIBRARY_PATH's /opt/lib ...
    found = resolve("libgood.so.1", "vendor/bin/librpath.so", rpath, (), files, runtime, al2023, "x86_64")
    assert (found.found, found.via) == ("vendor/lib/libgood.so.1", "RPATH")
    # ... and RUNPATH after it.
    found = resolve("libgood.so.1", "vendor/bin/librunpath.so", runpath, (), files, runtime, al2023, "x86_64")
    assert (found.found, found.via) == ("lib/libgood.so.1", "LD_LIBRARY_PATH")
    # The system copy of libstdc++ in /lib64 comes before a copy bundled in /opt/lib.
    found = resolve("libstdc++.so.6", "lib/libx.so", runpath, (), {"lib/libstdc++.so.6"}, runtime, al2023, "x86_64")
    assert (found.found, found.tier) == ("/lib64", "base")


def test_the_loaders_rpath_finds_a_library_that_has_none():
    kb = load_knowledge_base()
    mid = read_elf(binary("x86_64/libchainmid.so.1"), complete=True)
    top = read_elf(binary("x86_64/libchaintop.so"), complete=True)
    files = {"pkg/chain.libs/libchainleaf.so.1"}
    alone = resolve("libchainleaf.so.1", "pkg/chain.libs/libchainmid.so.1", mid, (), files, kb.get("python3.12"), None, "x86_64")
    assert alone.tier == "missing"
    loaders = (Loader("pkg/core", top.rpath, bool(top.runpath)),)
    chained = resolve("libchainleaf.so.1", "pkg/chain.libs/libchainmid.so.1", mid, loaders, files, kb.get("python3.12"), None, "x86_64")
    assert (chained.found, chained.via) == ("pkg/chain.libs/libchainleaf.so.1", "RPATH")


# --- LL206 -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["zip", "folder"])
@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_ll206_library_nothing_provides(tmp_path, kind, arch):
    layer = check(tmp_path, {"lib/libneedsmissing.so": binary(f"{arch}/libneedsmissing.so")}, f"python3.12/{arch}", kind=kind)
    assert codes(layer) == [("LL206", "warning", "lib/libneedsmissing.so")]
    finding = layer.findings[0]
    assert finding.data["library"] == "libmissing.so.1" and "cannot open shared object file" in finding.message
    assert "lib/" in finding.fix


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_ll206_is_an_error_for_what_lambda_runs(tmp_path, arch):
    layer = check(tmp_path, {"extensions/agent": (binary(f"{arch}/libneedsmissing.so"), EXEC_MODE)}, f"provided.al2023/{arch}")
    assert codes(layer) == [("LL206", "error", "extensions/agent")]


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_ll206_silent_when_the_layer_bundles_it_on_the_path(tmp_path, arch):
    manifest = {"lib/libneedsmissing.so": binary(f"{arch}/libneedsmissing.so"), "lib/libmissing.so.1": binary(f"{arch}/libgood.so")}
    assert codes(check(tmp_path, manifest, f"python3.12/{arch}")) == []


def test_ll206_rpath_and_runpath_inside_the_layer(tmp_path):
    good = binary("x86_64/libgood.so")
    both = {
        "vendor/bin/librpath.so": binary("x86_64/librpath.so"),
        "vendor/bin/librunpath.so": binary("x86_64/librunpath.so"),
    }
    assert codes(check(tmp_path, {**both, "vendor/lib/libgood.so.1": good}, "python3.12/x86_64")) == []
    missing = check(tmp_path / "b", both, "python3.12/x86_64")
    assert [(c, p) for c, _, p in codes(missing)] == [("LL206", None)]
    assert set(missing.findings[0].data["needed_by"]) == set(both)


def test_ll206_chain_found_through_the_loaders_rpath(tmp_path):
    manifest = {
        "pkg/core/libchaintop.so": binary("x86_64/libchaintop.so"),
        "pkg/chain.libs/libchainmid.so.1": binary("x86_64/libchainmid.so.1"),
        "pkg/chain.libs/libchainleaf.so.1": binary("x86_64/libchainleaf.so.1"),
    }
    assert codes(check(tmp_path, manifest, "python3.12/x86_64")) == []
    del manifest["pkg/chain.libs/libchainleaf.so.1"]
    layer = check(tmp_path / "b", manifest, "python3.12/x86_64")
    assert [(c, f.data["library"]) for (c, _, _), f in zip(codes(layer), layer.findings)] == [("LL206", "libchainleaf.so.1")]


def test_ll206_library_only_in_the_container_image_is_a_warning(tmp_path):
    gcc = require("gcc", "builds a program that needs libcrypt.so.1")
    source = tmp_path / "crypt.c"
    source.write_text('#include <crypt.h>\nint main(void){ return crypt("a", "ab") == 0; }\n')
    program = tmp_path / "crypt"
    result = subprocess.run([gcc, "-Os", "-s", "-o", program, source, "-lcrypt"], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot link against libcrypt here: {result.stderr.strip()[:200]}")
    layer = check(tmp_path / "layer", {"bin/crypt": (program.read_bytes(), EXEC_MODE)}, "provided.al2/x86_64", "provided.al2023/x86_64")
    by_target = {(f.severity, f.targets[0].runtime) for f in layer.findings if f.code == "LL206"}
    # Amazon Linux 2: only the container image lists libcrypt.so.1; Amazon Linux 2023: nothing does.
    assert by_target == {("warning", "provided.al2"), ("error", "provided.al2023")}


@pytest.fixture(scope="module")
def chain(tmp_path_factory) -> dict[str, bytes]:
    """A program that needs libmid.so.1, which needs libghost.so.1: compiled here with gcc."""
    gcc = require("gcc", "builds a program with a chain of libraries")
    folder = tmp_path_factory.mktemp("chain")
    (folder / "ghost.c").write_text("int ghost(void) { return 7; }\n")
    (folder / "mid.c").write_text("int ghost(void);\nint mid(void) { return ghost() + 1; }\n")
    (folder / "prog.c").write_text("int mid(void);\nint main(void) { return mid() == 8 ? 0 : 1; }\n")
    steps = [
        ["-shared", "-fPIC", "-Wl,-soname,libghost.so.1", "-o", "libghost.so.1", "ghost.c"],
        ["-shared", "-fPIC", "-Wl,-soname,libmid.so.1", "-o", "libmid.so.1", "mid.c", "-L.", "-l:libghost.so.1"],
        ["-o", "prog", "prog.c", "-L.", "-l:libmid.so.1", "-Wl,--allow-shlib-undefined"],
    ]
    for step in steps:
        subprocess.run([gcc, "-Os", *step], cwd=folder, check=True, capture_output=True)
    return {name: (folder / name).read_bytes() for name in ("prog", "libmid.so.1", "libghost.so.1")}


def test_ll206_a_library_missing_below_a_program_is_an_error(tmp_path, chain):
    layer = check(tmp_path, {"bin/prog": (chain["prog"], EXEC_MODE), "lib/libmid.so.1": chain["libmid.so.1"]}, "provided.al2023/x86_64")
    assert codes(layer) == [("LL206", "error", "lib/libmid.so.1")]  # bin/prog runs, so libmid loads, so libghost must
    assert layer.findings[0].data["library"] == "libghost.so.1"
    alone = check(tmp_path / "b", {"lib/libmid.so.1": chain["libmid.so.1"]}, "provided.al2023/x86_64")
    assert codes(alone) == [("LL206", "warning", "lib/libmid.so.1")]  # only if the function's code loads it


def test_ll206_a_library_in_a_folder_off_the_search_path_is_named(tmp_path, chain):
    manifest = {"bin/prog": (chain["prog"], EXEC_MODE), "lib64/libmid.so.1": chain["libmid.so.1"], "lib64/libghost.so.1": chain["libghost.so.1"]}
    layer = check(tmp_path, manifest, "provided.al2023/x86_64")
    assert codes(layer) == [("LL206", "error", "bin/prog")]
    finding = layer.findings[0]
    assert "in the layer at lib64/libmid.so.1" in finding.message and "not on the loader's search path" in finding.message
    assert finding.fix.startswith("Move lib64/libmid.so.1 to lib/ (keeping the name libmid.so.1)")
    assert finding.data["in_layer"] == ["lib64/libmid.so.1"]


@pytest.mark.parametrize("kind", ["zip", "folder"])
def test_ll206_a_library_that_is_not_elf(tmp_path, chain, kind):
    # What git on Windows (core.symlinks off) or a zip without -y made of libmid.so.1 -> libmid.so.1.0: its target's name.
    manifest = {"bin/prog": (chain["prog"], EXEC_MODE), "lib/libmid.so.1": "libmid.so.1.0", "lib/libghost.so.1": chain["libghost.so.1"]}
    layer = check(tmp_path, manifest, "provided.al2023/x86_64", kind=kind)
    assert codes(layer) == [("LL206", "error", "bin/prog")]
    finding = layer.findings[0]
    assert "lib/libmid.so.1 in the layer, a 13-byte file that is not an ELF library" in finding.message
    assert "'libmid.so.1: file too short'" in finding.message and "symlink stored as a plain file" in finding.message
    assert finding.data["found"] == "lib/libmid.so.1" and finding.data["tier"] == "not-elf"


def test_ll206_in_a_library_too_big_to_keep_whole(tmp_path, chain):
    """Of a library over layer.MAX_ELF_BYTES only the start, the dynamic segment and the end are
    kept: its DT_NEEDED entries sit in the dynamic segment, here 40 MB in, 40 MB from the end."""
    gcc = require("gcc", "builds a library with 80 MB of data")
    folder = tmp_path / "big"
    folder.mkdir()
    (folder / "libghost.so.1").write_bytes(chain["libghost.so.1"])
    # 40 MB of read-only data before the dynamic segment and 40 MB of writable data after it,
    # compressing about 100:1 (a repeated random block), not past the zip-bomb ratio.
    (folder / "block.bin").write_bytes(os.urandom(1024) * 40_000)
    (folder / "pad.S").write_text(
        ".section .rodata\n.globl before\nbefore:\n.incbin \"block.bin\"\n"
        ".data\n.globl after\nafter:\n.incbin \"block.bin\"\n"
        ".section .note.GNU-stack,\"\",@progbits\n"
    )
    (folder / "big.c").write_text("int ghost(void);\nextern const char before[];\nextern char after[];\nint big(void) { return ghost() + before[5] + after[5]; }\n")
    subprocess.run([gcc, "-shared", "-fPIC", "-o", "libbig.so", "big.c", "pad.S", "-L.", "-l:libghost.so.1"], cwd=folder, check=True, capture_output=True)
    data = (folder / "libbig.so").read_bytes()
    facts = read_elf(data, complete=True)
    assert facts.needed[0] == "libghost.so.1" and len(data) > layer_module.MAX_ELF_BYTES
    start, _ = dynamic_range(data[:4096])
    assert layer_module.ELF_HEAD_BYTES < start < len(data) - 30_000_000  # neither in the kept start nor the tail
    layer = check(tmp_path, {"lib/libbig.so": data}, "provided.al2023/x86_64")
    assert codes(layer) == [("LL206", "warning", "lib/libbig.so")]
    assert layer.findings[0].data["library"] == "libghost.so.1"
    (summary,) = layer.binaries
    assert summary.needed == facts.needed


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_ll206_a_deep_submodule_may_be_optional(tmp_path, arch):
    # numba imports np/ufunc/omppool inside try/except ImportError: a missing libgomp there is a warning,
    # while a module at the top of a package is imported with it, and its missing library an error.
    module = binary(f"{arch}/libneedsmissing.so")
    deep = check(tmp_path, {"python/pkg/__init__.py": "", "python/pkg/np/ufunc/omppool.so": module}, f"python3.12/{arch}")
    assert codes(deep) == [("LL206", "warning", "python/pkg/np/ufunc/omppool.so")]
    top = check(tmp_path / "top", {"python/pkg/__init__.py": "", "python/pkg/_core.so": module}, f"python3.12/{arch}")
    assert codes(top) == [("LL206", "error", "python/pkg/_core.so")]


def test_ll206_says_nothing_of_the_bytes_of_a_library_it_could_not_read(tmp_path, chain):
    path = tmp_path / "l.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(zipfile.ZipInfo("bin/prog"), chain["prog"])
        archive.writestr(zipfile.ZipInfo("lib/libmid.so.1"), chain["libmid.so.1"])
        archive.writestr(zipfile.ZipInfo("lib/libghost.so.1"), chain["libghost.so.1"])
    data = bytearray(path.read_bytes())
    data[data.index(b"\x7fELF", data.index(b"lib/libmid.so.1"))] ^= 0xFF  # its magic: a CRC error, and no ELF head
    path.write_bytes(bytes(data))
    report = lint(path, targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL206", "LL401"])
    assert [(f.code, f.path) for f in report.layers[0].findings] == [("LL401", "lib/libmid.so.1")]  # not "not an ELF library"


def test_ll206_not_for_binaries_of_the_other_cpu(tmp_path):
    layer = check(tmp_path, {"lib/libneedsmissing.so": binary("x86_64/libneedsmissing.so")}, "python3.12/arm64")
    assert codes(layer) == []  # LL202's business


# --- LL205 -------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_ll205_newer_glibcxx_than_amazon_linux_2(tmp_path, arch):
    layer = check(tmp_path, {"lib/libcxx.so": binary(f"{arch}/libcxx.so")}, f"python3.11/{arch}", f"python3.12/{arch}")
    assert codes(layer) == [("LL205", "error", "lib/libcxx.so")]
    finding = layer.findings[0]
    assert {t.runtime for t in finding.targets} == {"python3.11"}
    assert finding.data["needed"] == "GLIBCXX_3.4.29" and "GLIBCXX_3.4.24" in finding.data["available"]
    assert "Amazon Linux 2" in finding.message


def test_ll205_bundled_libstdcxx_in_opt_lib_does_not_help(tmp_path):
    manifest = {"lib/libcxx.so": binary("x86_64/libcxx.so"), "lib/libstdc++.so.6": binary("x86_64/libgood.so")}
    assert [c for c, _, _ in codes(check(tmp_path, manifest, "python3.11/x86_64"))] == ["LL205"]


def test_ll205_warning_between_safe_and_newest_on_amazon_linux_2023(tmp_path):
    gxx = require("g++", "builds a library that needs GLIBCXX_3.4.30")
    source = tmp_path / "new.cpp"
    # GCC 12's libstdc++ versions condition_variable::wait as GLIBCXX_3.4.30 (Amazon Linux 2023 has 3.4.29 everywhere).
    source.write_text("#include <condition_variable>\n#include <mutex>\n"
                      "std::mutex m; std::condition_variable cv;\n"
                      "extern \"C\" void wait_once(){ std::unique_lock<std::mutex> lock(m); cv.wait(lock); }\n")
    library = tmp_path / "libnew.so"
    subprocess.run([gxx, "-shared", "-fPIC", "-Os", "-s", "-o", library, source], check=True)
    facts = read_elf(library.read_bytes(), complete=True)
    newest = max(facts.versions("GLIBCXX_"), key=lambda v: tuple(int(p) for p in v.split("_")[1].split(".")))
    if tuple(int(p) for p in newest.split("_")[1].split(".")) <= (3, 4, 29):
        pytest.skip(f"this g++ produced only {newest}")
    layer = check(tmp_path / "layer", {"lib/libnew.so": library.read_bytes()}, "python3.12/x86_64")
    assert codes(layer) == [("LL205", "warning", "lib/libnew.so")]


# --- LL210 -------------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ["x86_64", "arm64"])
def test_ll210_addon_for_node18_on_node20(tmp_path, arch):
    manifest = {"nodejs/node_modules/demo/build/Release/demo.node": binary(f"{arch}/demo.node")}
    layer = check(tmp_path, manifest, f"nodejs20.x/{arch}", f"nodejs18.x/{arch}")
    assert codes(layer) == [("LL210", "error", "nodejs/node_modules/demo/build/Release/demo.node")]
    finding = layer.findings[0]
    assert {t.runtime for t in finding.targets} == {"nodejs20.x"}
    assert (finding.data["built_for"], finding.data["expected"]) == (108, 115)
    assert "Node.js 18" in finding.message and "NODE_MODULE_VERSION 115" in finding.message


def test_ll210_node_api_addon_loads_everywhere(tmp_path):
    manifest = {"nodejs/node_modules/demo/build/Release/napi.node": binary("x86_64/napi.node")}
    assert codes(check(tmp_path, manifest, "nodejs20.x/x86_64", "nodejs22.x/x86_64", "nodejs24.x/x86_64")) == []


def test_object_files_are_never_loaded(tmp_path):
    gcc = require("gcc", "builds an object file")
    source = tmp_path / "x.c"
    source.write_text("int f(void) { return 1; }\n")
    subprocess.run([gcc, "-c", "-o", tmp_path / "x.o", source], check=True)
    manifest = {"nodejs/node_modules/demo/build/Release/obj.target/x.o": (tmp_path / "x.o").read_bytes()}
    path = build(tmp_path / "layer", "zip", manifest)
    layer = lint(path, targets=["nodejs22.x/arm64"], as_of=AS_OF, select=["LL2", "LL306"]).layers[0]
    assert [f.code for f in layer.findings] == ["LL306"]  # an x86_64 .o is no LL202 on arm64: nothing loads it
    assert layer.findings[0].data["class"] == "native code no target loads" and "object file" in layer.findings[0].message
    assert layer.binaries[0].loaded is False


# --- libraries the OS's own copy shadows -----------------------------------------------------


def test_a_bundled_system_library_that_never_loads_is_not_judged(tmp_path):
    """Debian's libstdc++ (the aarch64 cross toolchain's, GLIBC_2.36) in lib/: /lib64 comes
    before /opt/lib on LD_LIBRARY_PATH, so the OS's libstdc++.so.6 loads and this copy never does."""
    real = Path("/usr/aarch64-linux-gnu/lib/libstdc++.so.6.0.30")
    if not real.exists():
        require("aarch64-linux-gnu-g++", "ships Debian's aarch64 libstdc++")
        pytest.skip(f"{real} not found")
    data = real.read_bytes()
    shadowed = lint(build(tmp_path, "zip", {"lib/libstdc++.so.6.0.30": data}), targets=["provided.al2023/arm64"], as_of=AS_OF, select=["LL2"])
    assert shadowed.layers[0].findings == []
    assert [b.loaded for b in shadowed.layers[0].binaries] == [False]
    # The same bytes outside lib/, off the loader's path, count as loaded (code may dlopen them by
    # path), and need a glibc newer than Amazon Linux 2023's: the check is not blind to them.
    elsewhere = lint(build(tmp_path / "b", "zip", {"vendor/libstdc++.so.6.0.30": data}), targets=["provided.al2023/arm64"], as_of=AS_OF, select=["LL2"])
    assert [f.code for f in elsewhere.layers[0].findings] == ["LL203"]


def test_a_bundled_system_library_a_program_reaches_through_its_rpath_is_no_dead_weight(tmp_path):
    # bin/prog's DT_RPATH ($ORIGIN/../lib) finds the layer's libz.so.1 before LD_LIBRARY_PATH's
    # /lib64 does: it loads. (A DT_RUNPATH, searched after LD_LIBRARY_PATH, would not.)
    gcc = require("gcc", "builds a program with an RPATH")
    (tmp_path / "z.c").write_text("int zlib_like(void) { return 3; }\n")
    (tmp_path / "prog.c").write_text("int zlib_like(void);\nint main(void) { return zlib_like() == 3 ? 0 : 1; }\n")
    subprocess.run([gcc, "-shared", "-fPIC", "-Wl,-soname,libz.so.1", "-o", "libz.so.1", "z.c"], cwd=tmp_path, check=True, capture_output=True)
    link = [gcc, "prog.c", "-L.", "-l:libz.so.1", "-Wl,-rpath,$ORIGIN/../lib"]
    subprocess.run([*link, "-Wl,--disable-new-dtags", "-o", "prog"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([*link, "-Wl,--enable-new-dtags", "-o", "prog-runpath"], cwd=tmp_path, check=True, capture_output=True)
    manifest = {"bin/prog": ((tmp_path / "prog").read_bytes(), EXEC_MODE), "lib/libz.so.1": (tmp_path / "libz.so.1").read_bytes()}
    report = lint(build(tmp_path / "layer", "zip", manifest), targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL2", "LL306"])
    assert report.layers[0].findings == []
    assert {b.path: b.loaded for b in report.layers[0].binaries} == {"bin/prog": True, "lib/libz.so.1": True}
    runpath = {**manifest, "bin/prog": ((tmp_path / "prog-runpath").read_bytes(), EXEC_MODE)}
    shadowed = lint(build(tmp_path / "runpath", "zip", runpath), targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL306"])
    assert [f.data["class"] for f in shadowed.layers[0].findings] == ["native code no target loads"]  # /lib64's copy loads instead


def _with_links(path: Path, files: dict[str, bytes], links: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name)
            info.create_system, info.external_attr = 3, (0o100755 << 16)
            archive.writestr(info, data)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.create_system, info.external_attr = 3, (0o120777 << 16)
            archive.writestr(info, target)
    return path


@pytest.mark.parametrize(
    "links, says",
    [
        ({"lib/libmid.so.1": "libmid.so.1.0", "lib/libmid.so.1.0": "libmid.so.1"}, "a symlink that loops"),
        ({"lib/libmid.so.1": "libmid.so.1.0"}, "a symlink that points to a file the layer lacks"),
    ],
    ids=["loop", "dangling"],
)
def test_ll206_a_needed_library_behind_a_broken_link(tmp_path, chain, links, says):
    path = _with_links(tmp_path / "l.zip", {"bin/prog": chain["prog"], "lib/libghost.so.1": chain["libghost.so.1"]}, links)
    layer = lint(path, targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL206"]).layers[0]
    (finding,) = layer.findings
    assert (finding.severity, finding.path, finding.data["tier"]) == ("error", "bin/prog", "broken-link")
    assert says in finding.message and finding.data["found"] == "lib/libmid.so.1"


def test_ll206_trusts_a_link_out_of_the_layer_to_the_os(tmp_path, chain):
    # lib/libmid.so.1 -> /usr/lib64/libmid.so.1: only the Lambda OS can say; LL405 warns about the link.
    path = _with_links(tmp_path / "l.zip", {"bin/prog": chain["prog"]}, {"lib/libmid.so.1": "/usr/lib64/libmid.so.1"})
    assert lint(path, targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL206"]).layers[0].findings == []


def test_a_bundled_system_library_loaded_through_an_rpath_is_judged_like_any_loaded_file(tmp_path):
    # The common way to ship a newer libstdc++ to Amazon Linux 2: bin/prog with an RPATH of
    # $ORIGIN/../lib. Here the bundled "libz.so.1" needs GLIBC_2.36 (arc4random): it loads, and fails.
    gcc = require("gcc", "builds a program with an RPATH")
    (tmp_path / "z.c").write_text("#include <stdlib.h>\nunsigned zlib_like(void) { return arc4random(); }\n")
    (tmp_path / "prog.c").write_text("unsigned zlib_like(void);\nint main(void) { return (int) zlib_like(); }\n")
    built = subprocess.run([gcc, "-shared", "-fPIC", "-Wl,-soname,libz.so.1", "-o", "libz.so.1", "z.c"], cwd=tmp_path, capture_output=True)
    if built.returncode != 0:
        pytest.skip("this glibc has no arc4random")
    link = [gcc, "prog.c", "-L.", "-l:libz.so.1", "-Wl,-rpath,$ORIGIN/../lib"]
    subprocess.run([*link, "-Wl,--disable-new-dtags", "-o", "prog"], cwd=tmp_path, check=True, capture_output=True)
    subprocess.run([*link, "-Wl,--enable-new-dtags", "-o", "prog-runpath"], cwd=tmp_path, check=True, capture_output=True)
    library = (tmp_path / "libz.so.1").read_bytes()
    rpath = {"bin/prog": ((tmp_path / "prog").read_bytes(), EXEC_MODE), "lib/libz.so.1": library}
    report = lint(build(tmp_path / "rpath", "zip", rpath), targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL203"])
    assert [(f.code, f.path) for f in report.layers[0].findings] == [("LL203", "lib/libz.so.1")]
    runpath = {**rpath, "bin/prog": ((tmp_path / "prog-runpath").read_bytes(), EXEC_MODE)}
    report = lint(build(tmp_path / "runpath", "zip", runpath), targets=["provided.al2023/x86_64"], as_of=AS_OF, select=["LL203"])
    assert [(f.code, f.path) for f in report.layers[0].findings if f.path == "lib/libz.so.1"] == []  # /lib64's libz.so.1 loads instead
