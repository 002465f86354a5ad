"""Targets: the runtime/architecture pairs a layer is checked against, asked for or inferred."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Sequence

from . import layout
from .layer import Layer
from .report import LayerTarget, SkippedTarget, Target
from .runtimes import ARCHITECTURES, KnowledgeBase, Runtime


class UsageError(ValueError):
    """A bad flag value; the CLI turns it into exit 2."""


@dataclass(frozen=True)
class TargetRequest:
    """What the user asked for: --runtime, --arch and --target values, and where they were set
    (empty: on the command line; else the configuration file that set them)."""

    runtimes: tuple[str, ...] = ()
    archs: tuple[str, ...] = ()
    pairs: tuple[str, ...] = ()
    runtimes_from: str = ""  # of the runtimes and the pairs
    archs_from: str = ""

    @property
    def explicit(self) -> bool:
        return bool(self.runtimes or self.pairs)


def resolve_runtime(kb: KnowledgeBase, name: str) -> Runtime:
    runtime = kb.get(name)
    if runtime is not None:
        return runtime
    if name in kb.container_only:
        raise UsageError(f"{name} is a container-image-only runtime; layers work only with .zip functions")
    hint = kb.suggest(name)
    did_you_mean = f"; did you mean {' or '.join(hint)}?" if hint else "; `layer-lint runtimes` lists them"
    raise UsageError(f"unknown runtime {name!r}{did_you_mean}")


def check_arch(arch: str) -> str:
    if arch in ARCHITECTURES:
        return arch
    aliases = {"amd64": "x86_64", "x64": "x86_64", "x86-64": "x86_64", "aarch64": "arm64", "arm": "arm64"}
    hint = f"; did you mean {aliases[arch.lower()]}?" if arch.lower() in aliases else ""
    raise UsageError(f"unknown architecture {arch!r}: Lambda has x86_64 and arm64{hint}")


def explicit_targets(kb: KnowledgeBase, request: TargetRequest) -> tuple[list[LayerTarget], list[SkippedTarget]]:
    """The asked-for targets, and the pairs dropped because the runtime lacks that architecture."""
    archs = [check_arch(arch) for arch in request.archs]
    targets: list[LayerTarget] = []
    skipped: list[SkippedTarget] = []
    for name in request.runtimes:
        runtime = resolve_runtime(kb, name)
        for arch in archs or architectures_of(runtime):
            if arch in architectures_of(runtime):
                reason = _said(request.runtimes_from, "--runtime", "runtimes", name) + (_said(request.archs_from, " --arch", ", architectures", arch) if archs else "")
                targets.append(LayerTarget(Target(runtime.id, arch), False, reason))
            else:
                skipped.append(SkippedTarget(Target(runtime.id, arch), _no_arch_reason(runtime)))
    # One entry per pair, in the order first named; a --target's reason wins over a --runtime's,
    # since the pair is then not the runtime's to narrow (layer_targets).
    chosen: dict[Target, LayerTarget] = {}
    for layer_target in targets:
        chosen.setdefault(layer_target.target, layer_target)
    for pair in request.pairs:
        target = pair_target(kb, pair)
        chosen[target] = LayerTarget(target, False, _said(request.runtimes_from, "--target", "targets", pair))
    unique = list(chosen.values())
    if request.explicit and not unique:
        raise UsageError("no target left: " + "; ".join(s.reason for s in skipped))
    return unique, skipped


def _said(where: str, flag: str, key: str, value: str) -> str:
    """How a target was asked for: `--runtime python3.12`, or `runtimes python3.12 in pyproject.toml`."""
    return f"{flag} {value}" if not where else f"{key} {value} in {where}"


def pair_target(kb: KnowledgeBase, pair: str) -> Target:
    """The target a --target RUNTIME/ARCH value names; UsageError when it names none."""
    name, sep, arch = pair.partition("/")
    if not sep:
        raise UsageError(f"--target {pair!r}: expected RUNTIME/ARCH, e.g. python3.12/arm64")
    runtime = resolve_runtime(kb, name)
    check_arch(arch)
    if arch not in architectures_of(runtime):
        raise UsageError(f"--target {pair}: {_no_arch_reason(runtime)}")
    return Target(runtime.id, arch)


def architectures_of(runtime: Runtime) -> tuple[str, ...]:
    """The runtime's architectures; both when the knowledge base does not know them yet (a new
    runtime), since neither can be ruled out."""
    return runtime.architectures or ARCHITECTURES


def _no_arch_reason(runtime: Runtime) -> str:
    return f"{runtime.id} runs only on {', '.join(architectures_of(runtime))}"


def current_runtimes(kb: KnowledgeBase, family: str, as_of: datetime.date) -> list[Runtime]:
    """The family's .zip runtimes with a published deprecation date still ahead of `as_of`."""
    return [r for r in kb.family(family) if r.zip and r.deprecated is not None and r.deprecated > as_of]


def attachable_runtimes(kb: KnowledgeBase, family: str, as_of: datetime.date) -> list[Runtime]:
    """The family's .zip runtimes whose functions can still be updated on `as_of`, deprecated or not."""
    return [r for r in kb.family(family) if r.zip and r.deprecated is not None and (r.block_update is None or r.block_update > as_of)]


