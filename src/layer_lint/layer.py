"""The layer model: a source plus the facts parsed from it once, shared by every rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from . import layout
from .binaries import HEAD_BYTES, BinaryHead, sniff
from .limits import Limits, bomb_reason
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


@dataclass
class Scan:
    """What one bounded pass over every member's bytes found."""

    heads: dict[int, bytes]  # entry index -> first bytes, kept for native code and scripts only
    errors: dict[int, str]  # entry index -> why its data cannot be read (bad CRC, corrupt, ...)
    skipped: dict[int, str]  # entry index -> why it was not read (encrypted, zip bomb, over the total)
    bytes_read: int


class Layer:
    """A layer's listing and the facts derived from it, computed on first use and kept."""

    def __init__(self, name: str, source: LayerSource, limits: Limits = Limits()) -> None:
        self.name = name
        self.source = source
        self.limits = limits
        self.entries: list[Entry] = source.entries

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
    def placeable(self) -> list[Entry]:
        """Entries whose names are plain relative paths; LL402 reports the others, and the
        layout rules ignore them rather than guess where they would land."""
        return [entry for entry in self.entries if _has_plain_name(entry)]

    @cached_property
    def top_level(self) -> dict[str, TopLevel]:
        sizes: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        is_dir: dict[str, bool] = {}
        for entry in self.placeable:
            top = layout.top_level(entry.path)
            if not top:
                continue
            is_dir[top] = is_dir.get(top, False) or entry.is_dir or "/" in entry.path
            if not entry.is_dir:
                sizes[top] += entry.size
                counts[top] += 1
        return {name: TopLevel(name, is_dir[name], sizes[name], counts[name]) for name in sorted(is_dir)}

    def top_level_path(self, name: str) -> str:
        """A top-level entry as findings name it: folders end in '/'."""
        entry = self.top_level.get(name)
        return name + "/" if entry is not None and entry.is_dir else name

    @cached_property
    def file_facts(self) -> list[FileFacts]:
        return [
            FileFacts(entry, layout.content_family(entry.path), layout.placement(entry.path), layout.misnesting(entry.path))
            for entry in self.files
            if _has_plain_name(entry)
        ]

    @cached_property
    def scan(self) -> Scan:
        """Read each member once, within the limits: keep the head of native code and scripts,
        and (when verifying) read to the end so that zipfile checks the CRC."""
        scan = Scan(heads={}, errors={}, skipped={}, bytes_read=0)
        for entry in self.entries:
            if not entry.is_file or entry.size == 0:
                continue
            why_not = self._why_not_read(entry, scan.bytes_read)
            if why_not is not None:
                scan.skipped[entry.index] = why_not
                continue
            limit = entry.size if self.limits.verify else HEAD_BYTES
            head = b""
            try:
                for piece in self.source.chunks(entry, limit):
                    if len(head) < HEAD_BYTES:
                        head += piece[: HEAD_BYTES - len(head)]
                    scan.bytes_read += len(piece)
            except MemberReadError as exc:
                scan.errors[entry.index] = exc.reason
            if head.startswith(b"#!") or sniff(head) is not None:
                scan.heads[entry.index] = head
        return scan

    def _why_not_read(self, entry: Entry, bytes_read: int) -> Optional[str]:
        if entry.encrypted:
            return "encrypted"
        bomb = bomb_reason(entry, self.limits)
        if bomb is not None:
            return bomb
        if bytes_read + entry.size > self.limits.total_bytes:
            return f"the layer's total would pass {self.limits.total_bytes:,} bytes"
        return None

    @cached_property
    def binaries(self) -> dict[str, BinaryHead]:
        """Native code found by magic bytes in every regular file, whatever its name."""
        found = {}
        for entry in self.files:
            head = self.scan.heads.get(entry.index)
            kind = sniff(head) if head is not None else None
            if kind is not None:
                found[entry.path] = kind
        return found

    def head(self, entry: Entry) -> Optional[bytes]:
        """The first bytes of a member that is native code or a script; None otherwise."""
        return self.scan.heads.get(entry.index)

    def files_under(self, folder: str) -> list[Entry]:
        prefix = folder.rstrip("/") + "/"
        return [entry for entry in self.files if entry.path.startswith(prefix) or entry.path == folder]


def _has_plain_name(entry: Entry) -> bool:
    return not layout.unsafe_name_reasons(entry.raw_name or entry.path)
