"""The native-code rules LL201-LL204 and LL207-LL209 on real binaries, and the ELF fixtures themselves.

Every native member is a committed fixture (fixtures/native/, read through tests/native.py):
ELF files built by fixtures/native/build.py from C sources, Mach-O, PE and .NET files taken whole
from pinned PyPI wheels. Layers are zips built at test time. Each rule fires on its binary and
stays silent on a good layer, on x86_64 and arm64; the tests of what a target loads (platform
variants, npm os/cpu/libc, extension-module siblings) come after the rules. The last section
checks the fixtures: read_elf against `readelf -V -d`, and a rebuild giving the same facts.

Targets are explicit, and rules are selected (NATIVE), so no verdict depends on inference, on
today's date (AS_OF) or on rules tested elsewhere. python3.11 and provided.al2 run on Amazon
Linux 2 (glibc 2.26); python3.12, nodejs22.x and provided.al2023 on Amazon Linux 2023 (2.34).
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Optional

import pytest
from elftools.elf.elffile import ELFFile

from conftest import AS_OF
from coldwarm import lint
from layer_lint import Finding
from layer_lint.binaries import sniff
from layer_lint.elf import read_elf
from layer_lint.report import LayerReport
from layers import EXEC_MODE, Manifest, build
from native import (
    ARCHES,
    DOTNET_IL_ONLY,
    DOTNET_WITH_NATIVE_CODE,
    FIXTURES,
    MACHO_ARM64,
    MACHO_UNIVERSAL2,
    MUSL_EXTENSION,
    OTHER_ARCH,
    PE_PYD,
    SETUPTOOLS_LAUNCHERS,
    TRIPLET,
    binary,
    build_script,
    built_names,
    demo_extension,
    elf_names,
    require,
    truncated,
)

NATIVE = ["LL201", "LL202", "LL203", "LL204", "LL207", "LL208", "LL209"]
MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}  # wheel-tag spelling
NODE_CPU = {"x86_64": "x64", "arm64": "arm64"}


def check(tmp_path: Path, manifest: Manifest, *targets: str, kind: str = "zip") -> LayerReport:
    """Lint one layer with the native rules for explicit targets ("python3.12/arm64")."""
    report = lint(build(tmp_path, kind, manifest), targets=targets, as_of=AS_OF, select=NATIVE)
    assert len(report.layers) == 1
    layer = report.layers[0]
    assert layer.error is None, layer.error
    assert not [f for f in layer.findings if f.code == "LL000"], "a rule crashed"
    return layer


def found(layer: LayerReport) -> list[tuple[str, Optional[str]]]:
    return sorted((f.code, f.path) for f in layer.findings)


def only(layer: LayerReport, code: str, path: Optional[str] = None) -> Finding:
    """The single finding of `code` (at `path`, when given)."""
    hits = [f for f in layer.findings if f.code == code and (path is None or f.path == path)]
    assert len(hits) == 1, [(f.code, f.path, f.message) for f in layer.findings]
    return hits[0]


def target_names(finding: Finding) -> set[str]:
    return {str(target) for target in finding.targets}


def program(name: str) -> tuple[bytes, int]:
    return binary(name), EXEC_MODE


# --- good layers: every rule silent ----------------------------------------------------------


def good_python(arch: str, python: str) -> Manifest:
    """A Python layer that loads on `arch`: an extension module tagged for the target, a ctypes
    library, a program and a shared library that need only the architecture's oldest glibc."""
    name, extension = demo_extension(arch, python)
    return {
        "python/demo/__init__.py": "from ._demo import answer\n",
        f"python/demo/{name}": extension,
        "python/demo/libgood.so": binary(f"{arch}/libgood.so"),  # untagged: a ctypes library, not a module
        "python/demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        "python/demo-1.0.dist-info/WHEEL": f"Wheel-Version: 1.0\nRoot-Is-Purelib: false\nTag: cp{python}-cp{python}-manylinux_2_17_{MACHINE[arch]}\nTag: cp{python}-cp{python}-manylinux2014_{MACHINE[arch]}\n",
        "bin/hello": program(f"{arch}/hello-old"),
        "lib/libgood.so.1": binary(f"{arch}/libgood.so"),
    }


def good_node(arch: str) -> Manifest:
    return {
        "nodejs/node_modules/napi-addon/package.json": '{"name": "napi-addon", "main": "index.js"}',
        "nodejs/node_modules/napi-addon/build/Release/addon.node": binary(f"{arch}/napi.node"),
        "nodejs/node_modules/legacy-addon/package.json": '{"name": "legacy-addon"}',
        "nodejs/node_modules/legacy-addon/build/Release/legacy.node": binary(f"{arch}/demo.node"),
        "lib/libgood.so.1": binary(f"{arch}/libgood.so"),
    }


def good_provided(arch: str, program_name: str) -> Manifest:
    return {
        "bootstrap": program(f"{arch}/{program_name}"),
        "extensions/telemetry": program(f"{arch}/{program_name}"),
        "bin/tool": program(f"{arch}/{program_name}"),
        "lib/libgood.so.1": binary(f"{arch}/libgood.so"),
    }


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(
    "manifest_of, runtime",
    [
        pytest.param(lambda arch: good_python(arch, "311"), "python3.11", id="python3.11"),
        pytest.param(lambda arch: good_python(arch, "312"), "python3.12", id="python3.12"),
        pytest.param(good_node, "nodejs22.x", id="nodejs22.x"),
        pytest.param(lambda arch: good_provided(arch, "hello-old"), "provided.al2", id="provided.al2"),
        # A program from this machine's glibc needs GLIBC_2.34: fine on Amazon Linux 2023.
        pytest.param(lambda arch: good_provided(arch, "hello"), "provided.al2023", id="provided.al2023"),
    ],
)
def test_good_layer_is_silent(tmp_path, arch, manifest_of, runtime):
    layer = check(tmp_path, manifest_of(arch), f"{runtime}/{arch}")
    assert layer.findings == []


def test_good_layer_is_silent_as_a_folder_too(tmp_path):
    layer = check(tmp_path, good_python("x86_64", "312"), "python3.12/x86_64", kind="folder")
    assert layer.findings == []


