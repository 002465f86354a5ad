"""What each target's dynamic loader does with the layer's ELF files: every DT_NEEDED resolved.

Starts from the binaries a target loads (loading.natives) and follows the libraries they pull
in from the layer, carrying each loader's RPATH down the chain as glibc does.
"""

from __future__ import annotations

import dataclasses
import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Optional

from .elf import ElfFacts
from .loader import Loader, Resolution, resolve
from .loading import Native
from .report import Target
from .source import Entry

if TYPE_CHECKING:
    from .layer import Layer
    from .registry import Context


@dataclass(frozen=True)
class Linked:
    """One ELF file as one target loads it."""

    path: str
    elf: ElfFacts
    resolutions: tuple[Resolution, ...]
    root: Optional[Native]  # the binary itself when the target loads it directly; None for a pulled-in library
    # Whether it surely loads: it is, or is a dependency of, something Lambda or the runtime runs
    # (a program, an extension, an importable module or addon), not only a library in lib/ that
    # the function's own code may or may not load.
    certain: bool = False


def link(layer: "Layer", ctx: "Context", natives: list[Native]) -> dict[Target, list[Linked]]:
    """What each target's loader does with the layer's ELF files. Worked out once per layer,
    targets and natives, for LL205, LL206 and the report's binaries (the memo holds the
    knowledge base and the natives it was worked out with, so that their ids stay theirs)."""
    key = ("link", ctx.targets, id(ctx.kb), id(natives))
    return layer.memo(key, lambda: (ctx.kb, natives, _link(layer, ctx, natives)))[2]


def linked_paths(layer: "Layer", ctx: "Context", natives: list[Native]) -> dict[Target, set[str]]:
    """The layer files each target's loader loads: what the runtime loads, and what that pulls in
    (a library found through a program's RPATH, even one the OS also has)."""
    return {target: {item.path for item in items} for target, items in link(layer, ctx, natives).items()}


def _link(layer: "Layer", ctx: "Context", natives: list[Native]) -> dict[Target, list[Linked]]:
    files = set(layer.files_by_path)
    entries = layer.files_by_path
    by_path = {native.entry.path: native for native in natives}
    needed_names: dict[str, set[str]] = {}  # DT_NEEDED name -> the layer files that need it
    for native in natives:
        for name in native.elf.needed if native.elf is not None else ():
            needed_names.setdefault(name, set()).add(native.entry.path)
    result: dict[Target, list[Linked]] = {}
    for target in ctx.targets:
        runtime = ctx.kb.runtimes[target.runtime]
        os = ctx.kb.operating_systems.get(runtime.os or "")
        # The loader starts from what the runtime loads itself. A library another ELF file of the
        # layer needs is reached through that file instead, with its RPATH in the chain (numpy's
        # libgfortran finds libquadmath only through the extension module that loads it).
        # Binaries for another CPU never get as far as the search (LL202 reports them).
        queue: list[tuple[str, tuple[Loader, ...]]] = [
            (native.entry.path, ())
            for native in natives
            if native.elf is not None
            and native.decisions[target].loaded
            and native.head.arch == target.arch
            and not _needed_by_others(native, needed_names)
        ]
        done: dict[str, Linked] = {}
        while queue:
            path, loaders = queue.pop(0)
            real = follow(path, entries)
            entry = entries.get(real)
            elf = layer.elf(entry) if entry is not None else None
            head = layer.binaries.get(real)
            if real in done or elf is None or elf.error is not None or head is None or head.arch != target.arch:
                continue
            resolutions = tuple(resolve(name, real, elf, loaders, files, runtime, os, target.arch) for name in elf.needed)
            done[real] = Linked(real, elf, resolutions, by_path.get(real))
            chain = (Loader(posixpath.dirname(real), elf.rpath, bool(elf.runpath)), *loaders)
            queue.extend((r.found, chain) for r in resolutions if r.tier == "layer" and r.found is not None)
        certain = _surely_loaded(done, entries)
        result[target] = [dataclasses.replace(item, certain=item.path in certain) for item in done.values()]
    return result


