"""LL205, LL206, LL210: do the libraries a loaded binary needs exist, in versions that fit?"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterator, Optional

from ..elf import version_key
from ..layer import Layer
from ..linkage import Linked, follow, link
from ..loading import natives
from ..registry import Context, Hit, Rule
from ..report import Target
from ..source import Entry

_EXAMPLES = 5


def _examples(paths: list[str]) -> str:
    shown = ", ".join(paths[:_EXAMPLES])
    return shown + (f" and {len(paths) - _EXAMPLES} more" if len(paths) > _EXAMPLES else "")


# LL206 ---------------------------------------------------------------------------------


def check_missing_shared_library(layer: Layer, ctx: Context) -> Iterator[Hit]:
    # (library, what is wrong, where it was found, whether it surely loads) -> needing member -> targets
    grouped: dict[tuple[str, str, str, bool], dict[str, list[Target]]] = defaultdict(lambda: defaultdict(list))
    entries = layer.files_by_path
    for target, linked in link(layer, ctx, natives(layer, ctx)).items():
        for item in linked:
            for resolution in item.resolutions:
                if resolution.name.startswith(("libc.musl-", "ld-musl-")):
                    continue  # a musl build: LL204 says so
                if resolution.tier in ("missing", "image"):
                    grouped[(resolution.name, resolution.tier, "", item.certain)][item.path].append(target)
                elif resolution.tier == "layer" and resolution.found is not None:
                    problem = _unloadable(layer, entries, resolution.found)
                    if problem is not None:
                        grouped[(resolution.name, problem[0], problem[1], item.certain)][item.path].append(target)
    elsewhere = _by_file_name(layer)
    for (name, tier, found, certain), members in sorted(grouped.items()):
        paths = sorted(members)
        targets = tuple(sorted({t for ts in members.values() for t in ts}))
        runtimes = sorted({t.runtime for t in targets})
        os_names = sorted({ctx.kb.operating_systems[ctx.kb.runtimes[r].os].name for r in runtimes if ctx.kb.runtimes[r].os in ctx.kb.operating_systems})
        fix = f"Bundle {name} (and what it needs) in lib/ of the layer, which is on LD_LIBRARY_PATH as /opt/lib, or link it statically."
        error = "cannot open shared object file"
        data = {"library": name, "needed_by": paths, "tier": tier}
        severity = None if certain else "warning"
        if tier == "image":
            problem = f"is only in the {' / '.join(os_names) or 'Lambda'} container image, which AWS calls similar to the execution environment, so it may be missing on Lambda"
            severity = "warning"
        elif tier == "broken-link":
            problem = f"is {found} in the layer, a symlink that {'loops' if found in entries and follow(found, entries) in entries else 'points to a file the layer lacks'}"
            fix = f"Point {found} at the library's real file in the layer (see LL405), or put the library itself there."
            data["found"] = found
        elif tier == "not-elf":
            size = entries[found].size
            problem = f"is {found} in the layer, a {size:,}-byte file that is not an ELF library"
            error = "file too short" if size < 64 else "invalid ELF header"
            if size < 256:
                problem += " (a symlink stored as a plain file holding its target's name? zip -r without -y on Windows, or git without core.symlinks, does that)"
            fix = f"Replace {found} with the library itself, or with a real symlink to it (zip -r -y on Linux or macOS)."
            data["found"] = found
        elif elsewhere.get(name):
            copies = elsewhere[name]
            problem = f"is in the layer at {_examples(copies)}, but that folder is not on the loader's search path (Lambda searches /opt/lib, that is lib/ of a layer, and RPATH/RUNPATH folders)"
            real = follow(copies[0], entries)
            moved = f"{copies[0]} and the file it links to, {real}," if real != copies[0] else copies[0]
            fix = f"Move {moved} to lib/ (keeping the name {name}), or link the programs that need it with an RPATH of $ORIGIN/<relative path to its folder>."
            data["in_layer"] = copies
        else:
            problem = f"is not in the layer, not among the known libraries of {' or '.join(os_names) or 'the OS'}, and not on the loader's search path"
        yield Hit(
            path=paths[0] if len(paths) == 1 else None,
            message=f"{name}, needed by {_examples(paths)}, {problem} ({', '.join(runtimes)}): '{name}: {error}'",
            fix=fix,
            targets=targets,
            data=data,
            severity=severity,
        )


def _unloadable(layer: Layer, entries: dict[str, Entry], found: str) -> Optional[tuple[str, str]]:
    """Why the layer file the loader finds for a library cannot be loaded: ("broken-link", the
    link) for a symlink that dangles or loops, ("not-elf", the file) for a file read whole that
    is not ELF; None when it can be."""
    real = follow(found, entries)
    if real.startswith("/"):
        return None  # out of the layer, to a file the Lambda OS may have (LL405 says so)
    if real not in entries or entries[real].is_symlink:
        return "broken-link", found
    head = layer.binaries.get(real)
    if layer.was_read(entries[real]) and (head is None or head.format != "elf"):
        return "not-elf", real
    return None


def _by_file_name(layer: Layer) -> dict[str, list[str]]:
    """The layer's files (and symlinks) by file name, to say where a library that the loader
    does not find sits instead (lib64/, usr/lib/x86_64-linux-gnu/, ...)."""
    found: dict[str, list[str]] = defaultdict(list)
    for entry in layer.files:
        found[entry.path.rsplit("/", 1)[-1]].append(entry.path)
    return found


# LL205 ---------------------------------------------------------------------------------


def _cxx_problem(item: Linked, target: Target, ctx: Context) -> Optional[tuple[str, str, str, str]]:
    """(needed, available, kind, severity) when the system libstdc++ lacks a version the object needs."""
    libstdcxx = next((r for r in item.resolutions if r.name == "libstdc++.so.6"), None)
    if libstdcxx is None or libstdcxx.tier == "layer":
        return None  # a bundled copy found first (through RPATH) is the one that loads
    runtime = ctx.kb.runtimes[target.runtime]
    os = ctx.kb.operating_systems.get(runtime.os or "")
    if os is None:
        return None
    limits = os.libstdcxx
    for prefix, safe, newest in (("GLIBCXX_", limits.glibcxx_safe, limits.glibcxx_newest), ("CXXABI_", limits.cxxabi_safe, limits.cxxabi_newest)):
        needed = item.elf.newest(prefix, "libstdc++.so.6")
        if needed is None or safe is None or newest is None:
            continue
        if version_key(needed) > version_key(newest):
            return needed, f"{prefix}{newest}", os.name, "error"
        if version_key(needed) > version_key(safe):
            return needed, f"{prefix}{safe} (up to {prefix}{newest} on current images)", os.name, "warning"
    return None


def check_libstdcxx_too_new(layer: Layer, ctx: Context) -> Iterator[Hit]:
    grouped: dict[tuple[str, str, str, str], dict[str, list[Target]]] = defaultdict(lambda: defaultdict(list))
    for target, linked in link(layer, ctx, natives(layer, ctx)).items():
        for item in linked:
            problem = _cxx_problem(item, target, ctx)
            if problem is not None:
                grouped[problem][item.path].append(target)
    for (needed, available, os_name, severity), members in sorted(grouped.items()):
        paths = sorted(members)
        targets = tuple(sorted({t for ts in members.values() for t in ts}))
        symbols = sorted({s for item_path in paths for s in _symbols(layer, item_path, needed)})
        yield Hit(
            path=paths[0] if len(paths) == 1 else None,
            message=(
                f"{_examples(paths)} need{'s' if len(paths) == 1 else ''} {needed}"
                + (f" (for {', '.join(symbols[:_EXAMPLES])})" if symbols else "")
                + f" from libstdc++.so.6, and the loader picks the system copy of {os_name}, which has {available}: "
                f"'version `{needed}' not found'"
            ),
            fix=(
                "Build with the target OS's compiler (GCC 7 for Amazon Linux 2, GCC 11 for Amazon Linux 2023), link libstdc++ "
                "statically (-static-libstdc++), or bundle a newer libstdc++.so.6 and reach it through an RPATH of $ORIGIN/..."
                " (a copy in /opt/lib alone is shadowed by /lib64, which comes first on LD_LIBRARY_PATH)."
            ),
            targets=targets,
            data={"members": paths, "needed": needed, "available": available},
            severity=None if severity == "error" else "warning",
        )


def _symbols(layer: Layer, path: str, version: str) -> tuple[str, ...]:
    entry = layer.files_by_path.get(path)
    facts = layer.elf(entry) if entry is not None else None
    return facts.symbols.get(version, ()) if facts is not None else ()


# LL210 ---------------------------------------------------------------------------------


def check_node_abi_mismatch(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for native in natives(layer, ctx):
        elf = native.elf
        if elf is None or elf.node_abi is None or elf.napi:
            continue
        wrong: dict[int, list[Target]] = defaultdict(list)
        for target in native.loaded_by():
            runtime = ctx.kb.runtimes[target.runtime]
            expected = ctx.kb.node_abi(runtime)
            if expected is not None and expected != elf.node_abi:
                wrong[expected].append(target)
        for expected, targets in wrong.items():
            built_for = [major for major, abi in ctx.kb.node_module_versions.items() if abi == elf.node_abi]
            runtime = ctx.kb.runtimes[targets[0].runtime]
            yield Hit(
                path=native.entry.path,
                message=(
                    f"{native.entry.path} is a Node addon for NODE_MODULE_VERSION {elf.node_abi}"
                    f"{' (Node.js ' + '/'.join(built_for) + ')' if built_for else ''}, but {runtime.id} is Node.js {runtime.version} "
                    f"(NODE_MODULE_VERSION {expected}): 'was compiled against a different Node.js version'"
                ),
                fix=f"Rebuild it with Node.js {runtime.version} (npm rebuild, or npm ci with Node.js {runtime.version}), or use a Node-API (N-API) build.",
                targets=tuple(targets),
                data={"member": native.entry.path, "built_for": elf.node_abi, "expected": expected},
            )


RULES = [
    Rule(
        code="LL205",
        name="libstdcxx-too-new",
        severity="error",
        check=check_libstdcxx_too_new,
        summary="C++ code that needs newer GLIBCXX_/CXXABI_ versions than the target OS's libstdc++.",
        what="For each loaded ELF file whose libstdc++.so.6 the loader model resolves to the system copy, compares the newest GLIBCXX_ and CXXABI_ versions it needs with the target OS's: Amazon Linux 2 has GLIBCXX_3.4.24 / CXXABI_1.3.11; Amazon Linux 2023 has 3.4.29 / 1.3.13 on every image and up to 3.4.33 / 1.3.15 on current ones.",
        why="The loader refuses it: '/lib64/libstdc++.so.6: version `GLIBCXX_3.4.26' not found'. A libstdc++ bundled in /opt/lib does not help: /lib64 comes first on LD_LIBRARY_PATH.",
        example="/opt/lib/libqpdf.so.29 built with GCC 9 in a python3.11 (Amazon Linux 2) layer.",
        fix="Build with the OS's compiler, link libstdc++ statically, or reach a bundled libstdc++ through an RPATH.",
        severity_note="warning for versions above the safe level but within the newest seen on current images (Amazon Linux 2023).",
    ),
    Rule(
        code="LL206",
        name="missing-shared-library",
        severity="error",
        check=check_missing_shared_library,
        summary="A DT_NEEDED library found neither in the layer nor among the target OS's known libraries.",
        what="Resolves every DT_NEEDED of every loaded ELF file as glibc's loader would on the target (RPATH of the object and its loaders, LD_LIBRARY_PATH, RUNPATH, system folders, $ORIGIN expanded) against the layer and the OS's library lists: glibc and the GCC runtime are always there; libraries seen in a live Lambda dump resolve; libraries seen only in the container image, or nowhere, are reported, naming any copy the layer holds off the search path (lib64/, usr/lib/...); so is a library the loader finds in the layer that is not ELF (a symlink stored as a text file).",
        why="'error while loading shared libraries: libX.so: cannot open shared object file' at import or exec. Layers built on a full distribution often link libraries that Lambda's minimal OS lacks (libcrypt.so.1 on Amazon Linux 2023, libssl.so.3 on Amazon Linux 2).",
        example="bin/ffprobe needing libssl.so.3 on python3.11 (Amazon Linux 2 has libssl.so.10).",
        fix="Bundle the library in the layer's lib/ (on LD_LIBRARY_PATH as /opt/lib) or link it statically.",
        severity_note="warning for libraries listed only in the container image, and for libraries needed only by libraries that nothing in the layer surely loads (a library in lib/ that only the function's own code might load).",
    ),
    Rule(
        code="LL210",
        name="node-abi-mismatch",
        severity="error",
        check=check_node_abi_mismatch,
        summary="A non-N-API Node addon built for another Node.js major version than the target runtime's.",
        what="Reads the node_register_module_v<N> symbol a classic (non-Node-API) addon exports and compares N with the target runtime's NODE_MODULE_VERSION (Node.js 18 = 108, 20 = 115, 22 = 127, 24 = 137).",
        why="Node refuses to load it: 'was compiled against a different Node.js version using NODE_MODULE_VERSION 108. This version of Node.js requires NODE_MODULE_VERSION 115.'",
        example="A bcrypt build for Node.js 18 in a nodejs20.x layer.",
        fix="Rebuild the addon with the target Node.js (npm rebuild), or use a Node-API build.",
    ),
]