# --- LL201 non-linux-binary ----------------------------------------------------------------------


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(
    "fixture, detail",
    [
        pytest.param(MACHO_ARM64, "Mach-O arm64: built on macOS", id="mach-o-thin"),
        pytest.param(MACHO_UNIVERSAL2, "Mach-O x86_64+arm64: built on macOS", id="mach-o-fat"),
    ],
)
def test_ll201_macos_extension_module(tmp_path, arch, fixture, detail):
    path = "python/markupsafe/_speedups.cpython-312-darwin.so"
    manifest = {"python/markupsafe/__init__.py": "", path: binary(fixture)}
    finding = only(check(tmp_path, manifest, f"python3.12/{arch}"), "LL201")
    assert (finding.severity, finding.path) == ("error", path)
    # Tagged for macOS: Linux's Python never opens it, so the import finds no module at all.
    assert detail in finding.message and "'No module named _speedups'" in finding.message
    assert finding.data["format"] == "mach-o"
    assert target_names(finding) == {f"python3.12/{arch}"}
    assert f"--platform manylinux2014_{MACHINE[arch]}" in finding.fix
    untagged = only(check(tmp_path / "untagged", {"python/markupsafe/__init__.py": "", "python/markupsafe/_speedups.so": binary(fixture)}, f"python3.12/{arch}"), "LL201")
    assert "invalid ELF header" in untagged.message  # a plain .so is opened, and refused


def test_ll201_fix_names_the_distribution_and_one_command_per_architecture(tmp_path):
    path = "python/markupsafe/_speedups.cpython-312-darwin.so"
    manifest = {
        "python/markupsafe/__init__.py": "",
        path: binary(MACHO_UNIVERSAL2),
        "python/MarkupSafe-3.0.2.dist-info/METADATA": "Metadata-Version: 2.1\nName: MarkupSafe\nVersion: 3.0.2\nRequires-Python: >=3.9\n",
        "python/MarkupSafe-3.0.2.dist-info/RECORD": f"markupsafe/__init__.py,,\n{path[len('python/'):]},,\n",
    }
    finding = only(check(tmp_path, manifest, "python3.12/x86_64", "python3.12/arm64"), "LL201")
    assert finding.fix.count("pip install") == 2 and "one layer per architecture" in finding.fix
    commands = re.findall(r"for (x86_64|arm64): (pip install [^;]*)", finding.fix)
    assert sorted(arch for arch, _ in commands) == ["arm64", "x86_64"]
    for arch, command in commands:
        platforms = set(re.findall(r"--platform \S+_(x86_64|aarch64)\b", command))
        assert platforms == {MACHINE[arch]}, command  # each command one CPU's wheels
    assert finding.fix.count("'MarkupSafe==3.0.2'") == 2 and "<package>" not in finding.fix


def test_ll208_fix_leaves_out_a_version_that_does_not_support_the_target_python(tmp_path):
    manifest = wheel_layer(["cp312-cp312-manylinux2014_x86_64"])
    # A License header continued over 60 KB of lines, one of them only spaces, before Requires-Python
    # (numpy's METADATA has it 58 KB in), and a long description after the headers.
    licence = "".join(f"        Copyright line {i}\n" for i in range(2500))
    manifest["python/demo-1.0.dist-info/METADATA"] = (
        "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nLicense: BSD\n" + licence + "        \n        More\nRequires-Python: >=3.10\n\n" + "Description\n" * 50_000
    )
    finding = only(check(tmp_path, manifest, "python3.9/x86_64"), "LL208")
    assert "--python-version 3.9" in finding.fix and finding.fix.endswith("--target python 'demo'")
    supported = only(check(tmp_path / "ok", manifest, "python3.11/x86_64"), "LL208")
    assert supported.fix.endswith("--target python 'demo==1.0'")


@pytest.mark.parametrize("arch", ARCHES)
def test_ll201_windows_extension_module(tmp_path, arch):
    path = "python/markupsafe/_speedups.cp312-win_amd64.pyd"
    finding = only(check(tmp_path, {"python/markupsafe/__init__.py": "", path: binary(PE_PYD)}, f"python3.12/{arch}"), "LL201")
    assert finding.path == path and "PE x86_64: built for Windows" in finding.message
    assert (finding.data["format"], finding.data["arch"]) == ("pe", "x86_64")


@pytest.mark.parametrize("arch", ARCHES)
def test_ll201_by_content_not_name(tmp_path, arch):
    # A Mach-O named like a Linux library, and a Windows launcher named like a program.
    manifest = {"lib/libfast.so.1": binary(MACHO_ARM64), "bin/tool": program(SETUPTOOLS_LAUNCHERS[1])}
    layer = check(tmp_path, manifest, f"provided.al2023/{arch}")
    assert found(layer) == [("LL201", "bin/tool"), ("LL201", "lib/libfast.so.1")]
    assert "Mach-O arm64" in only(layer, "LL201", "lib/libfast.so.1").message
    assert "PE x86_64" in only(layer, "LL201", "bin/tool").message


@pytest.mark.parametrize("arch", ARCHES)
def test_ll201_dotnet_assembly_with_native_code(tmp_path, arch):
    # clr-loader's ClrLoader.dll has a CLR header without the IL-only flag: it is native code.
    finding = only(check(tmp_path, {"lib/ClrLoader.dll": binary(DOTNET_WITH_NATIVE_CODE)}, f"dotnet10/{arch}"), "LL201")
    assert "PE x86_64" in finding.message


@pytest.mark.parametrize("arch", ARCHES)
def test_dotnet_il_only_assembly_is_not_native_code(tmp_path, arch):
    data = binary(DOTNET_IL_ONLY)
    assert data[:2] == b"MZ" and sniff(data[:4096]) is None
    manifest = {"lib/WebBrowserInterop.x64.dll": data, "bin/Interop.dll": data}
    assert check(tmp_path, manifest, f"dotnet10/{arch}").findings == []


# --- LL202 wrong-architecture --------------------------------------------------------------------


@pytest.mark.parametrize("arch", ARCHES)
def test_ll202_library_and_program_for_the_other_cpu(tmp_path, arch):
    other = OTHER_ARCH[arch]
    manifest = {"lib/libgood.so.1": binary(f"{other}/libgood.so"), "bootstrap": program(f"{other}/hello-old")}
    layer = check(tmp_path, manifest, f"provided.al2023/{arch}")
    assert found(layer) == [("LL202", "bootstrap"), ("LL202", "lib/libgood.so.1")]
    finding = only(layer, "LL202", "lib/libgood.so.1")
    assert finding.severity == "error"
    assert f"ELF for {other}" in finding.message and f"runs on {arch}" in finding.message
    assert finding.data["arch"] == other and finding.data["wanted"] == [arch]


