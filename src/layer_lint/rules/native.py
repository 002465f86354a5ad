"""LL2xx: can the target Lambda load the layer's native code?

Per member, one bad binary is one finding: LL201 (not Linux) over LL202 (wrong CPU) over
LL209 (damaged) over LL204 (musl) over the rest.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, Optional, Sequence

from .. import layout
from ..elf import ElfFacts, version_key
from ..layer import Layer
from ..linkage import link, linked_paths, reached
from ..loading import Native, extension_module, natives, python_extension_fits
from ..packages import recorded_paths
from ..registry import Context, Hit, Rule
from ..report import Target
from ..runtimes import Runtime

_LAMBDA_MACHINES = {"x86_64": "EM_X86_64", "arm64": "EM_AARCH64"}
_MANYLINUX_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
_MANYLINUX_2 = re.compile(r"^manylinux_2_(\d+)_")


def _elf_problem(native: Native, target: Target) -> Optional[str]:
    """Why an ELF file cannot run on the target's CPU at all, or None."""
    elf = native.elf
    head = native.head
    if head.arch == "unknown":
        return None  # the header ends before e_machine: a damaged file, which LL209 reports
    if head.bits == 32:
        return f"32-bit ELF ({head.arch})"
    if head.big_endian:
        return f"big-endian ELF ({head.arch})"
    if head.arch != target.arch:
        return f"ELF for {head.arch}"
    if elf is not None and elf.machine and elf.machine != _LAMBDA_MACHINES[target.arch]:
        return f"ELF for {elf.machine}"
    return None


def _is_musl(elf: Optional[ElfFacts]) -> bool:
    if elf is None:
        return False
    interp = elf.interpreter or ""
    return interp.startswith("/lib/ld-musl-") or any(name.startswith("libc.musl-") for name in elf.needed)


@dataclass(frozen=True)
class Problem:
    """One kind of failure of one or more members of a package, on some targets."""

    natives: tuple[Native, ...]
    targets: tuple[Target, ...]
    detail: str

    @property
    def path(self) -> str:
        """The member, or the package folder when several of its members share the problem."""
        return self.natives[0].entry.path if len(self.natives) == 1 else _package(self.natives[0]) + "/"

    @property
    def subject(self) -> str:
        if len(self.natives) == 1:
            return self.natives[0].entry.path
        names = [native.entry.path.rsplit("/", 1)[-1] for native in self.natives]
        examples = ", ".join(names[:_EXAMPLES]) + (f" and {len(names) - _EXAMPLES} more" if len(names) > _EXAMPLES else "")
        return f"{len(names)} binaries in {self.path} ({examples})"

    @property
    def members(self) -> list[str]:
        return [native.entry.path for native in self.natives]


_EXAMPLES = 5


def _package(native: Native) -> str:
    """The package a member belongs to, for grouping: python/numpy, nodejs/node_modules/sharp."""
    path = native.entry.path
    where = layout.placement(path)
    if where is None or native.candidate.role == "program":
        return path
    parts = path[len(where.folder) + 1 :].split("/")
    width = 2 if where.family == "nodejs" and parts[0].startswith("@") else 1
    return "/".join([where.folder, *parts[:width]]) if len(parts) > width else path


def _problems(natives_: Sequence[Native], test, pulled_in: Optional[dict[Target, set[str]]] = None) -> list[Problem]:
    """Loaded members where `test(native, target)` gives a detail, grouped by package, detail and
    targets. `pulled_in`: the layer files each target's loader reaches through other files
    (linkage.py), loaded even where nothing loads them directly (a bundled libstdc++.so.6 found
    through a program's RPATH before the OS's own)."""
    grouped: dict[tuple[str, str, tuple[Target, ...]], list[Native]] = defaultdict(list)
    for native in natives_:
        by_detail: dict[str, list[Target]] = defaultdict(list)
        loaded = native.loaded_by()
        if pulled_in:
            loaded += [t for t, paths in pulled_in.items() if native.entry.path in paths and t not in loaded]
        for target in loaded:
            detail = test(native, target)
            if detail:
                by_detail[detail].append(target)
        for detail, targets in by_detail.items():
            grouped[(_package(native), detail, tuple(targets))].append(native)
    return [Problem(tuple(members), targets, detail) for (_, detail, targets), members in grouped.items()]


