"""LL301-LL307: Lambda's size and count limits, packages shadowed across a stack, dead weight."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence

from .. import layout
from ..layer import Layer
from ..linkage import linked_paths
from ..loading import natives
from ..packages import Importable, Owner, SizeItem
from ..registry import Context, Hit, Rule
from ..report import Target
from ..source import Entry
from ..sizes import human_bytes
from ..stack import Stack

_TOP = 5  # contributors named in a size message
_EXAMPLES = 10


def _bytes(count: int) -> str:
    """An exact byte count as messages give it: "1 byte", "1,234 bytes"."""
    return f"{count:,} byte{'' if count == 1 else 's'}"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%"


def _contributors(items: Sequence[SizeItem]) -> str:
    return ", ".join(f"{item.name} {human_bytes(item.unzipped_bytes)}" for item in items[:_TOP])


def _top_json(items: Sequence[SizeItem]) -> list[dict]:
    return [item.to_json() for item in items[:_TOP]]


# LL301 ---------------------------------------------------------------------------------


def check_zipped_over_direct_upload(layer: Layer, ctx: Context) -> Iterator[Hit]:
    limit = ctx.kb.quotas.direct_upload_zipped_bytes
    size = layer.zipped_bytes
    if size is None or size <= limit:
        return
    yield Hit(
        path=None,
        message=(
            f"the zip is {size:,} bytes ({human_bytes(size)}), {_bytes(size - limit)} over the {limit:,}-byte ({human_bytes(limit)}) "
            "limit for direct uploads through the Lambda API or console (the limit is approximate: the request is base64-encoded)"
        ),
        fix="Upload the zip to S3 and publish the layer from there (aws lambda publish-layer-version --content S3Bucket=...,S3Key=...), or make it smaller (see LL306).",
        targets=ctx.targets,
        data={"zipped_bytes": size, "limit": limit, "excess": size - limit},
    )


# LL302 / LL303 -------------------------------------------------------------------------


def _size_hits(total: int, items: Sequence[SizeItem], ctx: Context, what: str, near: bool, copied: int = 0) -> Iterator[Hit]:
    limit = ctx.kb.quotas.unzipped_bytes
    copies = f" {human_bytes(copied)} of it is identical copies of other files, most likely symlinks zipped as files: `zip -r -y` keeps them as links (see LL306)." if copied else ""
    data = {"unzipped_bytes": total, "limit": limit, "percent": round(100 * total / limit, 1), "top": _top_json(items)}
    if total >= limit and not near:
        yield Hit(
            path=None,
            message=(
                f"{what} unzips to {total:,} bytes, {_percent(total, limit)} of Lambda's limit: {_bytes(total - limit + 1)} "
                f"too many (it must be smaller than {limit:,} bytes); largest: {_contributors(items)}"
            ),
            fix="Remove what the function does not import (see LL306), move big dependencies to a container image, or split the function." + copies,
            targets=ctx.targets,
            data={**data, "excess": total - limit + 1},
        )
    elif near and ctx.near_limit * limit < total < limit:
        yield Hit(
            path=None,
            message=(
                f"{what} unzips to {total:,} bytes, {_percent(total, limit)} of the {limit:,}-byte limit "
                f"({_bytes(limit - total)} left); largest: {_contributors(items)}"
            ),
            fix="Keep room for the function and its other layers: drop dead weight (see LL306) before it grows past the limit." + copies,
            targets=ctx.targets,
            data={**data, "headroom": limit - total},
        )


def check_unzipped_over_limit(layer: Layer, ctx: Context) -> Iterator[Hit]:
    yield from _size_hits(layer.unzipped_bytes, layer.sizes, ctx, "this layer alone", near=False, copied=_copied_bytes(layer))


def check_near_unzipped_limit(layer: Layer, ctx: Context) -> Iterator[Hit]:
    yield from _size_hits(layer.unzipped_bytes, layer.sizes, ctx, "this layer", near=True, copied=_copied_bytes(layer))


def _copied_bytes(layer: Layer) -> int:
    """The bytes of copies, when they are a tenth of the layer or more (else not worth the words)."""
    copied = sum(size for _, size in _identical_copies(layer))
    return copied if copied * 10 >= layer.unzipped_bytes else 0


def _stack_items(stack: Stack) -> list[SizeItem]:
    items = [SizeItem(member.name, "folder", None, member.unzipped_bytes, len(member.files)) for member in stack.members]
    return sorted(items, key=lambda item: -item.unzipped_bytes)


def check_stack_over_limit(stack: Stack, ctx: Context) -> Iterator[Hit]:
    yield from _size_hits(stack.unzipped_bytes, _stack_items(stack), ctx, _stack_name(stack), near=False)


def check_stack_near_limit(stack: Stack, ctx: Context) -> Iterator[Hit]:
    yield from _size_hits(stack.unzipped_bytes, _stack_items(stack), ctx, _stack_name(stack), near=True)


def _stack_name(stack: Stack) -> str:
    count = f"{len(stack.layers)} layer{'s' if len(stack.layers) != 1 else ''}"
    return f"the function with its {count}" if stack.function is not None else f"the stack of {count}"


# LL304 ---------------------------------------------------------------------------------


def check_too_many_layers(stack: Stack, ctx: Context) -> Iterator[Hit]:
    limit = ctx.kb.quotas.layers_per_function
    if len(stack.layers) <= limit:
        return
    yield Hit(
        path=None,
        message=f"{len(stack.layers)} layers, {len(stack.layers) - limit} more than the {limit} Lambda allows per function",
        fix="Merge layers (one zip can hold several runtimes' folders and bin/ and lib/), or move dependencies into the function or a container image.",
        targets=ctx.targets,
        data={"layers": [layer.name for layer in stack.layers], "limit": limit},
    )


# LL305 ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Copy:
    source: Layer
    importable: Importable
    rank: int  # position of its folder on the runtime's search path

    @property
    def is_namespace(self) -> bool:
        """A Python folder without __init__: a PEP 420 namespace portion. Python merges the
        portions it finds in every search folder instead of importing one of them."""
        if self.importable.family != "python":
            return False
        prefix = self.importable.path + "/"
        below = [entry.path[len(prefix) :] for entry in self.importable.files]
        return all(entry.path.startswith(prefix) for entry in self.importable.files) and not any(
            "/" not in rest and rest.startswith("__init__.") for rest in below
        )

    def portions(self) -> list["_Copy"]:
        """The packages and modules inside a namespace portion, each a copy of its own."""
        base = self.importable
        prefix = base.path + "/"
        groups: dict[str, list[Entry]] = defaultdict(list)
        for entry in base.files:
            top, _, below = entry.path[len(prefix) :].partition("/")
            name = top if below else top.split(".", 1)[0]
            if name.isidentifier() and (below or top.endswith((".py", ".so", ".pyd"))):
                groups[name].append(entry)
        owners = self.source.packages.owners
        return [
            _Copy(self.source, Importable("python", f"{base.name}/{name}", base.folder, owners.get(files[0].path), tuple(files)), self.rank)
            for name, files in sorted(groups.items())
        ]

    def signature(self) -> dict[str, tuple[Optional[int], int]]:
        """Content by path, bytecode left out: .pyc files compiled on two machines differ in
        their timestamps while their sources are the same."""
        prefix = self.importable.folder + "/" if self.importable.folder else ""
        return {
            entry.path[len(prefix):]: (self.source.crc(entry), entry.size)
            for entry in self.importable.files
            if not entry.path.endswith((".pyc", ".pyo"))
        }

    def installed_bytes(self) -> int:
        """The bytes of the distribution that installed this copy, in its layer; the copy's own
        files when no distribution owns them."""
        owner = self.importable.owner
        if owner is None:
            return sum(entry.size for entry in self.importable.files)
        return _bytes_by_owner(self.source).get(owner, 0)

    def where(self) -> str:
        version = f" {self.importable.owner.version}" if self.importable.owner and self.importable.owner.version else ""
        place = "/var/task/" if self.source.is_function else "/opt/"
        return f"{self.source.name}{version} at {place}{self.importable.path}"


def _bytes_by_owner(layer: Layer) -> dict[Owner, int]:
    """The unzipped bytes each distribution or Node package installed in the layer, worked out once."""

    def count() -> dict[Owner, int]:
        owners = layer.packages.owners
        totals: dict[Owner, int] = defaultdict(int)
        for entry in layer.files:
            owner = owners.get(entry.path)
            if owner is not None:
                totals[owner] += entry.size
        return totals

    return layer.memo("bytes by owner", count)


def check_shadowed_package(stack: Stack, ctx: Context) -> Iterator[Hit]:
    merged: dict[tuple[str, str, str], list[Target]] = {}
    details: dict[tuple[str, str, str], tuple[dict, Optional[str]]] = {}
    for runtime_id, targets in _by_runtime(ctx.targets).items():
        runtime = ctx.kb.runtimes[runtime_id]
        if runtime.family not in ("python", "nodejs"):
            continue
        for name, copies in _copies(stack, runtime.family, runtime.layer_paths).items():
            hit = _shadow_hit(name, copies)
            if hit is None:
                continue
            path, message, data, severity = hit
            merged.setdefault((path, message, runtime.family), []).extend(targets)
            details[(path, message, runtime.family)] = (data, severity)
    for (path, message, family), targets in merged.items():
        data, severity = details[(path, message, family)]
        yield Hit(
            path=path,
            message=message,
            fix="Ship each package in one place only: remove the other copies, or pin every layer to the same version.",
            targets=tuple(targets),
            data=data,
            severity=severity,
        )


def _by_runtime(targets: Sequence[Target]) -> dict[str, list[Target]]:
    grouped: dict[str, list[Target]] = defaultdict(list)
    for target in targets:
        grouped[target.runtime].append(target)
    return grouped


def _copies(stack: Stack, family: str, layer_paths: Sequence[str]) -> dict[str, list[_Copy]]:
    order = {"": 0, "node_modules": 0}  # the function's folders come first
    for rank, folder in enumerate(layer_paths, start=1):
        order[folder] = rank
    copies: dict[str, list[_Copy]] = defaultdict(list)
    for member in stack.members:
        for importable in member.packages.importables:
            if importable.family != family:
                continue
            is_function_folder = importable.folder in ("", "node_modules")
            if member.is_function != is_function_folder or importable.folder not in order:
                continue
            copies[importable.name].append(_Copy(member, importable, order[importable.folder]))
    return _shared(copies)


def _shared(copies: dict[str, list[_Copy]]) -> dict[str, list[_Copy]]:
    """The names shipped by more than one member. When every copy of a name is a namespace
    portion (google/, azure/), nothing is shadowed at that level: look at what is inside."""
    shared: dict[str, list[_Copy]] = {}
    for name, found in copies.items():
        if len({id(copy.source) for copy in found}) < 2:
            continue
        if all(copy.is_namespace for copy in found):
            inner: dict[str, list[_Copy]] = defaultdict(list)
            for copy in found:
                for portion in copy.portions():
                    inner[portion.importable.name.replace("/", ".")].append(portion)
            shared.update(_shared(inner))
        else:
            shared[name] = found
    return shared


# Identical copies of a package this big are worth a word: each counts toward the unzipped limit.
_MIN_IDENTICAL_BYTES = 1 << 20


def _shadow_hit(name: str, copies: list[_Copy]) -> Optional[tuple[str, str, dict, Optional[str]]]:
    signatures = {id(copy): copy.signature() for copy in copies}
    if all(sig == signatures[id(copies[0])] for sig in signatures.values()):
        # Whichever wins, the same code runs; but the limit counts every copy, with all that its
        # distribution installed (numpy.libs/ and the .dist-info beside numpy/).
        size = copies[0].installed_bytes()
        if size < _MIN_IDENTICAL_BYTES:
            return None
        listed = "; ".join(copy.where() for copy in copies)
        message = (
            f"{name} is shipped {len(copies)} times, identical: {listed}; the same code runs whichever copy the runtime finds, "
            f"but each copy counts toward the unzipped limit ({human_bytes(size)} each, {human_bytes(size * (len(copies) - 1))} for nothing)"
        )
        data = {"package": name, "copies": [{"layer": c.source.name, "path": c.importable.path} for c in copies], "bytes_each": size}
        return copies[0].importable.path, message, data, "info"
    # Python imports the first regular package or module on its path; namespace portions
    # count only when there is none, so a regular package later on the path beats them.
    copies = sorted(copies, key=lambda copy: (copy.is_namespace, copy.rank))
    best = [copy for copy in copies if (copy.is_namespace, copy.rank) == (copies[0].is_namespace, copies[0].rank)]
    listed = "; ".join(copy.where() for copy in copies)
    if len(best) == 1:
        outcome = f"the runtime imports the copy from {best[0].source.name} (first on the search path) and never the others"
        different: list[str] = []
    else:
        different = sorted(_differing([signatures[id(copy)] for copy in best]))
        if different:
            outcome = (
                f"{len(best)} layers unpack it to the same folder /opt/{best[0].importable.path} and their files differ "
                f"({', '.join(different[:_EXAMPLES])}{' ...' if len(different) > _EXAMPLES else ''}); Lambda does not document which layer's copy survives"
            )
        else:
            outcome = (
                f"{len(best)} layers unpack it to the same folder /opt/{best[0].importable.path}: the files they share are identical, "
                "but not every copy has every file, so the folder holds a mix of them"
            )
    message = f"{name} is shipped {len(copies)} times: {listed}; {outcome}"
    data = {
        "package": name,
        "copies": [
            {"layer": c.source.name, "path": c.importable.path, "version": c.importable.owner.version if c.importable.owner else None}
            for c in copies
        ],
        "imported": best[0].source.name if len(best) == 1 else None,
        "differing_files": different[:_MAX_LISTED],
        "differing_count": len(different),
    }
    return best[0].importable.path, message, data, None


_MAX_LISTED = 50  # differing files named in a finding's data; the count says how many in all


def _differing(signatures: list[dict[str, tuple[Optional[int], int]]]) -> set[str]:
    """Paths that more than one copy has, with different content: only there does it matter
    which layer's file survives (a file only one layer has is simply added)."""
    names = set().union(*signatures)
    return {name for name in names if len({sig[name] for sig in signatures if name in sig}) > 1}