@pytest.mark.parametrize("arch", ARCHES)
def test_ll202_python_extension_for_the_other_cpu_only(tmp_path, arch):
    # No sibling fits, so the module is loaded and fails; LL202 wins over LL207 for it.
    other = OTHER_ARCH[arch]
    name, extension = demo_extension(other, "312")
    path = f"python/demo/{name}"
    layer = check(tmp_path, {"python/demo/__init__.py": "", path: extension}, f"python3.12/{arch}")
    assert found(layer) == [("LL202", path)]


@pytest.mark.parametrize("arch", ARCHES)
def test_ll202_32_bit(tmp_path, arch):
    finding = only(check(tmp_path, {"lib/lib32.so": binary("i386/lib32.so")}, f"provided.al2023/{arch}"), "LL202")
    assert "32-bit ELF (i386)" in finding.message and finding.data["bits"] == 32


def test_ll202_one_finding_per_package(tmp_path):
    manifest = {
        "python/fast/__init__.py": "",
        "python/fast/libgood.so": binary("x86_64/libgood.so"),
        "python/fast/libstatx.so": binary("x86_64/libstatx.so"),
    }
    finding = only(check(tmp_path, manifest, "python3.12/arm64"), "LL202")
    assert finding.path == "python/fast/" and "2 binaries in python/fast/" in finding.message
    assert finding.data["members"] == ["python/fast/libgood.so", "python/fast/libstatx.so"]


# --- LL203 glibc-too-new ---------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ARCHES)
def test_ll203_statx_needs_glibc_2_28(tmp_path, arch):
    manifest = {"python/fs/__init__.py": "", "python/fs/libstatx.so": binary(f"{arch}/libstatx.so")}
    finding = only(check(tmp_path, manifest, f"python3.11/{arch}"), "LL203")
    assert finding.severity == "error" and finding.path == "python/fs/libstatx.so"
    assert "needs GLIBC_2.28 (for statx)" in finding.message
    assert "glibc 2.26" in finding.message and "version `GLIBC_2.28' not found" in finding.message
    assert "python3.12" in finding.data["loads_on"] and "python3.11" not in finding.data["loads_on"]
    assert finding.data["available"] == "GLIBC_2.26" and finding.data["symbols"] == ["statx"]
    # Amazon Linux 2023 has glibc 2.34.
    assert check(tmp_path / "al2023", manifest, f"python3.12/{arch}").findings == []


@pytest.mark.parametrize("arch", ARCHES)
def test_ll203_program_from_a_current_glibc_on_amazon_linux_2(tmp_path, arch):
    finding = only(check(tmp_path, {"bootstrap": program(f"{arch}/hello")}, f"provided.al2/{arch}"), "LL203")
    assert "GLIBC_2.34 (for __libc_start_main)" in finding.message
    assert "provided.al2023" in finding.data["loads_on"]


def test_ll203_newer_than_every_lambda_os(tmp_path):
    finding = only(check(tmp_path, {"lib/librandom.so": binary("x86_64/libarc4random.so")}, "python3.12/x86_64"), "LL203")
    assert "needs GLIBC_2.36 (for arc4random)" in finding.message and "glibc 2.34" in finding.message
    assert finding.data["loads_on"] == [] and "no current runtime" in finding.message


def test_ll203_loads_on_counts_the_libraries_a_program_loads(tmp_path):
    # bin/prog, built on a current glibc, needs GLIBC_2.34 itself, and its bundled
    # lib/librandom.so.1 GLIBC_2.36 (arc4random): provided.al2023's glibc 2.34 fits the program
    # but not what it loads.
    gcc = require("gcc", "builds a program and its library")
    (tmp_path / "r.c").write_text("#include <stdlib.h>\nunsigned r(void) { return arc4random(); }\n")
    (tmp_path / "prog.c").write_text("unsigned r(void);\nint main(void) { return (int) r(); }\n")
    built = subprocess.run([gcc, "-shared", "-fPIC", "-Wl,-soname,librandom.so.1", "-o", "librandom.so.1", "r.c"], cwd=tmp_path, capture_output=True)
    if built.returncode != 0:
        pytest.skip(f"this glibc has no arc4random: {built.stderr.decode()[:200]}")
    subprocess.run([gcc, "-o", "prog", "prog.c", "-L.", "-l:librandom.so.1"], cwd=tmp_path, check=True, capture_output=True)
    manifest = {"bin/prog": ((tmp_path / "prog").read_bytes(), EXEC_MODE), "lib/librandom.so.1": (tmp_path / "librandom.so.1").read_bytes()}
    layer = check(tmp_path / "layer", manifest, "provided.al2/x86_64")
    finding = only(layer, "LL203", "bin/prog")
    assert "needs GLIBC_2.34" in finding.message
    assert finding.data["loads_on"] == [] and "no OS-only runtime has that glibc" in finding.message
    alone = only(check(tmp_path / "alone", {"bin/prog": manifest["bin/prog"]}, "provided.al2/x86_64"), "LL203", "bin/prog")
    assert "provided.al2023" in alone.data["loads_on"]


def test_ll203_leaves_a_module_for_another_python_to_ll207(tmp_path):
    # A cp311 module that also needs glibc 2.28: python3.12 never imports it, so only LL207 speaks.
    manifest = {"python/fs/__init__.py": "", "python/fs/_statx.cpython-311-x86_64-linux-gnu.so": binary("x86_64/libstatx.so")}
    assert found(check(tmp_path, manifest, "python3.12/x86_64")) == [("LL207", "python/fs/_statx.cpython-311-x86_64-linux-gnu.so")]
    assert "LL203" in {code for code, _ in found(check(tmp_path / "311", manifest, "python3.11/x86_64"))}


def test_ll203_ignores_a_weak_version_need(tmp_path):
    # The same library with its GLIBC_2.28 need flagged WEAK: the loader accepts it on 2.26.
    assert check(tmp_path, {"lib/libstatx.so": binary("x86_64/libstatx-weak.so")}, "python3.11/x86_64").findings == []


def test_ll203_not_for_binaries_the_target_does_not_load(tmp_path):
    # python3.12 never reads python3.11's folder.
    manifest = {"python/lib/python3.11/site-packages/fs/libstatx.so": binary("x86_64/libstatx.so")}
    layer = check(tmp_path, manifest, "python3.11/x86_64", "python3.12/x86_64")
    assert target_names(only(layer, "LL203")) == {"python3.11/x86_64"}


