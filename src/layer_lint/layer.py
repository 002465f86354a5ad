"""The layer model: a source plus the facts parsed from it once, shared by every rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from . import layout
from .binaries import HEAD_BYTES, BinaryHead, sniff
from .source import Entry, LayerSource, MemberReadError


@dataclass(frozen=True)
class TopLevel:
    """A top-level entry of the layer (a folder or a file at the root)."""

    name: str
    is_dir: bool
    unzipped_bytes: int
    files: int


@dataclass(frozen=True)
class FileFacts:
    """Where one file sits, by name: language, runtime folder, nesting mistake."""

    entry: Entry
    family: Optional[str]
    placement: Optional[layout.Placement]
    misnesting: Optional[layout.Misnesting]


class Layer:
    """A layer's listing and the facts derived from it, computed on first use and kept."""

    def __init__(self, name: str, source: LayerSource) -> None:
        self.name = name
        self.source = source
        self.entries: list[Entry] = source.entries
        # Member read failures, by path; later rules report them.
        self.read_errors: dict[str, str] = {}

    @property
    def zipped_bytes(self) -> Optional[int]:
        return self.source.zipped_bytes

    @cached_property
    def files(self) -> list[Entry]:
        """Regular files and symlinks (what Lambda would create in /opt), first copy of each path."""
        seen: set[str] = set()
        files = []
        for entry in self.entries:
            if not entry.is_dir and entry.path not in seen:
                seen.add(entry.path)
                files.append(entry)
        return files

    @cached_property
    def unzipped_bytes(self) -> int:
        return sum(entry.size for entry in self.entries if not entry.is_dir)

    @cached_property
    def top_level(self) -> dict[str, TopLevel]:
        sizes: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        is_dir: dict[str, bool] = {}
        for entry in self.entries:
            top = layout.top_level(entry.path)
            if not top:
                continue
            is_dir[top] = is_dir.get(top, False) or entry.is_dir or "/" in entry.path
            if not entry.is_dir:
                sizes[top] += entry.size
                counts[top] += 1
        return {name: TopLevel(name, is_dir[name], sizes[name], counts[name]) for name in sorted(is_dir)}

    @cached_property
    def file_facts(self) -> list[FileFacts]:
        return [
            FileFacts(entry, layout.content_family(entry.path), layout.placement(entry.path), layout.misnesting(entry.path))
            for entry in self.files
        ]

    @cached_property
    def binaries(self) -> dict[str, BinaryHead]:
        """Native code found by magic bytes in every regular file, whatever its name."""
        found = {}
        for entry in self.files:
            if not entry.is_file or entry.size < 4:
                continue
            head = self.read(entry.path, HEAD_BYTES)
            kind = sniff(head) if head is not None else None
            if kind is not None:
                found[entry.path] = kind
        return found

    def read(self, path: str, limit: int) -> Optional[bytes]:
        """Up to `limit` bytes of a member; None (and a recorded read error) when it cannot be read."""
        try:
            return self.source.read(path, limit)
        except MemberReadError as exc:
            self.read_errors[path] = exc.reason
            return None

    def files_under(self, folder: str) -> list[Entry]:
        prefix = folder.rstrip("/") + "/"
        return [entry for entry in self.files if entry.path.startswith(prefix) or entry.path == folder]