# LL306 ---------------------------------------------------------------------------------

_DOC_FOLDERS = {"doc", "docs", "man"}
_TEST_FOLDERS = {"test", "tests"}


def _dead_class(path: str, place: Callable[[str], Optional[layout.Placement]]) -> Optional[str]:
    parts = path.split("/")
    name = parts[-1]
    if "__pycache__" in parts or name.endswith((".pyc", ".pyo")):
        return "bytecode caches (__pycache__/, .pyc)"
    if name.endswith(".a"):
        return "static libraries (.a)"
    if name.endswith((".h", ".hpp", ".hh", ".hxx")):
        return "C/C++ headers"
    where = place(path)
    inside = parts[where.folder.count("/") + 2 : -1] if where is not None else parts[1:-1]
    if not _TEST_FOLDERS.isdisjoint(inside):
        return "test suites inside packages (tests/, test/)"
    is_code = name.endswith((".py", ".so", ".js", ".mjs", ".cjs", ".node", ".rb", ".jar"))
    if not is_code and (not _DOC_FOLDERS.isdisjoint(inside) or parts[:2] == ["share", "doc"] or parts[:2] == ["share", "man"]):
        return "documentation folders (doc/, docs/, man/)"
    return None


def check_dead_weight(layer: Layer, ctx: Context) -> Iterator[Hit]:
    classes: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for entry in layer.files:
        if entry.is_symlink:
            continue
        kind = _dead_class(entry.path, layer.placement)
        if kind is not None:
            classes[kind].append((entry.path, entry.size))
        facts = layer.elf(entry)
        if facts is not None and facts.debug_bytes:
            classes["debug sections in unstripped ELF files (strip --strip-debug)"].append((entry.path, facts.debug_bytes))
    for path, size in _identical_copies(layer):
        classes[_COPIES].append((path, size))
    why_unused: list[str] = []
    if ctx.targets:
        found = natives(layer, ctx)
        # A library pulled in through an RPATH loads whatever the OS has (a newer libstdc++.so.6).
        pulled_in = set().union(*linked_paths(layer, ctx, found).values())
        for native in found:
            reasons = sorted({decision.reason for decision in native.decisions.values() if decision.reason})
            # Code in a folder no target reads is the path rules' business (LL101-LL103), not dead weight.
            if not native.loaded_by() and native.entry.path not in pulled_in and not all("does not read" in reason for reason in reasons):
                why_unused.extend(f"{native.entry.path}: {reason}" for reason in reasons if "does not read" not in reason)
                classes[_UNUSED].append((native.entry.path, native.entry.size))
    for kind, found in sorted(classes.items()):
        total = sum(size for _, size in found)
        if total == 0:
            continue
        biggest = sorted(found, key=lambda item: -item[1])
        examples = ", ".join(f"{path} ({human_bytes(size)})" for path, size in biggest[:_EXAMPLES])
        if kind == _UNUSED and why_unused:
            examples += f" (why, for example: {why_unused[0]})"
        yield Hit(
            path=None,
            message=f"{human_bytes(total)} ({total:,} bytes, {_percent(total, max(layer.unzipped_bytes, 1))} of the layer) in {len(found)} file{'s' if len(found) != 1 else ''} of {kind}: {examples}",
            fix=_DEAD_FIX.get(kind.split(" (")[0], "Leave these files out of the layer if nothing else uses them."),
            targets=ctx.targets,
            data={"class": kind, "bytes": total, "files": [path for path, _ in biggest[:100]], "count": len(found)},
        )


