"""Python distributions and import names, Node packages, and where a layer's bytes go.

Built from the listing plus the few small metadata files the layer's scan keeps
(*.dist-info/RECORD and package.json); nothing else is read.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Optional

from . import layout
from .source import Entry

ReadText = Callable[[Entry], Optional[bytes]]
Place = Callable[[str], Optional[layout.Placement]]

_DIST_INFO = re.compile(r"^(?P<name>[^/-]+)-(?P<version>[^/-]+)\.(dist|egg)-info$")


# The headers of *.dist-info/METADATA (Name, Version, Requires-Python) come before the (often
# long) description, but after a License header that can run to tens of KiB (numpy's puts
# Requires-Python 58 KB in): this much is read, and only the headers are kept (metadata_headers).
METADATA_HEAD_BYTES = 256 << 10


def metadata_headers(text: bytes) -> bytes:
    """A METADATA file's headers: everything before the first empty line."""
    end = text.find(b"\n\n")
    return text if end < 0 else text[: end + 1]


def wants_text(path: str) -> Optional[int]:
    """How many bytes of a metadata file the scan keeps (None: not metadata): wheel records and
    tags and package manifests whole, a distribution's METADATA only its headers."""
    if path.endswith((".dist-info/RECORD", ".dist-info/WHEEL")) or path.endswith("/package.json"):
        return 1 << 20
    if path.endswith(".dist-info/METADATA"):
        return METADATA_HEAD_BYTES
    return None


@dataclass(frozen=True)
class Owner:
    """What installed a file: a Python distribution or a Node package."""

    kind: str  # "distribution" or "node-package"
    name: str
    version: Optional[str]


@dataclass(frozen=True)
class Importable:
    """A name the runtime can import from one search folder of a layer."""

    family: str  # "python" or "nodejs"
    name: str  # the import name (Python) or package name (Node)
    folder: str  # the search folder, e.g. python/lib/python3.12/site-packages
    owner: Optional[Owner]
    files: tuple[Entry, ...]

    @property
    def path(self) -> str:
        return f"{self.folder}/{self.name}" if self.folder else self.name


@dataclass(frozen=True)
class SizeItem:
    name: str
    kind: str  # "distribution", "node-package" or "folder"
    version: Optional[str]
    unzipped_bytes: int
    files: int

    def to_json(self) -> dict:
        return {"name": self.name, "kind": self.kind, "version": self.version, "unzipped_bytes": self.unzipped_bytes, "files": self.files}


def wheel_tags(text: Optional[bytes]) -> list[str]:
    """The tags a .dist-info/WHEEL file's Tag: lines give ("cp312-cp312-manylinux_2_17_x86_64")."""
    lines = (text or b"").decode("utf-8", "replace").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]