def _surely_imported(native: Native) -> bool:
    """Programs, Node addons, and Python extension modules at the top of a search folder or of a
    package (python/pyodbc.so, python/psycopg2/_psycopg.so). Modules deeper down are often
    optional, imported inside try/except ImportError (numba's np/ufunc/omppool needs a libgomp
    that numba does without)."""
    role = native.candidate.role
    if role == "library":
        return False
    if role != "python-extension" or native.candidate.folder is None:
        return True
    below = native.entry.path[len(native.candidate.folder) + 1 :] if native.candidate.folder else native.entry.path
    return below.count("/") <= 1


def _surely_loaded(done: dict[str, Linked], entries: dict[str, Entry]) -> set[str]:
    """The linked files that surely load: the roots that are not mere libraries, and everything
    they pull in from the layer."""
    return reached(done, [path for path, item in done.items() if item.root is not None and _surely_imported(item.root)], entries)


def reached(linked: dict[str, Linked], starts: Iterable[str], entries: dict[str, Entry]) -> set[str]:
    """`starts` and every layer file they pull in, among one target's linked files (by path)."""
    stack = [path for path in starts if path in linked]
    found = set(stack)
    while stack:
        for resolution in linked[stack.pop()].resolutions:
            if resolution.tier == "layer" and resolution.found is not None:
                real = follow(resolution.found, entries)
                if real in linked and real not in found:
                    found.add(real)
                    stack.append(real)
    return found


def _needed_by_others(native: Native, needed_names: dict[str, set[str]]) -> bool:
    names = {native.entry.path.rsplit("/", 1)[-1]}
    if native.elf is not None and native.elf.soname:
        names.add(native.elf.soname)
    return any(needed_names.get(name, set()) - {native.entry.path} for name in names)


def follow(path: str, entries: dict[str, Entry]) -> str:
    """The file a symlink chain inside the layer ends at (libfoo.so.1 -> libfoo.so.1.2.3), as a
    layer path; an absolute path when the chain leaves the layer (/usr/lib64/...), whose file
    only the Lambda OS can have."""
    for _ in range(8):
        entry = entries.get(path)
        if entry is None or not entry.is_symlink or not entry.link_target:
            return path
        path = link_step(path, entry.link_target)
        if path.startswith("/"):
            return path
    return path


def link_step(path: str, target: str) -> str:
    """Where the link at layer path `path` with `target` leads, as Lambda unpacks it under /opt:
    a layer path, or an absolute path when it leaves the layer."""
    absolute = posixpath.normpath(posixpath.join("/opt", posixpath.dirname(path), target))
    return absolute[len("/opt/") :] if absolute.startswith("/opt/") else absolute


@dataclass(frozen=True)
class BinarySummary:
    """One native member as the report lists it (the inspect view reuses it)."""

    path: str
    format: str
    arch: Optional[str]
    glibc: Optional[str]  # newest GLIBC_ version needed
    glibcxx: Optional[str]  # newest GLIBCXX_ version needed
    needed: tuple[str, ...]
    unresolved: tuple[str, ...]  # DT_NEEDED found neither in the layer nor among the OS's known libraries, on some target
    loaded: bool  # some target loads it

    def to_json(self) -> dict:
        return {
            "path": self.path,
            "format": self.format,
            "arch": self.arch,
            "glibc": self.glibc,
            "glibcxx": self.glibcxx,
            "needed": list(self.needed),
            "unresolved": list(self.unresolved),
            "loaded": self.loaded,
        }


def summarize(layer: "Layer", ctx: "Context", natives: list[Native]) -> list[BinarySummary]:
    linked = link(layer, ctx, natives)
    unresolved: dict[str, set[str]] = {}
    pulled_in: set[str] = set()
    for items in linked.values():
        for item in items:
            pulled_in.add(item.path)
            missing = {r.name for r in item.resolutions if r.tier in ("missing", "image")}
            unresolved.setdefault(item.path, set()).update(missing)
    summaries = []
    for native in natives:
        elf = native.elf
        summaries.append(
            BinarySummary(
                path=native.entry.path,
                format=native.head.format,
                arch=native.head.arch,
                glibc=elf.newest("GLIBC_") if elf else None,
                glibcxx=elf.newest("GLIBCXX_") if elf else None,
                needed=elf.needed if elf else (),
                unresolved=tuple(sorted(unresolved.get(native.entry.path, ()))),
                loaded=bool(native.loaded_by()) or native.entry.path in pulled_in,
            )
        )
    return summaries
