"""Which native files a target runtime would actually load or run.

A binary matters when the target loads it: Python extension modules the target interpreter can
import, Node addons for the target's platform, everything in bin/, lib/, extensions/ and a root
bootstrap, and the libraries those need. Platform variants the target never picks (an arm64
build beside the x86_64 one, prebuilds/darwin-arm64/) are not loaded, unless no variant fits
the target: then every variant present is loaded, and fails.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Iterable, Optional

from . import layout
from .binaries import BinaryHead
from .elf import ElfFacts
from .report import Target
from .loader import system_copy_first
from .runtimes import OperatingSystem, Runtime
from .source import Entry

if TYPE_CHECKING:
    from .layer import Layer
    from .registry import Context

# Linux triplets in CPython's extension suffixes, by Lambda architecture.
TRIPLETS = {"x86_64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu"}
# Node's names for the architectures (process.arch).
NODE_ARCH = {"x86_64": "x64", "arm64": "arm64"}

_TAGGED_EXTENSION = re.compile(
    r"^(?P<module>[A-Za-z_][A-Za-z0-9_]*)\.(?P<tag>(cpython|cp|pypy)[^/]*|abi3|[^.]*win[^.]*)\.(so|pyd)$"
)
_PLAIN_PYD = re.compile(r"^(?P<module>[A-Za-z_][A-Za-z0-9_]*)\.pyd$")
_PLAIN_SO = re.compile(r"^(?!lib)(?P<module>[A-Za-z_][A-Za-z0-9_]*)\.so$")
_NODE_PLATFORM = re.compile(r"(?P<platform>linux|darwin|win32|freebsd|android|sunos|aix)[-_](?P<arch>x64|arm64|ia32|arm|x86|ppc64|s390x|riscv64)")
# Platform, CPU and libc words in the names of Node platform packages. A run of them, with or
# without separators, becomes one "*", so that every variant of a package shares one group:
# @img/sharp-linuxmusl-x64 and @img/sharp-darwin-arm64 are both @img/sharp-*, and
# @rollup/rollup-linux-arm-gnueabihf and @rollup/rollup-win32-x64-msvc both @rollup/rollup-*.
# Longest words first, so that "gnueabihf" is not read as "gnu" and a stray "eabihf".
_NODE_WORDS = sorted(
    {
        "linux", "darwin", "win32", "freebsd", "openbsd", "netbsd", "android", "sunos", "aix", "openharmony",
        "x64", "arm64", "ia32", "arm", "x86", "ppc64", "s390x", "riscv64", "loong64", "mips64el",
        "gnu", "musl", "msvc", "glibc", "universal", "eabi", "gnueabihf", "musleabihf",
    },
    key=lambda word: (-len(word), word),
)
_NODE_WORD = "(?:" + "|".join(_NODE_WORDS) + ")"
_NODE_TOKENS = re.compile(rf"(?<![A-Za-z0-9]){_NODE_WORD}(?:[-_.]?{_NODE_WORD})*(?![A-Za-z0-9])")


@dataclass(frozen=True)
class Candidate:
    """A native file and the group of platform variants it belongs to (if any)."""

    entry: Entry
    head: BinaryHead
    group: Optional[str]  # files in one group are alternatives; None: a file on its own
    role: str  # "python-extension", "node-addon", "program", "library"
    folder: Optional[str] = None  # the language folder it sits in; only runtimes reading it load it


def python_extension_fits(name: str, runtime: Runtime, arch: str) -> bool:
    """Whether CPython of the runtime's version on Linux imports a file of this name, by the
    suffixes it accepts: .cpython-3XY-<triplet>.so, .abi3.so and plain .so."""
    if runtime.family != "python" or runtime.version is None:
        return False
    nodot = runtime.version.replace(".", "")
    match = _TAGGED_EXTENSION.match(name)
    if match:
        return name.endswith((f".cpython-{nodot}-{TRIPLETS[arch]}.so", ".abi3.so"))
    return name.endswith(".so") and name[:-3].isidentifier()


def extension_module(name: str) -> Optional[str]:
    """The module name of an extension module file (tagged for any platform, or a plain
    module.so that CPython imports too), or None. A plain lib*.so is taken for a library."""
    match = _TAGGED_EXTENSION.match(name) or _PLAIN_PYD.match(name) or _PLAIN_SO.match(name)
    return match.group("module") if match else None


def node_platform(path: str) -> Optional[tuple[str, str]]:
    """(platform, arch) named by a path segment such as prebuilds/linux-x64/ or node-v115-darwin-arm64."""
    for part in path.split("/")[:-1]:
        match = _NODE_PLATFORM.search(part)
        if match:
            return match.group("platform"), match.group("arch")
    return None


def node_manifest_excludes(manifest: dict, target_arch: str) -> Optional[str]:
    """npm's own rule: a package whose os/cpu/libc fields exclude Linux on the target's CPU with
    glibc is never installed there. Returns the reason, or None when it fits."""
    wanted = {"os": "linux", "cpu": NODE_ARCH[target_arch], "libc": "glibc"}
    for key, value in wanted.items():
        allowed = manifest.get(key)
        if not isinstance(allowed, list) or not allowed:
            continue
        allowed = [str(item) for item in allowed]
        if f"!{value}" in allowed or (any(not item.startswith("!") for item in allowed) and value not in allowed):
            return f'package.json "{key}": {json.dumps(allowed)}'
    return None


Place = Callable[[str], Optional[layout.Placement]]


def candidates(
    binaries: dict[str, BinaryHead],
    entries: Iterable[Entry],
    read_text: Callable[[Entry], Optional[bytes]],
    place: Place = layout.placement,
    manifests: Optional[dict[str, dict]] = None,
) -> list[Candidate]:
    """`place` and `manifests` may come from what the layer already worked out."""
    entries = list(entries)
    by_path = {entry.path: entry for entry in entries}
    if manifests is None:
        manifests = node_manifests(entries, read_text)
    found = []
    for path, head in sorted(binaries.items()):
        entry = by_path.get(path)
        if entry is None:
            continue
        found.append(_candidate(entry, head, manifests, place))
    return found


def node_manifests(entries: Iterable[Entry], read_text: Callable[[Entry], Optional[bytes]]) -> dict[str, dict]:
    """Node packages that declare the platforms they run on (os/cpu/libc), by package folder."""
    manifests = {}
    for entry in entries:
        path = entry.path
        if path.endswith("/package.json") and "node_modules/" in path:
            try:
                data = json.loads(read_text(entry) or b"")
            except ValueError:
                continue
            if isinstance(data, dict) and any(key in data for key in ("os", "cpu", "libc")):
                manifests[path[: -len("/package.json")]] = data
    return manifests


def _candidate(entry: Entry, head: BinaryHead, manifests: dict[str, dict], place: Place) -> Candidate:
    path = entry.path
    name = path.rsplit("/", 1)[-1]
    where = place(path)
    if layout.lambda_runs(path):
        return Candidate(entry, head, None, "program")
    folder = where.folder if where is not None else None
    if where is not None and where.family == "python":
        module = extension_module(name)
        if module is not None:
            return Candidate(entry, head, f"{path.rsplit('/', 1)[0]}/{module}", "python-extension", folder)
        return Candidate(entry, head, None, "library", folder)
    if where is not None and where.family == "nodejs":
        package = _owning_manifest(path, manifests)
        if package is not None:
            family = _NODE_TOKENS.sub("*", package.rsplit("/node_modules/", 1)[-1])
            return Candidate(entry, head, f"node-package:{family}", "node-addon", folder)
        platform = node_platform(path)
        if platform is not None:
            segment = next(p for p in path.split("/")[:-1] if _NODE_PLATFORM.search(p))
            prefix, _, rest = path.partition(segment)
            variant_key = prefix + _NODE_PLATFORM.sub("*", segment) + _strip_libc(rest)
            return Candidate(entry, head, f"node-prebuild:{variant_key}", "node-addon", folder)
        return Candidate(entry, head, None, "node-addon" if name.endswith(".node") else "library", folder)
    return Candidate(entry, head, None, "library", folder)


def _strip_libc(rest: str) -> str:
    return re.sub(r"\.(glibc|musl)\.", ".", rest)


def _owning_manifest(path: str, manifests: dict[str, dict]) -> Optional[str]:
    """The innermost package folder with a manifest that holds `path`: its folders are looked up
    from the deepest out, rather than every manifest scanned for each binary."""
    folder = path
    while "/" in folder:
        folder = folder.rsplit("/", 1)[0]
        if folder in manifests:
            return folder
    return None


@dataclass(frozen=True)
class Decision:
    loaded: bool
    reason: str  # why not, when not loaded
    twin: Optional[str] = None  # the pure-Python module imported instead of it, if that is why


def decide(
    found: list[Candidate],
    runtime: Runtime,
    target: Target,
    manifests: dict[str, dict],
    paths: Optional[set[str]] = None,
    shadowed: Callable[[Candidate], Optional[str]] = lambda candidate: None,
) -> dict[str, Decision]:
    """For one target: which binaries it loads. Variants in a group are alternatives; when
    none fits the target, all of them count as loaded (and the rules report each), unless a
    Python module has a pure-Python twin that the import falls back to (`paths`: the layer's
    files). `shadowed` says why a library is never loaded because the OS's own copy is found
    first (None when it is not)."""
    decisions: dict[str, Decision] = {}
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in found:
        if candidate.folder is not None and candidate.folder not in runtime.layer_paths:
            decisions[candidate.entry.path] = Decision(False, f"{runtime.id} does not read {candidate.folder}/")
        elif candidate.group is None:
            decisions[candidate.entry.path] = _single(candidate, runtime, target, shadowed)
        else:
            groups[candidate.group].append(candidate)
    for members in groups.values():
        fits = {c.entry.path: _variant_fits(c, runtime, target, manifests) for c in members}
        fallback = _pure_python_twin(members[0], paths or set())
        if any(why is None for why in fits.values()):
            for candidate in members:
                why = fits[candidate.entry.path]
                decisions[candidate.entry.path] = Decision(why is None, why or "")
        elif fallback is not None:
            for candidate in members:
                why = f"{fits[candidate.entry.path]}; it imports {fallback} instead"
                decisions[candidate.entry.path] = Decision(False, why, twin=fallback)
        elif _is_mypyc_support(members[0]):
            # Imported only by mypyc-compiled modules; with no build of its own that fits, none
            # of theirs fits either, and they are reported (or give way to their .py twins).
            for candidate in members:
                decisions[candidate.entry.path] = Decision(False, f"{fits[candidate.entry.path]}; only mypyc-compiled modules import it")
        else:
            for candidate in members:
                decisions[candidate.entry.path] = Decision(True, "")
    return decisions


def _shadowing(layer: "Layer", runtime: Runtime, os: Optional[OperatingSystem], arch: str) -> Callable[[Candidate], Optional[str]]:
    """Why a library in lib/ never loads on the target: the OS has a library of its soname (or
    file name), found first on LD_LIBRARY_PATH (a bundled libc.so.6 or libstdc++.so.6).
    A program whose RPATH points at it still loads it: linkage.py follows that."""

    def why(candidate: Candidate) -> Optional[str]:
        path = candidate.entry.path
        if candidate.head.format != "elf" or path.count("/") != 1 or not path.startswith("lib/"):
            return None
        elf = layer.elf(candidate.entry)
        # Libraries are asked for by soname (libstdc++.so.6, not libstdc++.so.6.0.30).
        name = elf.soname if elf is not None and elf.soname else path[len("lib/") :]
        folder = system_copy_first(name, runtime, os, arch)
        if folder is None:
            return None
        return f"the loader finds {os.name if os else 'the OS'}'s own {name} in {folder} first ({folder} comes before /opt/lib on LD_LIBRARY_PATH)"

    return why


def _is_mypyc_support(candidate: Candidate) -> bool:
    """mypyc's shared support module (md__mypyc.cpython-312-....so, or <hash>__mypyc...)."""
    return candidate.role == "python-extension" and candidate.group is not None and candidate.group.endswith("__mypyc")