def normalize(name: str) -> str:
    """PEP 503 name normalisation, so Foo_Bar and foo-bar are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Packages:
    owners: dict[str, Owner]  # file path -> what installed it
    importables: list[Importable]


def layer_placement(path: str) -> Optional[layout.Placement]:
    """Where a layer file sits for importing: its runtime folder, unless it is misnested."""
    return layout.placement(path) if layout.misnesting(path) is None else None


def function_placement(path: str) -> Optional[layout.Placement]:
    """A function's package is unpacked at /var/task, the first entry of sys.path, and Node
    looks in /var/task/node_modules."""
    if path.startswith("node_modules/"):
        return layout.Placement("nodejs", "node_modules")
    return layout.Placement("python", "")


def find_packages(entries: Iterable[Entry], read_text: ReadText, place: Place = layer_placement) -> Packages:
    files = [entry for entry in entries if not entry.is_dir]
    # Each file is placed, and its importable name worked out, once for the passes below.
    placed = [(entry, place(entry.path)) for entry in files]
    keys = [_importable_key(entry.path, where) for entry, where in placed]
    owners = _python_owners(placed, read_text)
    owners.update(_node_owners(files, keys, read_text))
    groups: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
    for entry, key in zip(files, keys):
        if key is not None:
            groups[key].append(entry)
    importables = [
        Importable(family, name, folder, owners.get(entries_[0].path), tuple(entries_))
        for (family, folder, name), entries_ in sorted(groups.items())
    ]
    return Packages(owners, importables)


def _below(path: str, folder: str) -> str:
    return path[len(folder) + 1 :] if folder else path


def _importable_key(path: str, where: Optional[layout.Placement]) -> Optional[tuple[str, str, str]]:
    """(family, folder, name) of what importing the file at `path`, placed at `where`, goes by."""
    if where is None:
        return None
    rest = _below(path, where.folder)
    if where.family == "python":
        top, _, below = rest.partition("/")
        if below:
            return ("python", where.folder, top) if top.isidentifier() else None
        module = top.split(".", 1)[0]
        is_module = top.endswith((".py", ".so", ".pyd")) and module.isidentifier()
        return ("python", where.folder, module) if is_module else None
    if where.family == "nodejs":
        parts = rest.split("/")
        width = 2 if parts[0].startswith("@") else 1
        return ("nodejs", where.folder, "/".join(parts[:width])) if len(parts) > width else None
    return None


def _python_owners(placed: list[tuple[Entry, Optional[layout.Placement]]], read_text: ReadText) -> dict[str, Owner]:
    """Python files by distribution, from each *.dist-info folder and its RECORD.

    A file RECORD lists belongs to that distribution; other files go by their top-level folder.
    The exact match matters for namespace packages: google/protobuf and google/api_core share
    the top-level folder google/ but come from different distributions."""
    exact: dict[str, Owner] = {}
    by_top: dict[tuple[str, str], Owner] = {}
    python = [(entry, where) for entry, where in placed if where is not None and where.family == "python"]
    for entry, where in python:
        parts = _below(entry.path, where.folder).split("/")
        match = _DIST_INFO.match(parts[0])
        if not match:
            continue
        owner = Owner("distribution", match.group("name"), match.group("version"))
        by_top.setdefault((where.folder, parts[0]), owner)
        if parts[1:] == ["RECORD"]:
            prefix = f"{where.folder}/" if where.folder else ""
            for recorded in recorded_paths((read_text(entry) or b"").decode("utf-8", "replace")):
                top = recorded.partition("/")[0]
                if top and top not in ("..", "."):
                    exact.setdefault(prefix + recorded, owner)
                    by_top.setdefault((where.folder, top), owner)
    owners = {}
    for entry, where in python:
        top = _below(entry.path, where.folder).split("/", 1)[0]
        owner = exact.get(entry.path) or by_top.get((where.folder, top))
        if owner is not None:
            owners[entry.path] = owner
    return owners


def recorded_paths(text: str) -> Iterator[str]:
    """The paths a RECORD lists. It is CSV, so a path with a comma is quoted; a line the csv
    module refuses (a NUL byte before Python 3.11, a field over its size limit) is damaged
    metadata, not a reason to fail: the text before its first comma stands for the path."""
    for line in text.splitlines():
        if '"' not in line:
            # Without a quote, csv's first field is the text before the first comma (or the
            # error case above); a RECORD of thousands of lines need not build a reader for each.
            if line:
                yield line.split(",", 1)[0]
            continue
        try:
            row = next(csv.reader([line]), [])
        except csv.Error:
            row = [line.split(",", 1)[0]]
        if row:
            yield row[0]


def _node_owners(files: list[Entry], keys: list[Optional[tuple[str, str, str]]], read_text: ReadText) -> dict[str, Owner]:
    """Node files by their outermost package (a package's own node_modules count as its bytes);
    `keys` are the files' importable keys."""
    manifests = {entry.path: entry for entry in files if entry.path.endswith("/package.json")}
    owners = {}
    versions: dict[str, Optional[str]] = {}
    for entry, key in zip(files, keys):
        if key is None or key[0] != "nodejs":
            continue
        package_dir = f"{key[1]}/{key[2]}"
        if package_dir not in versions:
            manifest = manifests.get(f"{package_dir}/package.json")
            versions[package_dir] = _node_version(read_text(manifest)) if manifest is not None else None
        owners[entry.path] = Owner("node-package", key[2], versions[package_dir])
    return owners


def _node_version(manifest: Optional[bytes]) -> Optional[str]:
    try:
        version = json.loads(manifest or b"").get("version")
    except (ValueError, AttributeError):
        return None
    return version if isinstance(version, str) else None


def _unowned_group(path: str) -> str:
    """Where a file no package owns is counted: inside a language's search folder, the folder
    below it (python/bin/, .../site-packages/bulky/, which name the culprit); elsewhere, its
    top-level folder."""
    where = layout.placement(path)
    if where is not None and where.folder and path.startswith(where.folder + "/"):
        rest = path[len(where.folder) + 1 :]
        below = rest.split("/", 1)[0]
        if "/" in rest and below not in ("", ".", ".."):  # not for names LL402 reports
            return f"{where.folder}/{below}/"
        return where.folder + "/"
    top = layout.top_level(path)
    return top + "/" if "/" in path else top


def size_breakdown(entries: Iterable[Entry], owners: dict[str, Owner]) -> list[SizeItem]:
    """Where the unzipped bytes go: Python by distribution, Node by package, the rest by
    top-level folder; largest first."""
    totals: dict[tuple[str, str, Optional[str]], list[int]] = defaultdict(lambda: [0, 0])
    for entry in entries:
        if entry.is_dir:
            continue
        owner = owners.get(entry.path)
        if owner is not None:
            key = (owner.name, owner.kind, owner.version)
        else:
            key = (_unowned_group(entry.path), "folder", None)
        totals[key][0] += entry.size
        totals[key][1] += 1
    items = [SizeItem(name, kind, version, size, count) for (name, kind, version), (size, count) in totals.items()]
    return sorted(items, key=lambda item: (-item.unzipped_bytes, item.name))
