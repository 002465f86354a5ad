"""A model of glibc's dynamic loader on a Lambda target: where each DT_NEEDED is found.

Search order (ld.so(8)): the object's DT_RPATH and then its loaders' DT_RPATH, when the object
has no DT_RUNPATH; then LD_LIBRARY_PATH in order; then the object's DT_RUNPATH; then the system
folders. $ORIGIN is the folder of the object under /opt. On managed runtimes LD_LIBRARY_PATH
starts with /var/lang/lib, /lib64 and /usr/lib64 and ends with /opt/lib, so a libstdc++ bundled
in /opt/lib is shadowed by the system copy, while an RPATH of $ORIGIN/../lib is searched first.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Optional, Sequence

from .elf import ElfFacts
from .runtimes import OperatingSystem, Runtime

OPT = "/opt/"
_SYSTEM_FOLDERS = ("/lib64", "/usr/lib64")


@dataclass(frozen=True)
class Resolution:
    name: str  # the DT_NEEDED entry
    found: Optional[str]  # a layer path (zip-relative), or the system folder that has it
    tier: str  # "layer", "base", "live", "image", or "missing"
    via: str  # how it was found: "RPATH", "LD_LIBRARY_PATH", "RUNPATH", "system", or ""


@dataclass(frozen=True)
class Loader:
    """The object that loaded another: its folder in the layer and its search paths."""

    origin: str  # zip-relative folder of the loading object
    rpath: tuple[str, ...]
    has_runpath: bool


def expand(entry: str, origin: str) -> Optional[str]:
    """An RPATH/RUNPATH entry as an absolute path, with $ORIGIN as the object's folder under /opt."""
    base = posixpath.join("/opt", origin) if origin else "/opt"
    for token in ("$ORIGIN", "${ORIGIN}"):
        entry = entry.replace(token, base)
    if "$" in entry or not entry.startswith("/"):
        return None  # $LIB, $PLATFORM or a relative path: resolved against the process's cwd, unknowable here
    return posixpath.normpath(entry)


def resolve(
    name: str,
    path: str,
    elf: ElfFacts,
    loaders: Sequence[Loader],
    files: set[str],
    runtime: Runtime,
    os: Optional[OperatingSystem],
    arch: str,
) -> Resolution:
    """Where the loader finds `name`, needed by the layer file at `path`."""
    origin = posixpath.dirname(path)
    if "/" in name:  # a DT_NEEDED with a slash is a path, not a search
        found = _in_layer(expand(name, origin) or "", files)
        return Resolution(name, found, "layer" if found else "missing", "path" if found else "")
    steps: list[tuple[str, list[Optional[str]]]] = []
    if not elf.runpath:
        for loader in [Loader(origin, elf.rpath, False), *loaders]:
            if not loader.has_runpath:
                steps.append(("RPATH", [expand(e, loader.origin) for e in loader.rpath]))
    steps.append(("LD_LIBRARY_PATH", list(runtime.ld_library_path)))
    steps.append(("RUNPATH", [expand(e, origin) for e in elf.runpath]))
    steps.append(("system", list(_SYSTEM_FOLDERS)))
    # A library listed only in the container image may be absent on Lambda; then the search goes
    # on, so a copy further down the path (say /opt/lib) is the one that loads.
    tentative: Optional[Resolution] = None
    for via, folders in steps:
        for folder in folders:
            hit = _look(name, folder, files, os, arch)
            if hit is None:
                continue
            resolution = Resolution(name, hit[0], hit[1], via)
            if hit[1] != "image":
                return resolution
            tentative = tentative or resolution
    return tentative or Resolution(name, None, "missing", "")


def system_copy_first(name: str, runtime: Runtime, os: Optional[OperatingSystem], arch: str) -> Optional[str]:
    """The system folder whose copy of `name` the loader finds before /opt/lib when nothing's
    RPATH leads elsewhere (LD_LIBRARY_PATH puts /lib64 first on managed runtimes), or None when a
    copy in the layer's lib/ would be the one found. Only libraries the OS surely has count."""
    if os is None or os.library_tier(name, arch) not in ("base", "live"):
        return None
    for folder in runtime.ld_library_path:
        if folder == "/opt/lib":
            return None
        if folder in _SYSTEM_FOLDERS:
            return folder
    return _SYSTEM_FOLDERS[0]  # /opt/lib off LD_LIBRARY_PATH: only the system folders are searched


def _look(name: str, folder: Optional[str], files: set[str], os: Optional[OperatingSystem], arch: str) -> Optional[tuple[str, str]]:
    if folder is None:
        return None
    if folder.startswith(OPT) or folder == "/opt":
        found = _in_layer(posixpath.join(folder, name), files)
        return (found, "layer") if found is not None else None
    if folder in _SYSTEM_FOLDERS and os is not None:
        tier = os.library_tier(name, arch)
        return (folder, tier) if tier is not None else None
    return None


def _in_layer(absolute: str, files: set[str]) -> Optional[str]:
    if not absolute.startswith(OPT):
        return None
    relative = absolute[len(OPT) :]
    return relative if relative in files else None
