"""The inspector's view of a layer: layout, contents, native code, sizes and the compatibility
matrix of every runtime and architecture, from which CompatibleRuntimes/Architectures follow.

It adds no rules: the matrix is the check command run against every candidate target.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Sequence, Union

from . import __version__, layout
from .cache import Cache, open_cache
from .engine import Options, lint_layer
from .layer import Layer
from .limits import Limits
from .linkage import BinarySummary
from .packages import SizeItem
from .progress import Progress
from .report import LayerReport, LayerTarget, Target
from .rules import ALL_RULES
from .runtimes import ARCHITECTURES, KnowledgeBase, Runtime, load_knowledge_base
from .source import Entry, UnreadableLayer, open_layer
from .targets import resolve_runtime

# AWS accepts at most this many CompatibleRuntimes for a layer version (botocore: CompatibleRuntimes 0-15).
MAX_COMPATIBLE_RUNTIMES = 15
# The lists of LayerView.contents, always all of them (empty for an unreadable layer).
CONTENT_KINDS = ("python_distributions", "node_packages", "java_jars", "ruby_gems", "executables", "extensions", "bootstrap")
_GEMSPEC = re.compile(r"^ruby/gems/[^/]+/specifications/(?P<name>.+)-(?P<version>[^-]+)\.gemspec$")


@dataclass(frozen=True)
class Cell:
    runtime: str
    arch: str
    status: str  # "ok", "warning", "error", "unsupported" or "unknown"
    codes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"runtime": self.runtime, "arch": self.arch, "status": self.status, "codes": list(self.codes)}


@dataclass
class LayerView:
    path: str
    zipped_bytes: Optional[int] = None
    unzipped_bytes: int = 0
    files: int = 0
    error: Optional[str] = None
    layout: list[dict[str, Any]] = field(default_factory=list)
    contents: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {key: [] for key in CONTENT_KINDS})
    binaries: list[BinarySummary] = field(default_factory=list)
    sizes: list[SizeItem] = field(default_factory=list)
    compatibility: list[Cell] = field(default_factory=list)
    compatible_runtimes: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)  # compatible, but over the AWS limit of 15
    compatible_architectures: list[str] = field(default_factory=list)

    def to_json(self, compat_only: bool = False) -> dict[str, Any]:
        document: dict[str, Any] = {
            "path": self.path,
            "zipped_bytes": self.zipped_bytes,
            "unzipped_bytes": self.unzipped_bytes,
            "files": self.files,
            "error": self.error,
        }
        if not compat_only:
            document.update(
                layout=self.layout,
                contents=self.contents,
                binaries=[binary.to_json() for binary in self.binaries],
                sizes=[item.to_json() for item in self.sizes],
            )
        document.update(
            compatibility=[cell.to_json() for cell in self.compatibility],
            compatible_runtimes=self.compatible_runtimes,
            compatible_runtimes_left_out=self.left_out,
            compatible_architectures=self.compatible_architectures,
        )
        return document


@dataclass
class Inspection:
    as_of: datetime.date
    knowledge_base: str
    layers: list[LayerView]

    def to_json(self, compat_only: bool = False) -> dict[str, Any]:
        return {
            "version": 1,
            "tool": {"name": "layer-lint", "version": __version__, "knowledge_base": self.knowledge_base},
            "as_of": self.as_of.isoformat(),
            "layers": [layer.to_json(compat_only) for layer in self.layers],
        }


def inspect_layers(
    paths: Sequence[Union[str, Path]],
    runtimes: Sequence[str] = (),
    as_of: Optional[datetime.date] = None,
    allow_warnings: bool = False,
    limits: Limits = Limits(),
    cache: bool = True,
    progress: Optional[Progress] = None,
) -> Inspection:
    kb = load_knowledge_base()
    as_of = as_of or datetime.date.today()
    named = [resolve_runtime(kb, name) for name in runtimes]
    store = open_cache(cache)
    return Inspection(as_of, kb.version, [_inspect(str(path), kb, as_of, named, allow_warnings, limits, store, progress) for path in paths])


def _inspect(
    path: str,
    kb: KnowledgeBase,
    as_of: datetime.date,
    named: list[Runtime],
    allow_warnings: bool,
    limits: Limits,
    cache: Optional[Cache],
    progress: Optional[Progress],
) -> LayerView:
    try:
        source = open_layer(path, limits.members)
    except UnreadableLayer as exc:
        return LayerView(path=path, error=exc.reason)
    try:
        layer = Layer(path, source, limits, cache=cache, progress=progress)
        rows = _rows(layer, kb, as_of, named)
        targets = [LayerTarget(Target(r.id, arch), False, "inspect") for r in rows for arch in r.architectures]
        report = lint_layer(layer, targets, ALL_RULES, kb, Options(as_of=as_of, limits=limits))
        view = LayerView(
            path=path,
            zipped_bytes=layer.zipped_bytes,
            unzipped_bytes=layer.unzipped_bytes,
            files=len(layer.files),
            layout=_layout(layer, rows),
            contents=_contents(layer),
            binaries=report.binaries,
            sizes=layer.sizes,
            compatibility=_matrix(rows, report),
        )
    finally:
        source.close()
    _suggest(view, rows, allow_warnings)
    return view


def _rows(layer: Layer, kb: KnowledgeBase, as_of: datetime.date, named: list[Runtime]) -> list[Runtime]:
    """Runtimes of the families the layer has content for (every family for a layer of only
    bin/, lib/ or data), valid for .zip functions and not create-blocked; plus those named."""
    families = {facts.placement.family if facts.placement else facts.family for facts in layer.file_facts} - {None}
    if "bootstrap" in layer.top_level:
        families.add("provided")
    candidates = [
        runtime
        for runtime in kb.runtimes.values()
        if runtime.zip
        and runtime.architectures
        and runtime.deprecated is not None
        and (runtime.block_create is None or runtime.block_create > as_of)
        and (not families or runtime.family in families)
    ]
    for runtime in named:
        if runtime not in candidates:
            candidates.append(runtime)
    return candidates


def _matrix(rows: list[Runtime], report: LayerReport) -> list[Cell]:
    cells = []
    for runtime in rows:
        for arch in ARCHITECTURES:
            if not runtime.architectures:  # a runtime named with --runtime that the knowledge base knows little of
                cells.append(Cell(runtime.id, arch, "unknown"))
            elif arch not in runtime.architectures:
                cells.append(Cell(runtime.id, arch, "unsupported"))
            else:
                cells.append(Cell(runtime.id, arch, *report.status(Target(runtime.id, arch))))
    return cells


def _suggest(view: LayerView, rows: list[Runtime], allow_warnings: bool) -> None:
    good = {"ok", "warning"} if allow_warnings else {"ok"}
    fits = {cell.runtime for cell in view.compatibility if cell.status in good}
    ordered = sorted((r for r in rows if r.id in fits), key=_newest_first, reverse=True)
    view.compatible_runtimes = [r.id for r in ordered[:MAX_COMPATIBLE_RUNTIMES]]
    view.left_out = [r.id for r in ordered[MAX_COMPATIBLE_RUNTIMES:]]
    chosen = set(view.compatible_runtimes)
    # An architecture is declared when every chosen runtime that offers it works on it.
    view.compatible_architectures = [
        arch
        for arch in ARCHITECTURES
        if chosen
        and any(c.arch == arch and c.runtime in chosen and c.status in good for c in view.compatibility)
        and all(c.status in good for c in view.compatibility if c.arch == arch and c.runtime in chosen and c.status not in ("unsupported", "unknown"))
    ]


def _newest_first(runtime: Runtime) -> tuple:
    """Sort key, used in reverse: the latest deprecation date first (none scheduled: newest of
    all); on the same date the higher version first (python3.14 before python3.13, java17 before java11)."""
    return (runtime.deprecated or datetime.date.max, _natural(runtime.id))


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in re.findall(r"\d+|\D+", text))


def _layout(layer: Layer, rows: list[Runtime]) -> list[dict[str, Any]]:
    entries = []
    for name, top in layer.top_level.items():
        readers = [r.id for r in rows if any(layout.top_level(p) == name for p in r.opt_paths())]
        meaning = {"extensions": "Lambda extensions (/opt/extensions)", "bootstrap": "custom runtime bootstrap (/opt/bootstrap)"}.get(name)
        entries.append(
            {
                "name": layer.top_level_path(name),
                "files": top.files,
                "unzipped_bytes": top.unzipped_bytes,
                "runtimes": readers,
                "note": meaning,
            }
        )
    return entries


def _metadata(layer: Layer, entry: Entry) -> dict[str, str]:
    """Name and Version from a *.dist-info/METADATA's headers (the first lines, up to a blank one)."""
    head = layer.text(entry) or b""  # the scan keeps the first packages.METADATA_HEAD_BYTES
    found: dict[str, str] = {}
    for line in head.decode("utf-8", "replace").splitlines():
        if not line.strip():
            break
        key, colon, value = line.partition(":")
        if colon and key.strip().lower() in ("name", "version") and value.strip():
            found.setdefault(key.strip().lower(), value.strip())
    return found


