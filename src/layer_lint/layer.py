"""The layer model: a source plus the facts parsed from it once, shared by every rule."""

from __future__ import annotations

import base64
import dataclasses
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Hashable, Optional, TypeVar

from . import __version__, layout, packages, parallel
from .binaries import ELF_MAGIC, HEAD_BYTES, BinaryHead, sniff
from .cache import Cache, code_fingerprint
from .elf import ElfFacts, Sparse, dynamic_range, read_elf, section_table_offset
from .limits import Limits, bomb_reason
from .packages import Packages, SizeItem, find_packages, size_breakdown
from .progress import Progress
from .source import Entry, LayerSource, MemberReadError

# All the metadata kept from one layer (RECORD, WHEEL, package.json, METADATA heads) stays under this.
MAX_TEXT_TOTAL = 64 << 20
# ELF files up to this size are kept whole while parsed; of bigger ones only the first
# ELF_HEAD_BYTES (headers, dynamic segment, symbol and version tables) and the part from a little
# before the section headers to the end, so memory stays bounded whatever a library weighs.
MAX_ELF_BYTES = 64 << 20
ELF_HEAD_BYTES = 32 << 20
_SECTION_SLACK = 4 << 20  # .shstrtab and friends sit just before the section header table
# A read of at least this many bytes is shared with a second process (parallel.py): below it,
# a fork costs more than it saves. Each member also counts as PER_MEMBER_COST bytes, its
# share of Python work (the local header, the decompressor, the scan's bookkeeping).
PARALLEL_BYTES = 16 << 20
PER_MEMBER_COST = 16 << 10

T = TypeVar("T")


def _elf_tail_start(head: bytes, size: int) -> Optional[int]:
    """None for a non-ELF member; otherwise where the kept tail of an ELF member starts
    (0 when the whole member is kept)."""
    if not head.startswith(ELF_MAGIC):
        return None
    if size <= MAX_ELF_BYTES:
        return 0
    table = section_table_offset(head)
    return max(ELF_HEAD_BYTES, min(size, table if table is not None else size) - _SECTION_SLACK)


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

    heads: dict[int, bytes] = field(default_factory=dict)  # entry index -> first bytes of native code and scripts
    texts: dict[int, bytes] = field(default_factory=dict)  # entry index -> whole small metadata files (packages.wants_text)
    elves: dict[int, ElfFacts] = field(default_factory=dict)  # entry index -> facts of a whole ELF member
    errors: dict[int, str] = field(default_factory=dict)  # entry index -> why its data cannot be read (bad CRC, ...)
    skipped: dict[int, str] = field(default_factory=dict)  # entry index -> why it was not read (encrypted, bomb, ...)
    bytes_read: int = 0
    crcs: dict[int, int] = field(default_factory=dict)  # entry index -> CRC-32 of a folder's file (a zip's directory has it)
    text_bytes: int = 0  # bytes kept in texts, bounded by MAX_TEXT_TOTAL

    def to_json(self) -> dict:
        return {
            "heads": {str(i): base64.b64encode(head).decode() for i, head in self.heads.items()},
            "texts": {str(i): base64.b64encode(text).decode() for i, text in self.texts.items()},
            "elves": {str(i): facts.to_json() for i, facts in self.elves.items()},
            "errors": {str(i): reason for i, reason in self.errors.items()},
            "skipped": {str(i): reason for i, reason in self.skipped.items()},
            "bytes_read": self.bytes_read,
            "crcs": {str(i): crc for i, crc in self.crcs.items()},
            "text_bytes": self.text_bytes,
        }

    @classmethod
    def from_json(cls, data: dict) -> "Scan":
        return cls(
            heads={int(i): base64.b64decode(head) for i, head in data["heads"].items()},
            texts={int(i): base64.b64decode(text) for i, text in data["texts"].items()},
            elves={int(i): ElfFacts.from_json(facts) for i, facts in data["elves"].items()},
            errors={int(i): reason for i, reason in data["errors"].items()},
            skipped={int(i): reason for i, reason in data["skipped"].items()},
            bytes_read=data["bytes_read"],
            crcs={int(i): crc for i, crc in data["crcs"].items()},
            text_bytes=data["text_bytes"],
        )