def _it(problem: Problem) -> str:
    return "it" if len(problem.natives) == 1 else "them"


def _verb(targets: Sequence[Target], one: str, many: str) -> str:
    """The verb for _targets_text(targets): one runtime runs, several run."""
    return one if len({t.runtime for t in targets}) == 1 else many


def _targets_text(targets: Sequence[Target]) -> str:
    runtimes = sorted({t.runtime for t in targets})
    archs = sorted({t.arch for t in targets})
    return f"{', '.join(runtimes)} ({'/'.join(archs)})"


# LL201 ---------------------------------------------------------------------------------


def _non_linux(native: Native, target: Target) -> Optional[str]:
    if native.head.format == "mach-o":
        return f"Mach-O {native.head.arch}: built on macOS"
    if native.head.format == "pe":
        return f"PE {native.head.arch}: built for Windows"
    return None


def check_non_linux_binary(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for problem in _problems(natives(layer, ctx), _non_linux):
        native = problem.natives[0]
        name = native.entry.path.rsplit("/", 1)[-1]
        module = extension_module(name) if native.candidate.role == "python-extension" else None
        target = problem.targets[0]
        if module is not None and not python_extension_fits(name, ctx.kb.runtimes[target.runtime], target.arch):
            # Tagged for macOS or Windows: Linux's Python never even opens it.
            outcome = f"a build of its module that {_targets_text(problem.targets)} cannot import, with no Linux build that fits: 'No module named {module}'"
        else:
            outcome = f"and {_targets_text(problem.targets)} would load {_it(problem)}: Linux fails with 'invalid ELF header'"
        yield Hit(
            path=problem.path,
            message=f"{problem.subject}: {problem.detail}, {outcome}",
            fix=_rebuild_fix(layer, ctx, native, problem.targets),
            targets=problem.targets,
            data={"members": problem.members, "format": native.head.format, "arch": native.head.arch},
        )


# LL202 ---------------------------------------------------------------------------------


def _wrong_arch(native: Native, target: Target) -> Optional[str]:
    return _elf_problem(native, target) if native.head.format == "elf" else None


def check_wrong_architecture(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for problem in _problems(natives(layer, ctx), _wrong_arch):
        native = problem.natives[0]
        wanted = sorted({t.arch for t in problem.targets})
        yield Hit(
            path=problem.path,
            message=(
                f"{problem.subject}: {problem.detail}, but {_targets_text(problem.targets)} runs on {'/'.join(wanted)}: "
                "'cannot open shared object file' or 'exec format error'"
            ),
            fix=_rebuild_fix(layer, ctx, native, problem.targets),
            targets=problem.targets,
            data={"members": problem.members, "arch": native.head.arch, "bits": native.head.bits, "wanted": wanted},
        )


# LL209 ---------------------------------------------------------------------------------


def check_damaged_elf(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for native in natives(layer, ctx):
        if native.head.format != "elf" or not _is_damaged(native, layer):
            continue
        if any(_elf_problem(native, t) for t in native.loaded_by()):
            continue  # LL202 already reports it
        loaded = native.loaded_by()
        yield Hit(
            path=native.entry.path,
            message=f"{native.entry.path} starts like an ELF file but its structures cannot be read ({_damage(native, layer)}); the loader will reject it",
            fix="Rebuild or re-download the file; a truncated copy or a text conversion of a binary causes this.",
            targets=tuple(loaded) or ctx.targets,
            data={"member": native.entry.path, "error": _damage(native, layer)},
            severity=None if loaded else "warning",
        )


def _is_damaged(native: Native, layer: Layer) -> bool:
    if native.entry.index in layer.scan.errors:
        return False  # LL401 reports members that do not decompress
    if native.entry.size > 0 and native.elf is None and native.entry.index not in layer.scan.skipped:
        return True
    return native.elf is not None and native.elf.error is not None


def _damage(native: Native, layer: Layer) -> str:
    if native.elf is not None and native.elf.error:
        return native.elf.error
    return "the ELF header is incomplete or invalid"


# LL204 ---------------------------------------------------------------------------------


def _musl(native: Native, target: Target) -> Optional[str]:
    if native.head.format != "elf" or _elf_problem(native, target) or not _is_musl(native.elf):
        return None
    elf = native.elf
    assert elf is not None
    return elf.interpreter if elf.interpreter and "musl" in elf.interpreter else next(n for n in elf.needed if n.startswith("libc.musl-"))


def check_musl_binary(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for problem in _problems(natives(layer, ctx), _musl, linked_paths(layer, ctx, natives(layer, ctx))):
        detail = problem.detail
        yield Hit(
            path=problem.path,
            message=f"{problem.subject}: linked against musl ({detail}), as on Alpine; Lambda has glibc: '{detail.rsplit('/', 1)[-1]}: cannot open shared object file'",
            fix=_rebuild_fix(layer, ctx, problem.natives[0], problem.targets, musl=True),
            targets=problem.targets,
            data={"members": problem.members, "musl": detail},
        )


# LL203 ---------------------------------------------------------------------------------


def _glibc_problem(ctx: Context):
    def test(native: Native, target: Target) -> Optional[str]:
        runtime = ctx.kb.runtimes[target.runtime]
        if native.head.format != "elf" or _elf_problem(native, target) or _is_musl(native.elf) or not _imports(native, runtime):
            return None  # LL202, LL204 or LL207 reports it: it never gets as far as the glibc check
        needed = native.elf.newest("GLIBC_") if native.elf else None
        if needed is None or runtime.glibc is None:
            return None
        if version_key(needed) > version_key(runtime.glibc):
            return f"{needed}|{runtime.os}|{runtime.glibc}"
        return None

    return test


def check_glibc_too_new(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for problem in _problems(natives(layer, ctx), _glibc_problem(ctx), linked_paths(layer, ctx, natives(layer, ctx))):
        needed, os_id, have = problem.detail.split("|")
        native = problem.natives[0]
        symbols = sorted({s for n in problem.natives if n.elf for s in n.elf.symbols.get(needed, ())})
        families = {ctx.kb.runtimes[t.runtime].family for t in problem.targets}
        loads_on = [
            runtime_id
            for runtime_id in _runtimes_with_glibc(ctx, _newest_glibc_with_libraries(layer, ctx, problem), native.head.arch, families)
            if all(_imports(n, ctx.kb.runtimes[runtime_id]) for n in problem.natives)
        ]
        os_name = ctx.kb.operating_systems[os_id].name if os_id in ctx.kb.operating_systems else os_id
        if loads_on:
            elsewhere = f"it would load on {', '.join(loads_on)}"
        elif families == {"provided"}:
            elsewhere = "no OS-only runtime has that glibc"
        elif any(n.candidate.role == "python-extension" for n in problem.natives):
            elsewhere = "no current runtime that imports this build has that glibc"
        else:
            elsewhere = "no current runtime of this language has that glibc"
        yield Hit(
            path=problem.path,
            message=(
                f"{problem.subject}: needs {needed} (for {', '.join(symbols[:_EXAMPLES]) or 'symbols not recorded'}), but "
                f"{_targets_text(problem.targets)} {_verb(problem.targets, 'runs', 'run')} on {os_name} with glibc {have}: 'version `{needed}' not found'; {elsewhere}"
            ),
            fix=_glibc_fix(native, needed, have),
            targets=problem.targets,
            data={"members": problem.members, "needed": needed, "available": f"GLIBC_{have}", "symbols": symbols, "loads_on": loads_on},
        )


def _newest_glibc_with_libraries(layer: Layer, ctx: Context, problem: Problem) -> str:
    """The newest GLIBC_ version the members and the layer libraries they load need: a runtime
    with glibc for the program but not for its bundled libjq is no place to move it to."""
    versions = [n.elf.newest("GLIBC_") for n in problem.natives if n.elf is not None]
    for target in problem.targets:
        linked = {item.path: item for item in link(layer, ctx, natives(layer, ctx))[target]}
        versions.extend(linked[path].elf.newest("GLIBC_") for path in reached(linked, problem.members, layer.files_by_path))
    return max((v for v in versions if v), key=version_key)


def _imports(native: Native, runtime: Runtime) -> bool:
    """Whether the runtime would import this member at all (a cp312 module is no answer for python3.13)."""
    if native.candidate.role != "python-extension" or native.head.arch is None:
        return True
    return python_extension_fits(native.entry.path.rsplit("/", 1)[-1], runtime, native.head.arch)


def _runtimes_with_glibc(ctx: Context, needed: str, arch: Optional[str], families: set) -> list[str]:
    """Current runtimes of the same languages whose OS has the glibc version needed."""
    return [
        r.id
        for r in ctx.kb.runtimes.values()
        if r.family in families and r.glibc and version_key(r.glibc) >= version_key(needed)
        and r.deprecated and r.deprecated > ctx.as_of and (arch is None or arch in r.architectures)
    ]


def _glibc_fix(native: Native, needed: str, have: str) -> str:
    if "site-packages" in native.entry.path or native.entry.path.startswith("python/"):
        return (
            f"Install a wheel built for glibc {have} or older (manylinux2014 or manylinux_2_{have.split('.')[1]}), "
            f"or move the function to a runtime whose OS has {needed}."
        )
    return f"Rebuild it on Amazon Linux with glibc {have} or older (e.g. in the runtime's build image), or move the function to a runtime whose OS has {needed}."


def _rebuild_fix(layer: Layer, ctx: Context, native: Native, targets: Sequence[Target], musl: bool = False) -> str:
    archs = sorted({t.arch for t in targets})
    path = native.entry.path
    runtime = ctx.kb.runtimes[targets[0].runtime]
    if native.candidate.role == "python-extension" or "site-packages" in path or path.startswith("python/"):
        if runtime.family == "python" and runtime.version:
            return "Reinstall it for Lambda instead of the build machine: " + _pip_commands(runtime, archs, requirement(layer, path, runtime))
        platform = " ".join(f"--platform manylinux2014_{_MANYLINUX_ARCH[a]}" for a in archs)
        return f"Reinstall the package for Lambda instead of the build machine: pip install --only-binary=:all: {platform} --target python '{requirement(layer, path, None)}'."
    if native.candidate.role == "node-addon" or "node_modules" in path:
        cpu = " ".join(f"--cpu={'x64' if a == 'x86_64' else 'arm64'}" for a in archs)
        return f"Install on Linux (or with `npm install --os=linux {cpu}{' --libc=glibc' if musl else ''}`) so npm picks the Linux build."
    return f"Rebuild it for Linux {'/'.join(archs)} with glibc (e.g. in an Amazon Linux container), or remove it."


def _pip_commands(runtime: Runtime, archs: Sequence[str], package: str) -> str:
    """One pip command, or one per architecture: pip given both CPUs' platforms installs one
    CPU's wheels, so a layer for both is two layers."""
    if len(archs) == 1:
        return pip_command(runtime, archs[0], package)
    return "one layer per architecture, " + "; ".join(f"for {arch}: {pip_command(runtime, arch, package)}" for arch in archs)


def requirement(layer: Layer, path: str, runtime: Optional[Runtime]) -> str:
    """What to ask pip for, for the distribution that installed `path`: name==version when that
    version supports the runtime's Python (its METADATA's Requires-Python), the name alone when
    it does not (pip then picks the newest that does), <package> when nothing says."""
    owner = layer.packages.owners.get(path)
    if owner is None or owner.kind != "distribution":
        return "<package>"
    where = layer.placement(path)
    metadata = f"{where.folder}/{owner.name}-{owner.version}.dist-info/METADATA" if where is not None and where.folder else ""
    if owner.version and (runtime is None or _supports(layer, metadata, runtime)):
        return f"{owner.name}=={owner.version}"
    return owner.name


def _supports(layer: Layer, metadata: str, runtime: Runtime) -> bool:
    """Whether the Requires-Python of the METADATA at `metadata` admits the runtime's version
    (True when there is none, or it cannot be read)."""
    entry = layer.files_by_path.get(metadata)
    text = (layer.text(entry) or b"").decode("utf-8", "replace") if entry is not None else ""
    for line in text.splitlines():
        if not line:
            break  # the headers end at the first empty line (a line of spaces continues a header)
        if line.lower().startswith("requires-python:"):
            from packaging.specifiers import InvalidSpecifier, SpecifierSet

            try:
                return SpecifierSet(line.split(":", 1)[1].strip()).contains(runtime.version or "", prereleases=True)
            except InvalidSpecifier:
                return True
    return True


# LL207 ---------------------------------------------------------------------------------


def _abi_problem(ctx: Context):
    def test(native: Native, target: Target) -> Optional[str]:
        if native.candidate.role != "python-extension" or native.head.format != "elf":
            return None
        if _elf_problem(native, target) or _is_musl(native.elf):
            return None  # LL202 or LL204 reports it
        name = native.entry.path.rsplit("/", 1)[-1]
        if python_extension_fits(name, ctx.kb.runtimes[target.runtime], target.arch):
            return None
        return name.split(".", 1)[1].rsplit(".", 1)[0] if "." in name else name

    return test


def check_python_abi_mismatch(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for problem in _problems(natives(layer, ctx), _abi_problem(ctx)):
        runtimes = sorted({t.runtime for t in problem.targets})
        runtime = ctx.kb.runtimes[runtimes[0]]
        yield Hit(
            path=problem.path,
            message=(
                f"{problem.subject}: extension modules built for {problem.detail}, which {', '.join(runtimes)} "
                f"{_verb(problem.targets, 'does', 'do')} not import, and no sibling build fits: 'No module named ...' at import"
            ),
            fix=f"Reinstall the package for the target: {_pip_commands(runtime, sorted({t.arch for t in problem.targets}), requirement(layer, problem.natives[0].entry.path, runtime))}",
            targets=problem.targets,
            data={"members": problem.members, "tag": problem.detail, "runtimes": runtimes},
        )


# LL208 ---------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def supported_tags(version: str, arch: str, glibc: str) -> frozenset:
    """The wheel tags pip accepts for CPython `version` on Lambda's Linux `arch` with `glibc`."""
    from packaging import tags  # here: it imports logging, platform and subprocess, which only wheels need

    major, minor = (int(part) for part in version.split("."))
    return frozenset(
        list(tags.cpython_tags(python_version=(major, minor), platforms=_platforms(arch, glibc)))
        + list(tags.compatible_tags(python_version=(major, minor), interpreter=f"cp{major}{minor}", platforms=_platforms(arch, glibc)))
    )


def _platforms(arch: str, glibc: str) -> list[str]:
    machine = _MANYLINUX_ARCH[arch]
    glibc_minor = int(glibc.split(".")[1])
    first = 5 if machine == "x86_64" else 17
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in range(glibc_minor, first - 1, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    platforms += [f"{name}_{machine}" for minor, name in legacy.items() if minor <= glibc_minor and minor >= first]
    return platforms


def _wheel_tags(layer: Layer) -> Iterator[tuple[str, str, str, list[str]]]:
    """(WHEEL path, distribution, version, tags) of each installed wheel that names its tags."""
    for path, wheel_tags in layer.wheel_tags.items():
        folder = path.rsplit("/", 2)[-2]
        name, _, version = folder[: -len(".dist-info")].partition("-")
        if wheel_tags:
            yield path, name, version, wheel_tags


def check_incompatible_wheel_tag(layer: Layer, ctx: Context) -> Iterator[Hit]:
    for wheel, name, version, wheel_tags in _wheel_tags(layer):
        parsed = {tag for text in wheel_tags for tag in _parse(text)}
        if not parsed:
            continue
        bad: dict[tuple[str, str, bool], list[Target]] = defaultdict(list)
        built_from_source: list[Target] = []
        compiled = _compiled_files(layer, ctx, wheel)
        for target in ctx.targets:
            runtime = ctx.kb.runtimes[target.runtime]
            if runtime.family != "python" or not runtime.version or not runtime.glibc or not _reads(layer, runtime, wheel):
                continue
            supported = supported_tags(runtime.version, target.arch, runtime.glibc)
            if parsed & supported:
                continue
            if any(tag.platform == f"linux_{_MANYLINUX_ARCH[target.arch]}" for tag in parsed):
                built_from_source.append(target)
                continue
            # Compiled modules that all give way to pure-Python twins on the target (loading.py): it
            # imports, only without its speed-ups.
            harmless = bool(compiled) and not any(native.decisions[target].loaded for native in compiled)
            twins = harmless and any(native.decisions[target].twin for native in compiled)
            bad[(_why_not(parsed, runtime, target), runtime.id, harmless, twins)].append(target)
        folder = wheel.rsplit("/", 1)[0] + "/"
        for (why, runtime_id, harmless, twins), targets in bad.items():
            runtime = ctx.kb.runtimes[runtime_id]
            consequence = ""
            if twins:
                consequence = "; its compiled modules do not load there and Python imports their pure-Python versions instead, so it works, only slower"
            elif harmless:
                consequence = "; none of the compiled modules it lists loads there: another build of them in the layer does (a second wheel installed over this one?)"
            yield Hit(
                path=folder,
                message=f"{name} {version} was installed from a wheel tagged {', '.join(wheel_tags)}, which cannot install on {_targets_text(targets)}: {why}{consequence}",
                fix=f"Reinstall it for the target: {_pip_commands(runtime, sorted({t.arch for t in targets}), _wheel_requirement(layer, wheel, name, version, runtime))}",
                targets=tuple(targets),
                data={"distribution": name, "version": version, "tags": wheel_tags, "reason": why},
                # Slower where pure-Python twins stand in; nothing lost where another build loads.
                severity="warning" if twins else "info" if harmless else None,
            )
        if built_from_source:
            yield Hit(
                path=folder,
                message=f"{name} {version} was built from source on the build machine (tags {', '.join(wheel_tags)}); the ELF rules check whether its binaries load on Lambda",
                fix="Prefer a manylinux wheel, so that the build does not depend on the build machine's libraries.",
                targets=tuple(built_from_source),
                data={"distribution": name, "version": version, "tags": wheel_tags},
                severity="info",
            )


def _wheel_requirement(layer: Layer, wheel: str, name: str, version: str, runtime: Runtime) -> str:
    metadata = wheel.rsplit("/", 1)[0] + "/METADATA"
    return f"{name}=={version}" if _supports(layer, metadata, runtime) else name


def _compiled_files(layer: Layer, ctx: Context, wheel: str) -> list[Native]:
    """The native files the distribution's RECORD lists (beside its .dist-info folder)."""
    folder = wheel.rsplit("/", 1)[0]
    record = layer.files_by_path.get(folder + "/RECORD")
    if record is None:
        return []
    root = folder.rsplit("/", 1)[0] + "/" if "/" in folder else ""
    listed = {root + path for path in recorded_paths((layer.text(record) or b"").decode("utf-8", "replace"))}
    return [native for native in natives(layer, ctx) if native.entry.path in listed]


def _reads(layer: Layer, runtime: Runtime, path: str) -> bool:
    """Whether the runtime puts the folder `path` is installed in on its search path (python3.12
    does not import from python/lib/python3.11/site-packages/, though it is under python/)."""
    where = layer.placement(path)
    return where is not None and where.folder in runtime.layer_paths


def _parse(text: str) -> frozenset:
    from packaging import tags

    try:
        return tags.parse_tag(text)
    except ValueError:
        return frozenset()


def _why_not(parsed: set, runtime: Runtime, target: Target) -> str:
    platforms = {tag.platform for tag in parsed}
    machine = _MANYLINUX_ARCH[target.arch]
    if all(p.startswith("macosx") for p in platforms):
        return "it is a macOS wheel"
    if all(p.startswith("win") for p in platforms):
        return "it is a Windows wheel"
    if all(p.startswith("musllinux") for p in platforms):
        return "it is a musllinux wheel (Alpine); Lambda has glibc"
    if not any(p.endswith(machine) or p == "any" for p in platforms):
        return f"it is built for another CPU ({', '.join(sorted(platforms))}), not {machine}"
    needs = [int(match.group(1)) for match in map(_MANYLINUX_2.match, platforms) if match]
    if needs and min(needs) > int(runtime.glibc.split(".")[1]):
        return f"manylinux_2_{min(needs)} needs glibc 2.{min(needs)}, and {runtime.id} has {runtime.glibc}"
    interpreters = sorted({tag.interpreter for tag in parsed})
    nodot = (runtime.version or "").replace(".", "")
    if any(i in (f"cp{nodot}", f"py{nodot}", "py3", f"py{nodot[:1]}") for i in interpreters):
        # The interpreter fits, so its platform is one pip does not know (a malformed tag).
        return f"no tag names a platform pip installs on Linux {machine} with glibc {runtime.glibc} ({', '.join(sorted(platforms))})"
    return f"it is for {', '.join(interpreters)}, not CPython {runtime.version}"


def pip_command(runtime: Runtime, arch: str, requirement: str) -> str:
    """A pip command that installs working wheels for the target. pip expands only the legacy
    manylinux aliases, so every manylinux_2_N up to the OS's glibc is listed."""
    machine = _MANYLINUX_ARCH[arch]
    minor = int((runtime.glibc or "2.17").split(".")[1])
    platforms = [f"manylinux_2_{n}_{machine}" for n in range(minor, 17, -1)] + [f"manylinux2014_{machine}"]
    flags = " ".join(f"--platform {p}" for p in platforms)
    return f"pip install --only-binary=:all: --implementation cp --python-version {runtime.version} {flags} --target python '{requirement}'"


RULES = [
    Rule(
        code="LL201",
        name="non-linux-binary",
        severity="error",
        check=check_non_linux_binary,
        summary="Mach-O (macOS) or PE (Windows) native code that the target would load.",
        what="Finds members whose first bytes are Mach-O (thin or universal) or PE, whatever their names, and that the target would load: importable extension modules with no Linux sibling, Node addons with no Linux build, anything in bin/, lib/, extensions/ or bootstrap. .NET IL-only assemblies are not native code. Binaries the target never loads (Windows launchers beside scripts, prebuilds for other platforms) are not reported here.",
        why="Linux cannot load them: 'invalid ELF header'. This is what happens when node_modules or site-packages are installed on a Mac or on Windows and zipped.",
        example="python/_cffi_backend.cpython-312-darwin.so from pip install on a Mac.",
        fix="Install the dependencies for Linux (pip --platform manylinux2014_x86_64 --only-binary=:all:, or npm install --os=linux --cpu=x64), or build the layer in a Linux container.",
    ),
    Rule(
        code="LL202",
        name="wrong-architecture",
        severity="error",
        check=check_wrong_architecture,
        summary="ELF for the wrong CPU (x86_64 vs arm64), 32-bit or big-endian, that the target would load.",
        what="Compares each loaded ELF file's class, byte order and e_machine with the target architecture (EM_X86_64 for x86_64, EM_AARCH64 for arm64).",
        why="The loader refuses it: 'cannot open shared object file', 'wrong ELF class' or 'exec format error'.",
        example="An x86_64 numpy in a layer used by an arm64 function.",
        fix="Install or build for the function's architecture, or publish one layer per architecture.",
    ),
    Rule(
        code="LL203",
        name="glibc-too-new",
        severity="error",
        check=check_glibc_too_new,
        summary="Native code that needs a newer glibc than the target OS has.",
        what="Reads the GLIBC_x.y versions each loaded ELF file requires (its verneed section, ignoring weak entries) and compares the newest with the target OS's glibc: Amazon Linux 2 has 2.26, Amazon Linux 2023 has 2.34. Names the symbols that need it and the runtimes on which it would load.",
        why="The loader refuses it at import or exec: 'version `GLIBC_2.28' not found'. Binaries built on a current distribution or CI image need newer glibc than Lambda has.",
        example="cryptography's manylinux_2_28 build in a python3.11 (Amazon Linux 2) layer.",
        fix="Use a wheel or build for an older glibc (manylinux2014), or move the function to an Amazon Linux 2023 runtime.",
    ),
    Rule(
        code="LL204",
        name="musl-binary",
        severity="error",
        check=check_musl_binary,
        summary="Native code linked against musl (built on Alpine).",
        what="Finds loaded ELF files whose interpreter is /lib/ld-musl-* or that need libc.musl-*.",
        why="Lambda's Amazon Linux has glibc only: 'libc.musl-x86_64.so.1: cannot open shared object file'.",
        example="A musllinux wheel of cryptography, or a layer built in an Alpine container.",
        fix="Build or install on a glibc system (manylinux wheels, an Amazon Linux container).",
    ),
    Rule(
        code="LL207",
        name="python-abi-mismatch",
        severity="error",
        check=check_python_abi_mismatch,
        summary="A Python extension module built for another Python version or platform, with no sibling that fits.",
        what="Checks each tagged extension module (.cpython-3XY-<triplet>.so, .abi3.so, .pyd) against the suffixes the target CPython accepts, unless a sibling variant of the same module fits. Untagged .so files (ctypes libraries) are not extension modules.",
        why="The interpreter does not even try a module with another tag: 'No module named ...' for a package that is plainly there.",
        example="_speedups.cpython-311-x86_64-linux-gnu.so in a python3.12 layer.",
        fix="Reinstall for the target Python: pip install --python-version 3.12 --only-binary=:all: --platform manylinux2014_x86_64 --target python <package>.",
    ),
    Rule(
        code="LL208",
        name="incompatible-wheel-tag",
        severity="error",
        check=check_incompatible_wheel_tag,
        summary="A distribution installed from a wheel whose tags cannot install on the target.",
        what="Reads the Tag lines of each *.dist-info/WHEEL and checks them with packaging.tags against what pip accepts for the target CPython, architecture and glibc: macosx_*, win_*, musllinux_*, manylinux_2_28 on Amazon Linux 2, cp311 on python3.12, the other CPU. linux_* tags (built from source) are info; the ELF rules decide those.",
        why="The package was installed for another platform; its native code fails at import, or worse, imports and misbehaves.",
        example="numpy-2.3.1.dist-info/WHEEL with Tag: cp312-cp312-manylinux_2_28_x86_64 in a python3.11 layer.",
        fix="Reinstall with pip's --platform for every manylinux_2_N up to the OS's glibc (pip only expands the legacy aliases).",
        severity_note="warning when every compiled module of the distribution gives way to a pure-Python twin on the target (it works, slower); info when another build of them in the layer loads instead, and for linux_* tags (built from source on the build machine).",
    ),
    Rule(
        code="LL209",
        name="damaged-elf",
        severity="error",
        check=check_damaged_elf,
        summary="A file that starts like ELF but whose structures cannot be read.",
        what="Reports ELF members whose headers, program headers or dynamic section cannot be parsed (truncated or corrupted binaries).",
        why="The loader rejects them at import or exec, with errors such as 'file too short' or 'ELF load command past end of file'.",
        example="A .so file cut off by an interrupted copy.",
        fix="Rebuild or re-download the file.",
        severity_note="warning when no target loads the file.",
    ),
]