def infer_targets(layer: Layer, kb: KnowledgeBase, as_of: datetime.date, archs: Sequence[str] = ()) -> list[LayerTarget]:
    """Targets from the layout: versioned folders name their runtime, version-less content
    names the family's current runtimes, and ELF members name the architectures."""
    reasons: dict[str, str] = {}
    family_reasons: dict[str, str] = {}
    has_common = False
    for facts in layer.file_facts:
        top = layout.top_level(facts.entry.path)
        if top in layout.COMMON_TOP_LEVEL:
            has_common = True
            continue
        where = facts.placement
        if where is not None and where.version is not None:
            readers = [r for r in kb.runtimes.values() if where.folder in r.layer_paths]
            for runtime in readers:
                reasons.setdefault(runtime.id, where.folder + "/")
            if not readers:
                family_reasons.setdefault(where.family, f"{where.folder}/ (read by no runtime)")
        elif where is not None:
            family_reasons.setdefault(where.family, f"{where.folder}/ (version-less)")
        elif facts.family is not None:
            family_reasons.setdefault(facts.family, f"{layout.FAMILY_NAMES[facts.family]} code at {top}")
    for family, why in family_reasons.items():
        runtimes = current_runtimes(kb, family, as_of)
        # Wheels built for one CPython version name its runtime even when it is deprecated: a
        # function can still be given the layer until updates are blocked (LL105 says so).
        pinned = _pinned_by_wheels(layer, attachable_runtimes(kb, family, as_of)) if family == "python" else []
        for runtime in pinned or runtimes:
            detail = f"wheels for cp{runtime.version.replace('.', '')}" if pinned and runtime.version else f"{family} runtimes current on {as_of.isoformat()}"
            reasons.setdefault(runtime.id, f"{why}: {detail}")
    if not reasons:
        why = "only bin/, lib/, extensions/ or bootstrap" if has_common else "no runtime-specific folders"
        for runtime in current_runtimes(kb, "provided", as_of):
            reasons[runtime.id] = f"{why}: provided runtimes current on {as_of.isoformat()}"

    arch_reason = ""
    if archs:
        chosen = [check_arch(arch) for arch in archs]
    else:
        chosen, arch_reason = _elf_architectures(layer)
    inferred = []
    for runtime_id, why in reasons.items():
        runtime = kb.runtimes[runtime_id]
        usable = [arch for arch in chosen if arch in architectures_of(runtime)]
        note = ""
        if not usable and not archs:
            # The layout names a runtime that has none of the ELF members' architectures: check it
            # on its own ones rather than not at all, so the binaries show up as the mistake.
            usable = list(architectures_of(runtime))
            note = f"; {_no_arch_reason(runtime)}"
        for arch in usable:
            inferred.append(LayerTarget(Target(runtime_id, arch), True, why + arch_reason + note))
    return inferred


def _pinned_by_wheels(layer: Layer, runtimes: list[Runtime]) -> list[Runtime]:
    """The runtimes whose CPython version every version-specific wheel in python/ was built for
    (a cp312 numpy under python/ is for python3.12 only); empty when the wheels say nothing."""
    interpreters: list[set[str]] = []
    for path, tags in layer.wheel_tags.items():
        if not path.startswith("python/") or path.count("/") != 2:
            continue
        found = set()
        for tag in tags:
            interpreter, _, abi = tag.partition("-")
            abi = abi.split("-", 1)[0]
            if abi in ("abi3", "none") or not interpreter.startswith("cp"):
                found = set()
                break
            found.update(interpreter.split("."))
        if found:
            interpreters.append(found)
    if not interpreters:
        return []
    return [r for r in runtimes if r.version and all(f"cp{r.version.replace('.', '')}" in tags for tags in interpreters)]


def _elf_architectures(layer: Layer) -> tuple[list[str], str]:
    found: dict[str, str] = {}
    for path, head in sorted(layer.binaries.items()):
        if head.format == "elf" and head.arch in ARCHITECTURES and not layout.unsafe_name_reasons(path):
            found.setdefault(head.arch, path)
    if not found:
        return list(ARCHITECTURES), ""
    archs = [arch for arch in ARCHITECTURES if arch in found]
    return archs, "; " + ", ".join(f"{arch} from ELF {found[arch]}" for arch in archs)


def layer_targets(
    layer: Layer, kb: KnowledgeBase, as_of: datetime.date, request: TargetRequest, explicit: Sequence[LayerTarget]
) -> list[LayerTarget]:
    if not request.explicit:
        return infer_targets(layer, kb, as_of, request.archs)
    if request.archs:
        return list(explicit)
    pinned = {pair_target(kb, pair) for pair in request.pairs}
    return _runtimes_on_layer_architectures(layer, explicit, pinned)


def _runtimes_on_layer_architectures(layer: Layer, explicit: Sequence[LayerTarget], pinned: set[Target]) -> list[LayerTarget]:
    """--runtime without --arch: each runtime on the architectures of the layer's ELF files (on
    all of its own when it has none of them, so that the binaries show up as the mistake).
    The `pinned` pairs, named with --target, stay as they are."""
    elf_archs, arch_reason = _elf_architectures(layer)
    if not arch_reason:
        return list(explicit)  # no ELF files: every architecture can be served
    narrowed: list[LayerTarget] = []
    for runtime_id in dict.fromkeys(t.target.runtime for t in explicit):
        mine = [t for t in explicit if t.target.runtime == runtime_id]
        open_ = [t for t in mine if t.target not in pinned]
        fitting = [t for t in open_ if t.target.arch in elf_archs] or open_
        for layer_target in mine:
            if layer_target.target in pinned:
                narrowed.append(layer_target)
            elif layer_target in fitting:
                narrowed.append(LayerTarget(layer_target.target, False, layer_target.reason + arch_reason))
    return narrowed