# --- LL204 musl-binary -----------------------------------------------------------------------------


def test_ll204_musl_program_by_its_interpreter(tmp_path):
    finding = only(check(tmp_path, {"bin/hello": program("musl/hello")}, "provided.al2023/x86_64"), "LL204")
    assert finding.severity == "error" and finding.path == "bin/hello"
    assert "/lib/ld-musl-x86_64.so.1" in finding.message and finding.data["musl"] == "/lib/ld-musl-x86_64.so.1"


@pytest.mark.parametrize("arch", ARCHES)
def test_ll204_musllinux_extension_module(tmp_path, arch):
    name = MUSL_EXTENSION[arch].rsplit("/", 1)[-1]
    path = f"python/markupsafe/{name}"
    layer = check(tmp_path, {"python/markupsafe/__init__.py": "", path: binary(MUSL_EXTENSION[arch])}, f"python3.12/{arch}")
    assert found(layer) == [("LL204", path)]  # not LL207 as well: one bad binary, one finding
    finding = only(layer, "LL204")
    musl = f"libc.musl-{MACHINE[arch]}.so.1"
    assert finding.data["musl"] == musl and f"{musl}: cannot open shared object file" in finding.message
    assert "manylinux2014" in finding.fix  # manylinux wheels are built against glibc


def test_ll204_is_the_one_finding_for_a_musl_module(tmp_path):
    path = "python/markupsafe/" + MUSL_EXTENSION["x86_64"].rsplit("/", 1)[-1]
    manifest = {"python/markupsafe/__init__.py": "", path: binary(MUSL_EXTENSION["x86_64"])}
    report = lint(build(tmp_path, "zip", manifest), targets=["python3.12/x86_64"], as_of=AS_OF, select=["LL2"])
    assert [(f.code, f.path) for f in report.layers[0].findings] == [("LL204", path)]  # no LL206 for libc.musl-x86_64.so.1


def test_ll204_gives_way_to_ll202(tmp_path):
    layer = check(tmp_path, {"bin/hello": program("musl/hello")}, "provided.al2023/arm64")
    assert found(layer) == [("LL202", "bin/hello")]


# --- LL207 python-abi-mismatch ---------------------------------------------------------------------


@pytest.mark.parametrize("arch", ARCHES)
def test_ll207_module_for_another_python(tmp_path, arch):
    name, extension = demo_extension(arch, "311")
    path = f"python/demo/{name}"
    finding = only(check(tmp_path, {"python/demo/__init__.py": "", path: extension}, f"python3.12/{arch}"), "LL207")
    assert finding.severity == "error" and finding.path == path
    assert f"cpython-311-{TRIPLET[arch]}" in finding.message and "python3.12" in finding.message
    assert "--python-version 3.12" in finding.fix and f"manylinux2014_{MACHINE[arch]}" in finding.fix


@pytest.mark.parametrize("arch", ARCHES)
def test_ll207_silent_when_a_sibling_fits(tmp_path, arch):
    old, old_data = demo_extension(arch, "311")
    new, new_data = demo_extension(arch, "312")
    manifest = {"python/demo/__init__.py": "", f"python/demo/{old}": old_data, f"python/demo/{new}": new_data}
    assert check(tmp_path, manifest, f"python3.12/{arch}").findings == []


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("twin", ["python/demo/_demo.py", "python/demo/_demo/__init__.py"])
def test_no_finding_when_python_falls_back_to_a_pure_python_twin(tmp_path, arch, twin):
    # mypyc-compiled packages (charset-normalizer, in every requests layer) ship md.py beside
    # md.cpython-312-x86_64-linux-gnu.so: where no build fits, the import takes the .py.
    name, extension = demo_extension(arch, "311")
    # mypyc's support module beside it, imported only by the compiled module.
    helper = name.replace("_demo.", "_demo__mypyc.")
    manifest = {"python/demo/__init__.py": "", f"python/demo/{name}": extension, f"python/demo/{helper}": extension}
    other = f"python3.12/{OTHER_ARCH[arch]}"
    assert {f.code for f in check(tmp_path / "alone", manifest, f"python3.12/{arch}", other).findings} == {"LL202", "LL207"}
    layer = check(tmp_path / "twin", {**manifest, twin: "x = 1\n"}, f"python3.12/{arch}", other)
    assert layer.findings == []
    assert [b.loaded for b in layer.binaries] == [False, False]


@pytest.mark.parametrize("arch", ARCHES)
def test_ll207_abi3_and_untagged_files(tmp_path, arch):
    _, extension = demo_extension(arch)
    manifest = {
        "python/demo/__init__.py": "",
        "python/demo/_demo.abi3.so": extension,  # fits any CPython 3
        "python/demo/_helper.so": extension,  # plain suffix: CPython imports it too
        "python/demo/libgood.so.1": binary(f"{arch}/libgood.so"),  # not a module name: a library
    }
    assert check(tmp_path, manifest, f"python3.11/{arch}", f"python3.12/{arch}").findings == []


def test_ll207_module_with_only_a_darwin_sibling(tmp_path):
    # Neither variant imports on Lambda: each is reported, the ELF one as LL207, the Mach-O as LL201.
    linux, data = demo_extension("x86_64", "311")
    manifest = {
        "python/demo/__init__.py": "",
        f"python/demo/{linux}": data,
        "python/demo/_demo.cpython-312-darwin.so": binary(MACHO_ARM64),
    }
    layer = check(tmp_path, manifest, "python3.12/x86_64")
    assert found(layer) == [("LL201", "python/demo/_demo.cpython-312-darwin.so"), ("LL207", f"python/demo/{linux}")]
    assert all(f.severity == "error" for f in layer.findings)


# --- LL208 incompatible-wheel-tag ------------------------------------------------------------------


def wheel_layer(tags: list[str], arch: str = "x86_64", python: str = "312") -> Manifest:
    name, extension = demo_extension(arch, python)
    return {
        "python/demo/__init__.py": "",
        f"python/demo/{name}": extension,
        "python/demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        "python/demo-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n" + "".join(f"Tag: {tag}\n" for tag in tags),
    }