_UNUSED = "native code no target loads"
_COPIES = "identical copies of other files (same size and CRC-32)"
# Copies smaller than this are not worth a word (licences, empty modules, tiny data files).
_MIN_COPY_BYTES = 64 << 10


def _identical_copies(layer: Layer) -> list[tuple[str, int]]:
    """Files whose content (size and CRC-32) another file of the layer already has: each copy
    but the one with the longest name. Mostly symlinks that `zip -r` stored as copies (lib/libfoo.so,
    libfoo.so.1 and libfoo.so.1.2.3 three times over); also one library bundled by two packages."""
    def find() -> list[tuple[str, int]]:
        seen: dict[tuple[int, int], str] = {}
        found = []
        # Longest names first: of libfoo.so, libfoo.so.1 and libfoo.so.1.2.3 the last is the real one.
        for entry in sorted(layer.files, key=lambda entry: (-len(entry.path), entry.path)):
            crc = layer.crc(entry)
            if entry.is_symlink or entry.size < _MIN_COPY_BYTES or crc is None:
                continue
            if (entry.size, crc) in seen:
                found.append((entry.path, entry.size))
            else:
                seen[(entry.size, crc)] = entry.path
        return found

    return layer.memo("copies", find)


_DEAD_FIX = {
    "identical copies of other files": "Where they were symlinks (libfoo.so -> libfoo.so.1.2.3, git's helpers), zip with `zip -r -y` (--symlinks) so they stay links; where two packages bundle the same library, that is expected.",
    "bytecode caches": "Leave __pycache__/ out (AWS advises it: bytecode from another machine may not match); pip install --no-compile, or zip -x '*__pycache__*'.",
    "static libraries": "Static libraries are only for linking at build time; leave *.a out of the layer.",
    "C/C++ headers": "Headers are only for building; leave *.h out of the layer.",
    "test suites inside packages": "Delete packages' tests/ folders before zipping (nothing imports them at run time).",
    "documentation folders": "Delete doc/, docs/ and man/ folders before zipping.",
    "native code no target loads": "Leave them out: builds for other platforms and build leftovers are bytes the function never uses (or publish one layer per platform).",
    "debug sections in unstripped ELF files": "Run `strip --strip-debug` on these files before zipping; it keeps the symbols that loading needs.",
}