def _pure_python_twin(candidate: Candidate, paths: set[str]) -> Optional[str]:
    """The module.py or module/__init__.py beside an extension module, which Python imports
    when no build of the extension fits (mypyc-compiled packages such as charset-normalizer
    ship both)."""
    if candidate.role != "python-extension" or candidate.group is None:
        return None
    for twin in (f"{candidate.group}.py", f"{candidate.group}/__init__.py"):
        if twin in paths:
            return twin
    return None


def _single(candidate: Candidate, runtime: Runtime, target: Target, shadowed: Callable[[Candidate], Optional[str]]) -> Decision:
    if candidate.head.relocatable:
        return Decision(False, "an object file (.o) left from a build; only a linker reads it")
    why_not = shadowed(candidate) if candidate.role == "library" else None
    if why_not is not None:
        return Decision(False, why_not)
    if candidate.role == "library" and candidate.head.format != "elf":
        top = layout.top_level(candidate.entry.path)
        if top != "lib":
            return Decision(False, f"{candidate.head.format} library that Linux never loads")
    return Decision(True, "")


def _variant_fits(candidate: Candidate, runtime: Runtime, target: Target, manifests: dict[str, dict]) -> Optional[str]:
    """None when the target picks this variant; otherwise why not."""
    path = candidate.entry.path
    name = path.rsplit("/", 1)[-1]
    if candidate.role == "python-extension":
        if python_extension_fits(name, runtime, target.arch):
            return None
        return f"{target.runtime} on {target.arch} does not import {name}"
    package = _owning_manifest(path, manifests)
    if package is not None:
        return node_manifest_excludes(manifests[package], target.arch)
    platform = node_platform(path)
    if platform is not None:
        if platform != ("linux", NODE_ARCH[target.arch]):
            return f"built for {platform[0]}-{platform[1]}, not linux-{NODE_ARCH[target.arch]}"
        if ".musl." in name:
            return "a musl build; Lambda uses glibc"
    return None