@pytest.mark.parametrize("arch", ARCHES)
def test_ll208_wheel_for_the_other_cpu(tmp_path, arch):
    other = MACHINE[OTHER_ARCH[arch]]
    manifest = wheel_layer([f"cp312-cp312-manylinux_2_17_{other}", f"cp312-cp312-manylinux2014_{other}"], arch)
    finding = only(check(tmp_path, manifest, f"python3.12/{arch}"), "LL208")
    assert finding.severity == "error" and finding.path == "python/demo-1.0.dist-info/"
    assert "demo 1.0" in finding.message and "another CPU" in finding.message
    assert finding.data["distribution"] == "demo" and finding.data["version"] == "1.0"
    assert "'demo==1.0'" in finding.fix and f"--platform manylinux2014_{MACHINE[arch]}" in finding.fix
    assert check(tmp_path / "right", wheel_layer([f"cp312-cp312-manylinux2014_{MACHINE[arch]}"], arch), f"python3.12/{arch}").findings == []


@pytest.mark.parametrize(
    "tags, runtime, why",
    [
        pytest.param(["cp312-cp312-macosx_11_0_arm64"], "python3.12", "macOS wheel", id="macos"),
        pytest.param(["cp312-cp312-win_amd64"], "python3.12", "Windows wheel", id="windows"),
        pytest.param(["cp312-cp312-musllinux_1_2_x86_64"], "python3.12", "musllinux", id="musllinux"),
        pytest.param(["cp311-cp311-manylinux_2_28_x86_64"], "python3.11", "manylinux_2_28 needs glibc 2.28", id="manylinux_2_28-on-al2"),
        pytest.param(["cp311-cp311-manylinux2014_x86_64"], "python3.12", "not CPython 3.12", id="cp311-on-3.12"),
        pytest.param(["cp312-cp312-manylinux_2_x_x86_64"], "python3.12", "no tag names a platform pip installs", id="malformed-platform"),
    ],
)
def test_ll208_wheels_that_cannot_install(tmp_path, tags, runtime, why):
    finding = only(check(tmp_path, wheel_layer(tags, python=runtime[-2:].replace(".", "")), f"{runtime}/x86_64"), "LL208")
    assert why in finding.message and tags[0] in finding.message


def test_ll208_manylinux_2_28_is_fine_on_amazon_linux_2023(tmp_path):
    assert check(tmp_path, wheel_layer(["cp312-cp312-manylinux_2_28_x86_64"]), "python3.12/x86_64").findings == []


def test_ll208_built_from_source_is_info(tmp_path):
    finding = only(check(tmp_path, wheel_layer(["cp312-cp312-linux_x86_64"]), "python3.12/x86_64"), "LL208")
    assert finding.severity == "info" and "built from source" in finding.message


def test_ll208_is_a_warning_when_every_compiled_module_gives_way_to_pure_python(tmp_path):
    # charset-normalizer's way: md.py beside md.cpython-312-x86_64-linux-gnu.so, listed in RECORD.
    manifest = wheel_layer(["cp312-cp312-manylinux2014_x86_64"])
    name = next(path for path in manifest if path.endswith(".so")).rsplit("/", 1)[-1]
    record = f"demo/__init__.py,,\ndemo/{name},,\ndemo/_demo.py,,\ndemo-1.0.dist-info/RECORD,,\n"
    manifest = {**manifest, "python/demo/_demo.py": "x = 1\n", "python/demo-1.0.dist-info/RECORD": record}
    finding = only(check(tmp_path, manifest, "python3.12/arm64"), "LL208")
    assert finding.severity == "warning" and "pure-Python versions" in finding.message
    del manifest["python/demo/_demo.py"]
    layer = check(tmp_path / "alone", manifest, "python3.12/arm64")
    assert only(layer, "LL208").severity == "error"


def test_ll208_is_info_when_another_build_in_the_layer_loads(tmp_path):
    # Two wheels installed over each other: the x86_64 one's metadata, both builds of the module.
    manifest = wheel_layer(["cp312-cp312-manylinux2014_x86_64"], "x86_64")
    x86, _ = demo_extension("x86_64", "312")
    arm, arm_data = demo_extension("arm64", "312")
    manifest[f"python/demo/{arm}"] = arm_data
    manifest["python/demo-1.0.dist-info/RECORD"] = f"demo/__init__.py,,\ndemo/{x86},,\n"
    finding = only(check(tmp_path, manifest, "python3.12/arm64"), "LL208")
    assert finding.severity == "info" and "another build of them in the layer does" in finding.message


def test_ll208_not_for_a_folder_the_target_does_not_read(tmp_path):
    manifest = {path.replace("python/", "python/lib/python3.11/site-packages/"): data for path, data in wheel_layer(["cp311-cp311-manylinux2014_x86_64"], python="311").items()}
    assert check(tmp_path, manifest, "python3.12/x86_64").findings == []  # python3.12 never imports it: LL103's business
    assert only(check(tmp_path / "read", manifest, "python3.11/arm64"), "LL208").severity == "error"


@pytest.mark.parametrize("arch, glibc_minor", [("x86_64", 26), ("arm64", 26)])
def test_ll208_pip_command_lists_every_manylinux_platform(tmp_path, arch, glibc_minor):
    finding = only(check(tmp_path, wheel_layer(["cp311-cp311-manylinux_2_28_x86_64"], python="311"), f"python3.11/{arch}"), "LL208")
    machine = MACHINE[arch]
    platforms = re.findall(r"--platform (\S+)", finding.fix)
    assert platforms == [f"manylinux_2_{n}_{machine}" for n in range(glibc_minor, 17, -1)] + [f"manylinux2014_{machine}"]
    assert "--python-version 3.11" in finding.fix and "--only-binary=:all:" in finding.fix and "--target python" in finding.fix


# --- LL209 damaged-elf -----------------------------------------------------------------------------


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize("cut", [200, 1000, 3000, -1], ids=["in-program-headers", "in-dynamic-data", "in-code", "last-byte"])
def test_ll209_truncated_library(tmp_path, arch, cut):
    data = binary(f"{arch}/libgood.so")
    layer = check(tmp_path, {"lib/libgood.so.1": data[:cut]}, f"provided.al2023/{arch}")
    finding = only(layer, "LL209")
    assert (finding.severity, finding.path) == ("error", "lib/libgood.so.1")
    assert "cannot be read" in finding.message and finding.data["error"]
    assert found(layer) == [("LL209", "lib/libgood.so.1")]