# LL307 ---------------------------------------------------------------------------------


def check_too_many_extensions(stack: Stack, ctx: Context) -> Iterator[Hit]:
    limit = ctx.kb.quotas.extensions_per_function
    found: dict[str, str] = {}
    for layer in stack.layers:
        for entry in layer.files:
            parts = entry.parts
            if len(parts) == 2 and parts[0] == "extensions":
                found[parts[1]] = layer.name  # a later layer's file of the same name replaces it in /opt
    if len(found) <= limit:
        return
    names = sorted(found)
    yield Hit(
        path="extensions/",
        message=f"{len(found)} extensions in /opt/extensions across the stack, {len(found) - limit} more than the {limit} Lambda allows: {', '.join(names)}",
        fix="Drop extensions the function does not need, or combine their work into fewer extension processes.",
        targets=ctx.targets,
        data={"extensions": [{"name": n, "layer": found[n]} for n in names], "limit": limit},
    )


RULES = [
    Rule(
        code="LL301",
        name="zipped-over-direct-upload",
        severity="warning",
        check=check_zipped_over_direct_upload,
        summary="A zip larger than the 50 MB limit for direct uploads.",
        what="Compares the zip file's size with the 52,428,800-byte (50 MB) limit for uploading a deployment package or layer directly through the Lambda API, SDKs or console.",
        why="A direct upload over the limit is refused (RequestEntityTooLargeException); the limit is approximate because the request is base64-encoded. Uploads through S3 are not limited this way.",
        example="A 61 MB layer zip published with `aws lambda publish-layer-version --zip-file fileb://layer.zip`.",
        fix="Upload to S3 and publish from there, or make the zip smaller.",
    ),
    Rule(
        code="LL302",
        name="unzipped-over-limit",
        severity="error",
        check=check_unzipped_over_limit,
        stack_check=check_stack_over_limit,
        summary="Unzipped size at or over 262,144,000 bytes (250 MB), for one layer or a function with its layers.",
        what="Adds up the unzipped sizes the zip's central directory declares, for each layer and, with --stack or --function, for the function and all its layers; names the total, the limit, the excess and the largest contributors.",
        why="Lambda refuses to create or update the function: 'Unzipped size must be smaller than 262144000 bytes' or 'Function code combined with layers exceeds the maximum allowed size'.",
        example="A layer with torch and scipy that unzips to 290 MB.",
        fix="Remove dead weight (LL306), move the largest dependencies to a container image, or split the function.",
    ),
    Rule(
        code="LL303",
        name="near-unzipped-limit",
        severity="warning",
        check=check_near_unzipped_limit,
        stack_check=check_stack_near_limit,
        summary="Unzipped size over 80% of the 250 MB limit (the share is configurable with --near-limit).",
        what="Warns when a layer, or a function with its layers, uses more than --near-limit (default 0.8) of the 262,144,000-byte unzipped limit without passing it.",
        why="The limit counts the function and all its layers together: a layer near it leaves no room for the function code or for the next dependency upgrade.",
        example="A 215 MB layer.",
        fix="Trim dead weight now (LL306), before the next upgrade pushes the function over.",
    ),
    Rule(
        code="LL304",
        name="too-many-layers",
        severity="error",
        stack_check=check_too_many_layers,
        summary="More than 5 layers in one function's stack.",
        what="Counts the layers given with --stack (or --function).",
        why="Lambda allows at most five layers per function; creating or updating it fails.",
        example="layer-lint --stack a.zip b.zip c.zip d.zip e.zip f.zip",
        fix="Merge layers, or move dependencies into the function or a container image.",
    ),
    Rule(
        code="LL305",
        name="shadowed-package",
        severity="warning",
        stack_check=check_shadowed_package,
        summary="The same Python or Node package reachable from more than one layer, or from the function and a layer.",
        what="For each Python import name and Node package found in more than one layer (or in the function at /var/task and a layer), names each copy with its version and says which one the runtime imports: /var/task first, then each runtime's layer folders in search order (python/lib/pythonX.Y/site-packages/ before python/). Copies whose files are identical (same names, CRC and size) are no conflict: they are reported, as info, only when a copy weighs 1 MiB or more, since each counts toward the unzipped limit.",
        why="Whichever copy comes first on the search path wins, silently: the function runs a version nobody tested. Two layers that unpack a package to the same folder mix their files, and Lambda does not document which layer's copy survives.",
        example="Layer a.zip with python/requests 2.31.0 and layer b.zip with python/lib/python3.12/site-packages/requests 2.28.1.",
        fix="Ship each package in one layer only, or pin all layers to the same version.",
        severity_note="info for identical copies of 1 MiB or more, which count toward the limit more than once.",
    ),
    Rule(
        code="LL306",
        name="dead-weight",
        severity="info",
        check=check_dead_weight,
        summary="Bytes the runtime never uses: bytecode caches, tests, static libraries, headers, docs, debug sections, copies.",
        what="Totals, by class, the files a running function never needs: __pycache__/ and .pyc files, tests/ and test/ folders inside packages, .a static libraries, C/C++ headers, doc/docs/man folders, the DWARF debug sections of unstripped ELF files (what `strip --strip-debug` removes, read from the section headers), native code no target loads (builds for other platforms or CPUs, Windows launchers, libraries the OS's own copy shadows), and files of 64 KiB or more that are identical copies of another file of the layer (same size and CRC-32: mostly symlinks that `zip -r` without -y stored as copies).",
        why="They count against the 250 MB limit and slow cold starts for nothing; AWS advises against shipping __pycache__ because bytecode built elsewhere may not match the runtime.",
        example="A scientific layer whose packages' tests/ folders and unstripped .so files take 60 MB.",
        fix="Exclude them when building the layer (pip install --no-compile, zip -x patterns, strip --strip-debug).",
    ),
    Rule(
        code="LL307",
        name="too-many-extensions",
        severity="error",
        stack_check=check_too_many_extensions,
        summary="More than 10 extensions in /opt/extensions across a function's layers.",
        what="Counts the files directly in extensions/ across all layers of the stack (a later layer's file of the same name replaces an earlier one).",
        why="Lambda registers at most 10 extensions per function; more make the function fail to start.",
        example="Three monitoring layers that bring 4 extensions each.",
        fix="Drop extensions the function does not need.",
    ),
]