def _contents(layer: Layer) -> dict[str, list[dict[str, Any]]]:
    python, node, jars, gems, executables, extensions = [], [], [], [], [], []
    wheel_tags = {path.rsplit("/", 1)[0]: tags for path, tags in layer.wheel_tags.items()}
    dists: dict[str, dict[str, Any]] = {}
    for entry in layer.files:
        parts = entry.parts
        dist = next((i for i, part in enumerate(parts[:-1]) if part.endswith(".dist-info")), None)
        if dist is not None:
            folder = "/".join(parts[: dist + 1])
            if folder not in dists:
                name, _, version = parts[dist][: -len(".dist-info")].partition("-")
                dists[folder] = {"name": name, "version": version or None, "path": folder + "/", "tags": wheel_tags.get(folder, [])}
                python.append(dists[folder])
            if len(parts) == dist + 2 and parts[-1] == "METADATA":
                dists[folder].update(_metadata(layer, entry))
        if entry.path.endswith(".jar") and layout.top_level(entry.path) == "java":
            jars.append({"name": parts[-1], "path": entry.path, "unzipped_bytes": entry.size})
        gem = _GEMSPEC.match(entry.path)
        if gem:
            gems.append({"name": gem.group("name"), "version": gem.group("version"), "path": entry.path})
        if len(parts) == 2 and parts[0] == "bin":
            executables.append({"name": parts[1], "path": entry.path})
        if len(parts) == 2 and parts[0] == "extensions":
            extensions.append({"name": parts[1], "path": entry.path})
    for importable in layer.packages.importables:
        if importable.family == "nodejs":
            version = importable.owner.version if importable.owner else None
            node.append({"name": importable.name, "version": version, "path": importable.path + "/"})
    return {
        "python_distributions": python,
        "node_packages": node,
        "java_jars": jars,
        "ruby_gems": gems,
        "executables": executables,
        "extensions": extensions,
        "bootstrap": [{"path": "bootstrap"}] if "bootstrap" in layer.top_level else [],
    }