@pytest.mark.parametrize("arch", ARCHES)
def test_ll209_truncated_extension_module(tmp_path, arch):
    name, extension = demo_extension(arch, "312")
    path = f"python/demo/{name}"
    layer = check(tmp_path, {"python/demo/__init__.py": "", path: extension[: len(extension) // 2]}, f"python3.12/{arch}")
    assert found(layer) == [("LL209", path)]


@pytest.mark.parametrize("arch", ARCHES)
def test_ll209_header_cut_short(tmp_path, arch):
    # Too short for the machine field: not "the wrong CPU", a damaged file.
    layer = check(tmp_path, {"lib/libgood.so.1": truncated(f"{arch}/libgood.so", 16)}, f"provided.al2023/{arch}")
    assert found(layer) == [("LL209", "lib/libgood.so.1")]


def test_ll209_sstripped_file_cut_inside_a_loaded_segment(tmp_path):
    data = binary("x86_64/hello-sstripped")
    finding = only(check(tmp_path, {"bin/hello": (data[:4000], EXEC_MODE)}, "provided.al2023/x86_64"), "LL209")
    assert "PT_LOAD" in finding.data["error"]


def test_ll209_corrupt_program_headers(tmp_path):
    data = bytearray(binary("x86_64/libstatx.so"))
    phoff = int.from_bytes(data[0x20:0x28], "little")
    data[phoff : phoff + 56 * 6] = bytes(56 * 6)  # every program header zeroed: nothing to load
    layer = check(tmp_path, {"lib/libstatx.so": bytes(data)}, "provided.al2023/x86_64")
    assert found(layer) == [("LL209", "lib/libstatx.so")]


def test_damaged_version_needs_cannot_loop():
    """.gnu.version_r entries linked to themselves (vn_next 0) with a huge count (sh_info):
    reading stops at the section's size, as damage, instead of looping for billions of steps."""
    data = bytearray(binary("x86_64/libstatx.so"))
    elf = ELFFile(io.BytesIO(bytes(data)))
    index, section = next((i, s) for i, s in enumerate(elf.iter_sections()) if s.name == ".gnu.version_r")
    entry = elf.header["e_shoff"] + index * elf.header["e_shentsize"]  # the section's own header
    data[entry + 44 : entry + 48] = (0xFFFFFFFF).to_bytes(4, "little")  # sh_info: number of entries
    data[section["sh_offset"] + 12 : section["sh_offset"] + 16] = bytes(4)  # vn_next of the first entry
    facts = read_elf(bytes(data), complete=True)
    assert facts is not None and "version needs" in (facts.error or "")


def test_ll209_warning_when_no_target_loads_the_file(tmp_path):
    manifest = {"python/lib/python3.9/site-packages/demo/libgood.so": truncated("x86_64/libgood.so", 1000)}
    finding = only(check(tmp_path, manifest, "python3.12/x86_64"), "LL209")
    assert finding.severity == "warning"


def loaded_bytes(data: bytes) -> int:
    """Where the last PT_LOAD segment ends: a copy cut after that still loads (what follows is
    only sections the loader never reads)."""
    elf = ELFFile(io.BytesIO(data))
    return max(segment["p_offset"] + segment["p_filesz"] for segment in elf.iter_segments(type="PT_LOAD"))


def test_every_cut_of_every_elf_fixture_is_a_finding_never_a_traceback(tmp_path):
    """Cuts every 97 bytes through each ELF fixture, from just after the magic: read_elf never
    raises and calls each cut damaged, and a layer of cut copies gives one LL209 per member."""
    manifest: dict[str, bytes] = {}
    for name in elf_names():
        data = binary(name)
        loadable = len(data) if name != "x86_64/hello-sstripped" else loaded_bytes(data)  # no section headers at its end
        for index, size in enumerate(range(len(b"\x7fELF"), loadable, 97)):
            facts = read_elf(data[:size], complete=True)
            assert facts is None or facts.error, (name, size)
            if name.startswith("x86_64/") and index % 5 == 0:
                manifest[f"lib/{name.replace('/', '-')}.{size}"] = data[:size]
    layer = check(tmp_path, manifest, "provided.al2023/x86_64")
    paths = [f.path for f in layer.findings]
    assert sorted(paths) == sorted(manifest) and {f.code for f in layer.findings} == {"LL209"}


# --- what each target loads ------------------------------------------------------------------------


def prebuilds(*platforms: str) -> Manifest:
    """A Node package with prebuilt addons (prebuildify's layout) for the given platforms."""
    builds = {
        "linux-x64": binary("x86_64/napi.node"),
        "linux-arm64": binary("arm64/napi.node"),
        "darwin-arm64": binary(MACHO_ARM64),
        "darwin-x64": binary(MACHO_UNIVERSAL2),
        "win32-x64": binary(PE_PYD),
    }
    manifest: dict = {"nodejs/node_modules/fast/package.json": '{"name": "fast"}', "nodejs/node_modules/fast/index.js": ""}
    for platform in platforms:
        manifest[f"nodejs/node_modules/fast/prebuilds/{platform}/fast.node"] = builds[platform]
    return manifest


@pytest.mark.parametrize("arch", ARCHES)
def test_node_prebuilds_for_both_architectures_pass_on_both(tmp_path, arch):
    layer = check(tmp_path, prebuilds("linux-x64", "linux-arm64", "darwin-arm64", "win32-x64"), f"nodejs22.x/{arch}")
    assert layer.findings == []


def test_node_prebuilds_darwin_beside_linux_x64(tmp_path):
    manifest = prebuilds("linux-x64", "darwin-arm64")
    assert check(tmp_path, manifest, "nodejs22.x/x86_64").findings == []
    # On arm64 no build fits: every variant is loaded and reported.
    layer = check(tmp_path / "arm64", manifest, "nodejs22.x/arm64")
    assert found(layer) == [
        ("LL201", "nodejs/node_modules/fast/prebuilds/darwin-arm64/fast.node"),
        ("LL202", "nodejs/node_modules/fast/prebuilds/linux-x64/fast.node"),
    ]


@pytest.mark.parametrize("arch", ARCHES)
def test_node_prebuilds_with_only_darwin_builds(tmp_path, arch):
    layer = check(tmp_path, prebuilds("darwin-arm64", "darwin-x64"), f"nodejs22.x/{arch}")
    assert found(layer) == [
        ("LL201", "nodejs/node_modules/fast/prebuilds/darwin-arm64/fast.node"),
        ("LL201", "nodejs/node_modules/fast/prebuilds/darwin-x64/fast.node"),
    ]
    assert all(f.severity == "error" for f in layer.findings)


def platform_package(name: str, manifest_fields: dict, addon: bytes) -> Manifest:
    """A Node platform package (sharp's @img/sharp-<platform>-<arch>) that declares os/cpu/libc."""
    folder = f"nodejs/node_modules/@img/{name}"
    return {f"{folder}/package.json": json.dumps({"name": f"@img/{name}", **manifest_fields}), f"{folder}/lib/sharp.node": addon}


def sharp_packages(*platforms: str) -> Manifest:
    packages = {
        "linux-x64": ({"os": ["linux"], "cpu": ["x64"], "libc": ["glibc"]}, binary("x86_64/napi.node")),
        "linux-arm64": ({"os": ["linux"], "cpu": ["arm64"], "libc": ["glibc"]}, binary("arm64/napi.node")),
        "linuxmusl-x64": ({"os": ["linux"], "cpu": ["x64"], "libc": ["musl"]}, binary(MUSL_EXTENSION["x86_64"])),
        "darwin-arm64": ({"os": ["darwin"], "cpu": ["arm64"]}, binary(MACHO_ARM64)),
    }
    manifest: dict = {"nodejs/node_modules/sharp/package.json": '{"name": "sharp"}'}
    for platform in platforms:
        fields, addon = packages[platform]
        manifest.update(platform_package(f"sharp-{platform}", fields, addon))
    return manifest


@pytest.mark.parametrize("arch", ARCHES)
def test_node_platform_packages_excluded_by_os_cpu_libc_are_not_loaded(tmp_path, arch):
    layer = check(tmp_path, sharp_packages("linux-x64", "linux-arm64", "linuxmusl-x64", "darwin-arm64"), f"nodejs22.x/{arch}")
    assert layer.findings == []


def test_node_platform_packages_none_for_the_target(tmp_path):
    manifest = sharp_packages("linux-x64", "darwin-arm64")
    assert check(tmp_path, manifest, "nodejs22.x/x86_64").findings == []
    layer = check(tmp_path / "arm64", manifest, "nodejs22.x/arm64")
    assert found(layer) == [
        ("LL201", "nodejs/node_modules/@img/sharp-darwin-arm64/lib/sharp.node"),
        ("LL202", "nodejs/node_modules/@img/sharp-linux-x64/lib/sharp.node"),
    ]


def test_node_platform_package_alone_for_another_cpu(tmp_path):
    layer = check(tmp_path, sharp_packages("linux-arm64"), "nodejs22.x/x86_64")
    assert found(layer) == [("LL202", "nodejs/node_modules/@img/sharp-linux-arm64/lib/sharp.node")]


@pytest.mark.parametrize("arch", ARCHES)
def test_python_extension_for_both_architectures_passes_on_both(tmp_path, arch):
    manifest: dict = {"python/demo/__init__.py": ""}
    for build_arch in ARCHES:
        name, data = demo_extension(build_arch, "312")
        manifest[f"python/demo/{name}"] = data
    manifest["python/demo/_demo.cpython-312-darwin.so"] = binary(MACHO_UNIVERSAL2)
    manifest["python/demo/_demo.cp312-win_amd64.pyd"] = binary(PE_PYD)
    assert check(tmp_path, manifest, f"python3.12/{arch}").findings == []


@pytest.mark.parametrize("arch", ARCHES)
def test_setuptools_windows_launchers_are_never_loaded(tmp_path, arch):
    manifest: dict = {
        "python/setuptools/__init__.py": "",
        "python/setuptools-80.9.0.dist-info/METADATA": "Metadata-Version: 2.4\nName: setuptools\nVersion: 80.9.0\n",
        "python/setuptools-80.9.0.dist-info/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    for launcher in SETUPTOOLS_LAUNCHERS:
        name = launcher.rsplit("/", 1)[-1]
        manifest[f"python/setuptools/{name}"] = binary(launcher)
        manifest[f"python/setuptools/{name.replace('cli', 'gui')}"] = binary(launcher)
    assert check(tmp_path, manifest, f"python3.11/{arch}", f"python3.12/{arch}").findings == []


# --- the fixtures: read_elf against readelf, and rebuilt files give the same facts --------------------


def readelf_facts(path: Path) -> dict:
    """NEEDED, SONAME, RPATH, RUNPATH and the non-weak version needs by file, from `readelf -V -d -W`."""
    text = subprocess.run(["readelf", "-V", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    facts: dict = {"needed": [], "soname": None, "rpath": [], "runpath": [], "version_needs": {}}
    for kind, value in re.findall(r"\((NEEDED|SONAME|RPATH|RUNPATH)\)\s+[^\[]*\[([^\]]*)\]", text):
        if kind == "NEEDED":
            facts["needed"].append(value)
        elif kind == "SONAME":
            facts["soname"] = value
        else:
            facts[kind.lower()] = [entry for entry in value.split(":") if entry]
    needs = re.search(r"Version needs section .*?(?:\n\n|\Z)", text, re.S)
    library = None
    for line in needs.group(0).splitlines() if needs else []:
        file_match = re.search(r"File: (\S+)\s+Cnt:", line)
        name_match = re.search(r"Name: (\S+)\s+Flags: (.*?)\s+Version:", line)
        if file_match:
            library = file_match.group(1)
        elif name_match and "WEAK" not in name_match.group(2):
            facts["version_needs"].setdefault(library, []).append(name_match.group(1))
    return facts


def inspector_facts(data: bytes) -> dict:
    elf = read_elf(data, complete=True)
    assert elf is not None and elf.error is None
    return {
        "needed": list(elf.needed),
        "soname": elf.soname,
        "rpath": list(elf.rpath),
        "runpath": list(elf.runpath),
        "version_needs": {library: list(versions) for library, versions in elf.version_needs.items()},
    }


def readelf_available() -> None:
    require("readelf", "binutils")


@pytest.mark.parametrize("name", elf_names())
def test_read_elf_agrees_with_readelf(name):
    readelf_available()
    path = FIXTURES / name
    expected = readelf_facts(path)
    got = inspector_facts(binary(name))
    assert got["needed"] == expected["needed"]
    assert (got["soname"], got["rpath"], got["runpath"]) == (expected["soname"], expected["rpath"], expected["runpath"])
    assert {lib: sorted(v) for lib, v in got["version_needs"].items()} == {lib: sorted(v) for lib, v in expected["version_needs"].items()}


def test_readelf_cross_check_sees_the_interesting_facts():
    """The cross-check is not vacuous: readelf reports what the fixtures were built to have."""
    readelf_available()
    folder = FIXTURES
    assert readelf_facts(folder / "x86_64/librpath.so")["rpath"] == ["$ORIGIN/../lib"]
    assert readelf_facts(folder / "x86_64/librunpath.so")["runpath"] == ["$ORIGIN/../lib"]
    assert "GLIBCXX_3.4.29" in readelf_facts(folder / "x86_64/libcxx.so")["version_needs"]["libstdc++.so.6"]
    assert readelf_facts(folder / "x86_64/libstatx-weak.so")["version_needs"] == {"libc.so.6": ["GLIBC_2.2.5"]}
    assert readelf_facts(folder / "x86_64/libneedsmissing.so")["needed"] == ["libmissing.so.1", "libc.so.6"]


def fixture_facts(data: bytes) -> dict:
    """What the rebuild must keep: every fact the rules read from an ELF file."""
    elf = read_elf(data, complete=True)
    assert elf is not None and elf.error is None
    return {
        "type": elf.elf_type,
        "machine": elf.machine,
        "class": elf.bits,
        "big_endian": elf.big_endian,
        "interpreter": elf.interpreter,
        "needed": elf.needed,
        "soname": elf.soname,
        "rpath": elf.rpath,
        "runpath": elf.runpath,
        "versions": {prefix: elf.versions(prefix) for prefix in ("GLIBC_", "GLIBCXX_", "CXXABI_", "GCC_")},
        "node_abi": elf.node_abi,
        "napi": elf.napi,
    }


def test_rebuilt_fixtures_give_the_same_facts(tmp_path):
    """fixtures/native/build.py, run again into a temporary folder, gives files with the same
    facts as the committed ones (bytes may differ with another compiler release)."""
    script = build_script()
    for compiler in script.missing_compilers():
        require(compiler, "fixtures/native/build.py needs it")
    built = script.build(tmp_path)
    assert sorted(built) == sorted(built_names())
    differ = {name: (fixture_facts(binary(name)), fixture_facts(path.read_bytes())) for name, path in built.items()}
    differ = {name: pair for name, pair in differ.items() if pair[0] != pair[1]}
    assert not differ, "rebuilt fixtures differ (committed, rebuilt): " + json.dumps(differ, indent=1, default=str)


def test_fixtures_have_the_facts_the_readme_promises():
    facts = {name: read_elf(binary(name), complete=True) for name in elf_names()}
    glibc = {name: max(f.versions("GLIBC_"), key=lambda v: tuple(map(int, v[6:].split("."))), default=None) for name, f in facts.items()}
    assert glibc["x86_64/libgood.so"] == "GLIBC_2.2.5" and glibc["arm64/libgood.so"] == "GLIBC_2.17"
    assert glibc["x86_64/hello-old"] == "GLIBC_2.2.5" and glibc["arm64/hello-old"] == "GLIBC_2.17"
    assert glibc["x86_64/hello"] == glibc["arm64/hello"] == "GLIBC_2.34"
    assert glibc["x86_64/libstatx.so"] == glibc["arm64/libstatx.so"] == "GLIBC_2.28"
    assert glibc["x86_64/libstatx-weak.so"] == "GLIBC_2.2.5"
    assert glibc["x86_64/libarc4random.so"] == "GLIBC_2.36"
    assert facts["x86_64/libcxx.so"].versions("GLIBCXX_") == ["GLIBCXX_3.4.29"]
    assert facts["x86_64/libchaintop.so"].rpath == ("$ORIGIN/../chain.libs",) and facts["x86_64/libchainmid.so.1"].rpath == ()
    assert facts["x86_64/libchainmid.so.1"].needed[0] == "libchainleaf.so.1" and facts["x86_64/libchainmid.so.1"].runpath == ()
    assert facts["x86_64/demo.node"].node_abi == facts["arm64/demo.node"].node_abi == 108
    assert facts["x86_64/napi.node"].napi and facts["arm64/napi.node"].napi and facts["x86_64/napi.node"].node_abi is None
    assert facts["musl/hello"].interpreter == "/lib/ld-musl-x86_64.so.1"
    assert (facts["i386/lib32.so"].bits, facts["i386/lib32.so"].machine) == (32, "EM_386")
    stripped = facts["x86_64/hello-sstripped"]
    assert stripped.needed == ("libc.so.6",) and stripped.interpreter == "/lib64/ld-linux-x86-64.so.2"
    assert b"\x7fELF" == binary("x86_64/hello-sstripped")[:4] and int.from_bytes(binary("x86_64/hello-sstripped")[0x3C:0x3E], "little") == 0


def test_fetched_fixtures_are_what_they_claim():
    heads = {name: sniff(binary(name)[:4096]) for name in (MACHO_ARM64, MACHO_UNIVERSAL2, PE_PYD, DOTNET_WITH_NATIVE_CODE, *SETUPTOOLS_LAUNCHERS)}
    assert [heads[name].describe() for name in SETUPTOOLS_LAUNCHERS] == ["PE i386", "PE x86_64", "PE arm64"]
    assert heads[MACHO_ARM64].describe() == "Mach-O arm64"
    assert heads[MACHO_UNIVERSAL2].describe() == "Mach-O x86_64+arm64"
    assert heads[PE_PYD].describe() == heads[DOTNET_WITH_NATIVE_CODE].describe() == "PE x86_64"
    assert sniff(binary(DOTNET_IL_ONLY)[:4096]) is None


@pytest.mark.network
def test_fetched_fixtures_match_their_pinned_wheels():
    result = subprocess.run([sys.executable, str(FIXTURES / "fetch.py"), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_fixture_readme_lists_every_fixture():
    readme = (FIXTURES / "README.md").read_text()
    fetched = [str(path.relative_to(FIXTURES)) for path in (FIXTURES / "fetched").rglob("*") if path.is_file()]
    missing = [name for name in built_names() + fetched if name.rsplit("/", 1)[-1] not in readme]
    assert not missing, f"fixtures/native/README.md does not mention {missing}"
    sources = sorted(path.name for path in (FIXTURES / "src").iterdir())
    used = sorted({source for recipe in build_script().BUILDS for source in recipe.sources})
    assert sources == used, "every source in fixtures/native/src/ is built, and only those"