@dataclass
class _Read:
    """What one member's read found, added to the Scan in the members' order."""

    index: int
    bytes_read: int = 0
    error: Optional[str] = None
    crc: Optional[int] = None  # a folder's file only
    head: Optional[bytes] = None  # native code and scripts only
    text: Optional[bytes] = None
    elf: Optional[ElfFacts] = None

    def add_to(self, scan: Scan) -> None:
        scan.bytes_read += self.bytes_read
        if self.error is not None:
            scan.errors[self.index] = self.error
        if self.crc is not None:
            scan.crcs[self.index] = self.crc
        if self.head is not None:
            scan.heads[self.index] = self.head
        if self.text is not None:
            scan.texts[self.index] = self.text
            scan.text_bytes += len(self.text)
        if self.elf is not None:
            scan.elves[self.index] = self.elf


def _text_limit(entry: Entry, text_bytes: int) -> Optional[int]:
    """How much of a metadata member to keep, None for other members. Metadata is kept up to its
    limit, and only while the layer's total stays bounded: a hostile layer of a thousand 1 MB
    package.json files must not fill memory and the cache."""
    limit = packages.wants_text(entry.path)
    return limit if limit is not None and text_bytes + min(entry.size, limit) <= MAX_TEXT_TOTAL else None


class Layer:
    """A layer's listing and the facts derived from it, computed on first use and kept."""

    def __init__(
        self,
        name: str,
        source: LayerSource,
        limits: Limits = Limits(),
        is_function: bool = False,
        cache: Optional[Cache] = None,
        progress: Optional[Progress] = None,
    ) -> None:
        self.name = name
        self.source = source
        self.limits = limits
        self.cache = cache
        self.progress = progress
        # A function's own package unpacks at /var/task rather than /opt.
        self.is_function = is_function
        self.entries: list[Entry] = source.entries
        self._memo: dict[Hashable, object] = {}

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """A value derived from this layer (and `key`), computed once: several rules need the same
        derived facts (what each target loads, the paths present), and each would rebuild them."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    @property
    def unlisted(self) -> list[tuple[str, str]]:
        """(path, why) for items of a folder layer that could not be listed or read."""
        return list(getattr(self.source, "problems", []))

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
        return [entry for entry in self.entries if entry.index not in self.unsafe_names]

    @cached_property
    def unsafe_names(self) -> dict[int, list[str]]:
        """Why a member's name is not a plain relative path (layout.unsafe_name_reasons), by
        entry index, for the members whose names are not: LL402 reports them, placeable
        leaves them out, and each name is judged once."""
        found: dict[int, list[str]] = {}
        for entry in self.entries:
            reasons = layout.unsafe_name_reasons(entry.raw_name or entry.path)
            if reasons:
                found[entry.index] = reasons
        return found

    @cached_property
    def top_level(self) -> dict[str, TopLevel]:
        sizes: dict[str, int] = defaultdict(int)
        counts: dict[str, int] = defaultdict(int)
        is_dir: dict[str, bool] = {}
        for entry in self.placeable:
            top = layout.top_level(entry.path)
            if not top or top == ".":  # "./": the layer's root folder itself
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
        plain = {entry.index for entry in self.placeable}  # each name is judged once
        return [
            FileFacts(entry, layout.content_family(entry.path), layout.placement(entry.path), layout.misnesting(entry.path))
            for entry in self.files
            if entry.index in plain
        ]

    @cached_property
    def _file_facts_by_path(self) -> dict[str, FileFacts]:
        return {facts.entry.path: facts for facts in self.file_facts}

    @cached_property
    def files_by_path(self) -> dict[str, Entry]:
        return {entry.path: entry for entry in self.files}

    def placement(self, path: str) -> Optional[layout.Placement]:
        """layout.placement(path), from file_facts for a file's path: rules ask it of every file,
        several times over, and it is worked out once per path."""
        facts = self._file_facts_by_path.get(path)
        return facts.placement if facts is not None else layout.placement(path)

    def import_placement(self, path: str) -> Optional[layout.Placement]:
        """Where a file sits for importing (packages.layer_placement, or function_placement for a
        function's own package), from file_facts like placement()."""
        if self.is_function:
            return packages.function_placement(path)
        facts = self._file_facts_by_path.get(path)
        if facts is None:
            return packages.layer_placement(path)
        return facts.placement if facts.misnesting is None else None

    @cached_property
    def scan(self) -> Scan:
        """Read each member once, within the limits: keep the head of native code and scripts,
        and (when verifying) read to the end so that every CRC is checked. A zip whose exact
        bytes were read before (same tool, knowledge base and limits) comes from the cache."""
        key = self._cache_key()
        cached = self.cache.load(key) if self.cache is not None and key is not None else None
        if cached is not None:
            try:
                return Scan.from_json(cached["scan"])
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # a damaged entry: read again and rewrite it
        scan = self._read_all()
        if self.cache is not None and key is not None:
            self.cache.store(key, {"scan": scan.to_json()})
        return scan

    def _cache_key(self) -> Optional[str]:
        if self.cache is None or self.source.kind != "zip":
            return None  # a folder has no bytes of its own to key on; reading it is cheap anyway
        # What a read finds depends on the limits that bound it, not on how many members may be listed.
        bounds = dataclasses.replace(self.limits, members=0)
        context = (__version__, code_fingerprint(), str(self.is_function), repr(bounds))
        return self.cache.key(self.source.path, *context)

    def _read_all(self) -> Scan:
        plan = self._plan()
        if plan is None:
            return self._read_in_order()
        skipped, reads = plan
        workload = sum(entry.size + PER_MEMBER_COST for entry, _ in reads)
        report = self._reporter([entry.size for entry, _ in reads])
        if len(reads) > 1 and parallel.usable(workload, PARALLEL_BYTES):
            found = parallel.map_split(reads, self._read_planned, self.source.after_fork, report)
        else:
            found = []
            for item in reads:
                found.append(self._read_planned(item))
                if report is not None:
                    report(len(found), len(reads))
        scan = Scan(skipped=skipped)
        for read in found:
            read.add_to(scan)
        return scan

    def _read_in_order(self) -> Scan:
        """Member by member, each read deciding what the next may keep: for a layer at its total
        or metadata bounds, where that depends on how much earlier reads really read."""
        scan = Scan()
        members = [entry for entry in self.entries if entry.is_file and entry.size > 0]
        report = self._reporter([entry.size for entry in members])
        for position, entry in enumerate(members, 1):
            why_not = self._why_not_read(entry, scan.bytes_read)
            if why_not is not None:
                scan.skipped[entry.index] = why_not
            else:
                self._read_member(entry, _text_limit(entry, scan.text_bytes)).add_to(scan)
            if report is not None:
                report(position, len(members))
        return scan

    def _reporter(self, sizes: list[int]) -> Optional[Callable[[int, int], None]]:
        """For a read of members of these sizes in order: a function of (members done from the
        front, members not yet done from the back) that tells self.progress the bytes done."""
        progress = self.progress
        if progress is None:
            return None
        done_before = [0]
        for size in sizes:
            done_before.append(done_before[-1] + size)
        total = done_before[-1]
        progress.start(self.name, total)
        return lambda front, back: progress.update(done_before[front] + total - done_before[back])

    def _plan(self) -> Optional[tuple[dict[int, str], list[tuple[Entry, Optional[int]]]]]:
        """What _read_in_order would skip and read, (entry, text limit) for each read, worked
        out before reading: possible when even reading every member whole keeps the layer
        within its total and its metadata within MAX_TEXT_TOTAL, since a read never gives more
        than a member declares. None otherwise."""
        skipped: dict[int, str] = {}
        reads: list[tuple[Entry, Optional[int]]] = []
        total = texts = 0
        for entry in self.entries:
            if not entry.is_file or entry.size == 0:
                continue
            why_not = self._why_not_read(entry, total)
            if why_not is not None:
                if not (entry.encrypted or bomb_reason(entry, self.limits)):
                    return None  # over the total only if earlier reads really read all they declare
                skipped[entry.index] = why_not
                continue
            total += entry.size
            text_limit = packages.wants_text(entry.path)
            if text_limit is not None:
                texts += min(entry.size, text_limit)
                if texts > MAX_TEXT_TOTAL:
                    return None
            reads.append((entry, text_limit))
        return skipped, reads

    def _read_planned(self, item: tuple[Entry, Optional[int]]) -> "_Read":
        return self._read_member(*item)

    def _read_member(self, entry: Entry, text_limit: Optional[int]) -> "_Read":
        """One member's single read: the head always, the whole of metadata files (up to
        `text_limit`, None for any other member) and of ELF files up to MAX_ELF_BYTES (the start
        and the end of bigger ones), and (when verifying) everything else too, so that every
        CRC is checked. Depends on nothing but the member, so members can be read in any order."""
        is_text = text_limit is not None
        read = _Read(entry.index)
        kept: list[tuple[int, bytes]] = []
        head = b""
        offset = 0
        crc = 0
        tail_from: Optional[int] = None
        dynamic = (0, 0)  # the dynamic segment, kept too when it lies between the start and the tail
        try:
            for piece in self.source.chunks(entry, entry.size):
                if not head:
                    head = piece[:HEAD_BYTES]
                    tail_from = _elf_tail_start(head, entry.size)
                    if tail_from:
                        dynamic = dynamic_range(piece) or dynamic
                read.bytes_read += len(piece)
                if self.source.kind == "folder":
                    crc = zlib.crc32(piece, crc)  # a zip's directory has it; a folder's file does not
                end = offset + len(piece)
                if is_text and offset < text_limit:
                    kept.append((offset, piece[: text_limit - offset]))
                elif tail_from is not None and (offset < ELF_HEAD_BYTES or end > tail_from or (offset < dynamic[1] and end > dynamic[0])):
                    kept.append((offset, piece))
                elif not self.limits.verify and tail_from is None and not is_text:
                    break
                offset += len(piece)
        except MemberReadError as exc:
            read.error = exc.reason
            kept = []
        if self.source.kind == "folder" and offset == entry.size:
            read.crc = crc
        if head.startswith((b"#!", b"\xef\xbb\xbf#!")) or sniff(head) is not None:  # a script, even one a BOM spoils
            read.head = head
        if kept and is_text:
            read.text = b"".join(piece for _, piece in kept)
            if entry.path.endswith(".dist-info/METADATA"):
                read.text = packages.metadata_headers(read.text)
        elif kept:
            whole = offset <= sum(len(piece) for _, piece in kept)
            data = b"".join(piece for _, piece in kept) if whole else Sparse(entry.size, kept)
            read.elf = read_elf(data, complete=True)
        return read

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

    def was_read(self, entry: Entry) -> bool:
        """Whether the scan read the member without trouble, so that what it lacks (no ELF head,
        say) is a fact about its bytes, not about a read skipped or cut short."""
        return entry.index not in self.scan.skipped and entry.index not in self.scan.errors

    def crc(self, entry: Entry) -> Optional[int]:
        """A file's CRC-32: from the zip's directory, or computed by the scan for a folder's file."""
        if entry.crc is not None:
            return entry.crc
        if entry.is_symlink:  # a zip stores a link as its target's text
            return zlib.crc32(entry.link_target.encode("utf-8", "surrogateescape")) if entry.link_target is not None else None
        return self.scan.crcs.get(entry.index)

    def text(self, entry: Entry) -> Optional[bytes]:
        """The bytes of a small metadata file (*.dist-info/RECORD, package.json); None otherwise."""
        return self.scan.texts.get(entry.index)

    def elf(self, entry: Entry) -> Optional[ElfFacts]:
        """Facts parsed from the whole of an ELF member; None when it is not one or was not read."""
        return self.scan.elves.get(entry.index)

    @cached_property
    def wheel_tags(self) -> dict[str, list[str]]:
        """The tags of every .dist-info/WHEEL file, by the file's path."""
        return {entry.path: packages.wheel_tags(self.text(entry)) for entry in self.files if entry.path.endswith(".dist-info/WHEEL")}

    @cached_property
    def packages(self) -> Packages:
        return find_packages(self.placeable, self.text, self.import_placement)

    @cached_property
    def sizes(self) -> list[SizeItem]:
        """Where the unzipped bytes go, largest first."""
        return size_breakdown(self.files, self.packages.owners)

    def head(self, entry: Entry) -> Optional[bytes]:
        """The first bytes of a member that is native code or a script; None otherwise."""
        return self.scan.heads.get(entry.index)