@dataclass(frozen=True)
class Native:
    """One native member and what each target does with it."""

    entry: Entry
    head: BinaryHead
    elf: Optional[ElfFacts]
    candidate: Candidate
    decisions: dict[Target, Decision]

    def loaded_by(self) -> list[Target]:
        return [target for target, decision in self.decisions.items() if decision.loaded]


def natives(layer: "Layer", ctx: "Context") -> list[Native]:
    """Every native member with, per target, whether that target loads it. Worked out once per
    layer and targets for the many rules that ask (the memo holds the knowledge base it was
    worked out with, so that its id stays that object's)."""
    key = ("natives", ctx.targets, id(ctx.kb))
    return layer.memo(key, lambda: (ctx.kb, _natives(layer, ctx)))[1]


def _natives(layer: "Layer", ctx: "Context") -> list[Native]:
    manifests = node_manifests(layer.files, layer.text)
    found = candidates(layer.binaries, layer.files, layer.text, layer.placement, manifests)
    paths = {entry.path for entry in layer.files}
    per_target = {}
    for target in ctx.targets:
        runtime = ctx.kb.runtimes[target.runtime]
        shadowed = _shadowing(layer, runtime, ctx.kb.operating_systems.get(runtime.os or ""), target.arch)
        per_target[target] = decide(found, runtime, target, manifests, paths, shadowed)
    result = []
    for candidate in found:
        decisions = {target: per_target[target][candidate.entry.path] for target in ctx.targets}
        result.append(Native(candidate.entry, candidate.head, layer.elf(candidate.entry), candidate, decisions))
    return result
