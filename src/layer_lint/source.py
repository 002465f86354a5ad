"""Layer sources: a read-only view of a layer .zip or an unpacked layer folder.

This is the only module that touches zipfile or the layer's files. It lists entries from the
zip's central directory (nothing is decompressed to list) and reads a member's bytes on demand,
always with a byte cap. Member names are never used to touch the file system.
"""

from __future__ import annotations

import bz2
import errno
import io
import lzma
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Optional, Union

# A symlink target longer than this is not a real link target.
MAX_LINK_TARGET = 4096
# Decompression works in pieces of this size, so memory stays flat whatever a member holds.
CHUNK_BYTES = 1 << 20
# Compressed bytes are read in pieces of this size.
_RAW_PIECE = 64 << 10

# Unix is the only "made by" system whose external attributes carry a file mode.
_ZIP_SYSTEM_UNIX = 3
# More members than this and listing them alone would take hundreds of megabytes (zipfile keeps
# about a kilobyte per member): such a zip or folder is refused before it is listed. Real
# layers hold thousands; --max-members raises it.
MAX_MEMBERS = 100_000
_CENTRAL_HEADER = 46  # the fixed part of a central directory record


class UnreadableLayer(Exception):
    """The layer cannot be read at all (missing, not a zip, no central directory)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class MemberReadError(Exception):
    """One member's bytes cannot be read (bad CRC, bad compressed data, unsupported method)."""

    def __init__(self, member: str, reason: str) -> None:
        super().__init__(f"{member}: {reason}")
        self.member = member
        self.reason = reason


@dataclass(frozen=True)
class Entry:
    """One archive member or folder item, as listed; no content is read to build it."""

    index: int  # position in the archive (or walk) order; duplicates have their own
    path: str  # POSIX, relative to the layer root, no trailing slash
    size: int  # unzipped bytes (declared by the zip's central directory)
    compressed_size: Optional[int]  # None for folder sources
    mode: Optional[int]  # full st_mode, or None when the zip records no unix mode
    is_dir: bool
    is_symlink: bool
    link_target: Optional[str] = None
    crc: Optional[int] = None
    raw_name: Optional[str] = None  # the name exactly as the zip stores it
    encrypted: bool = False

    @property
    def is_file(self) -> bool:
        return not self.is_dir and not self.is_symlink

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))


def _without_dot_parts(name: str) -> str:
    """The name without "." parts: unzip, Python's zipfile and Go's filepath.Join all unpack
    ./python/x.py (as bsdtar and some build tools write it) to python/x.py. A relative name
    stays relative (.//x is x, not /x)."""
    if not (name.startswith("./") or "/./" in name or name.endswith("/.") or name == "."):
        return name  # the common case, without splitting every name of the listing
    kept = [part for part in name.split("/") if part != "."]
    while not name.startswith("/") and kept and not kept[0]:
        kept.pop(0)
    return "/".join(kept) or "."


class ZipSource:
    """A layer .zip; entries come from the central directory only."""

    kind = "zip"

    def __init__(self, path: Path, max_members: int = MAX_MEMBERS) -> None:
        self.path = path
        self.zipped_bytes: Optional[int] = path.stat().st_size
        over = _members_over(path, max_members)
        if over is not None:
            raise UnreadableLayer(
                str(path), f"the zip {over}, more than the {max_members:,} layer-lint lists (a zip bomb by count?); --max-members raises the limit"
            )
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise UnreadableLayer(str(path), _bad_zip_reason(exc, self.zipped_bytes)) from None
        except (OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UnreadableLayer(str(path), f"cannot read zip: {exc}") from None
        self._infos = self._zip.infolist()
        self.entries: list[Entry] = [self._entry(index, info) for index, info in enumerate(self._infos)]

    def _entry(self, index: int, info: zipfile.ZipInfo) -> Entry:
        name = _without_dot_parts(info.filename.rstrip("/"))
        mode = _zip_mode(info)
        is_symlink = mode is not None and stat.S_ISLNK(mode)
        is_dir = info.filename.endswith("/") or (mode is not None and stat.S_ISDIR(mode))
        encrypted = bool(info.flag_bits & 0x1)
        link_target = None
        if is_symlink and not encrypted:
            try:
                link_target = self._read_info(info, MAX_LINK_TARGET).decode("utf-8", "replace")
            except MemberReadError:
                link_target = None
        return Entry(
            index=index,
            path=name,
            size=info.file_size,
            compressed_size=info.compress_size,
            mode=mode,
            is_dir=is_dir,
            is_symlink=is_symlink,
            link_target=link_target,
            crc=info.CRC,
            raw_name=info.orig_filename,
            encrypted=encrypted,
        )

    def read(self, entry: Entry, limit: int) -> bytes:
        """Up to `limit` bytes from the start of a member (no CRC check unless it reads to the end)."""
        return self._read_info(self._infos[entry.index], limit)

    def chunks(self, entry: Entry, limit: int) -> Iterator[bytes]:
        """The member's bytes in pieces of CHUNK_BYTES (the last may be shorter), up to `limit`
        bytes and never more than the size the central directory declares. On reaching that
        size the CRC is checked, before the last piece is yielded."""
        return self._info_chunks(self._infos[entry.index], limit)

    def _info_chunks(self, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
        try:
            # zipfile checks the local header and hands over the compressed bytes; layer-lint
            # decompresses them itself, because zipfile's bzip2 and LZMA readers expand each
            # compressed piece in one go, however far it expands (a few hundred bytes of bzip2
            # hold gigabytes of zeros), whatever size was asked for.
            with self._zip.open(_compressed_view(info)) as raw:
                yield from _decompressed(raw, info, limit)
        except _READ_ERRORS as exc:
            raise MemberReadError(info.filename, _member_reason(exc)) from None

    def _read_info(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        return b"".join(self._info_chunks(info, limit))

    def after_fork(self) -> None:
        """In a forked child (parallel.py): read the same open file by position. The two
        processes share the file's offset, so seeking and reading through it would mix up
        their reads; pread never moves it."""
        self._shared_file = self._zip.fp  # kept: collecting it would close the descriptor
        self._zip.fp = _PositionalFile(self._zip.fp.fileno())

    def close(self) -> None:
        self._zip.close()


class _PositionalFile(io.RawIOBase):
    """A read-only file object over an open file descriptor that reads with os.pread, keeping
    its position to itself."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: os.fstat(self._fd).st_size}[whence]
        if base + offset < 0:
            raise OSError(22, "Invalid argument")  # what seeking a real file before its start raises
        self._position = base + offset
        return self._position

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: Union[bytearray, memoryview]) -> int:
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def close(self) -> None:
        super().close()  # the descriptor itself belongs to the zip's own file object


class FolderSource:
    """An unpacked layer folder; symlinks are listed, never followed."""

    kind = "folder"

    def __init__(self, path: Path, max_members: int = MAX_MEMBERS) -> None:
        self.path = path
        self.zipped_bytes: Optional[int] = None
        self.entries: list[Entry] = []
        # Items the walk could not read; the layer model reports them.
        # (path, why) for items the walk could not list or read; LL401 reports them.
        self.problems: list[tuple[str, str]] = []
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False, onerror=self._on_error):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                try:
                    info = os.lstat(full)
                except OSError as exc:
                    self.problems.append((rel, exc.strerror or str(exc)))
                    continue
                if not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode) or stat.S_ISLNK(info.st_mode)):
                    # A FIFO, socket or device cannot be in a zip, and opening a FIFO would block.
                    self.problems.append((rel, "not a regular file, folder or symlink (a FIFO, socket or device); left out"))
                    continue
                self.entries.append(_folder_entry(len(self.entries), rel, full, info))
                if len(self.entries) > max_members:
                    raise UnreadableLayer(str(path), f"the folder holds over {max_members:,} items, more than layer-lint lists; --max-members raises the limit")

    def _on_error(self, exc: OSError) -> None:
        where = os.path.relpath(exc.filename, self.path).replace(os.sep, "/") if exc.filename else "."
        self.problems.append((where, f"cannot be listed: {exc.strerror or exc}"))

    def read(self, entry: Entry, limit: int) -> bytes:
        return b"".join(self.chunks(entry, limit))

    def chunks(self, entry: Entry, limit: int) -> Iterator[bytes]:
        full = os.path.join(self.path, *entry.path.split("/"))
        # O_NOFOLLOW: a file swapped for a symlink after the walk must not be followed;
        # O_NONBLOCK: nor may one swapped for a FIFO block the run.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(full, flags)
            with os.fdopen(fd, "rb") as stream:
                left = limit
                while left > 0:
                    piece = stream.read(min(CHUNK_BYTES, left))
                    if not piece:
                        return
                    left -= len(piece)
                    yield piece
        except OSError as exc:
            raise MemberReadError(entry.path, exc.strerror or str(exc)) from None

    def after_fork(self) -> None:
        pass  # every read opens its own file

    def close(self) -> None:
        pass


LayerSource = Union[ZipSource, FolderSource]


def open_layer(path: Union[str, Path], max_members: int = MAX_MEMBERS) -> LayerSource:
    """Open a layer .zip or folder for reading, or raise UnreadableLayer with a one-line reason."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnreadableLayer(str(path), "no such file or folder") from None
    except OSError as exc:
        raise UnreadableLayer(str(path), exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        return FolderSource(path, max_members)
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableLayer(str(path), "not a regular file or folder")
    if info.st_size == 0:
        raise UnreadableLayer(str(path), "empty file, not a zip")
    return ZipSource(path, max_members)


def _zip_mode(info: zipfile.ZipInfo) -> Optional[int]:
    mode = info.external_attr >> 16
    if info.create_system != _ZIP_SYSTEM_UNIX or mode == 0:
        return None
    return mode


def _folder_entry(index: int, rel: str, full: str, info: os.stat_result) -> Entry:
    is_symlink = stat.S_ISLNK(info.st_mode)
    is_dir = stat.S_ISDIR(info.st_mode)
    target = None
    if is_symlink:
        try:
            target = os.readlink(full)
        except OSError:
            target = None
    return Entry(
        index=index,
        path=rel,
        size=0 if is_dir else info.st_size,
        compressed_size=None,
        mode=info.st_mode,
        is_dir=is_dir,
        is_symlink=is_symlink,
        link_target=target,
    )


def _members_over(path: Path, limit: int) -> Optional[str]:
    """How the zip exceeds `limit` members ("declares 412,000 members"), or None when it does
    not or its end records cannot be read (zipfile then says what is wrong). zipfile lists the
    central directory whatever count the end record declares, so when the directory is big
    enough to hold more, its records are counted too."""
    try:
        with open(path, "rb") as stream:
            found = _central_directory(stream)
            if found is None:
                return None
            declared, start, size = found
            if declared > limit:
                return f"declares {declared:,} members"
            if size // _CENTRAL_HEADER <= limit:
                return None
            position, counted = start, 0
            while position < start + size and counted <= limit:
                stream.seek(position)
                header = stream.read(_CENTRAL_HEADER)
                if len(header) < _CENTRAL_HEADER or header[:4] != b"PK\x01\x02":
                    break
                name, extra, comment = struct.unpack_from("<HHH", header, 28)
                position += _CENTRAL_HEADER + name + extra + comment
                counted += 1
            return f"holds over {limit:,} members in its central directory" if counted > limit else None
    except (OSError, ValueError, OverflowError):  # a damaged offset too large to seek to
        return None


def _central_directory(stream: IO[bytes]) -> Optional[tuple[int, int, int]]:
    """(members declared, file offset, size) of the central directory, from the end-of-central-
    directory record (and its zip64 twin, just before the zip64 locator), or None when they
    cannot be found. Offsets are corrected for data before the archive (a self-extractor's
    stub), as zipfile does: the directory ends where its end record starts."""
    stream.seek(0, os.SEEK_END)
    end = stream.tell()
    tail_start = max(0, end - (22 + 0xFFFF))  # the record, and a comment of at most 64 KiB
    stream.seek(tail_start)
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    record_at = tail_start + at
    declared, size, offset = struct.unpack_from("<HII", tail, at + 10)
    if declared == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        zip64_at = record_at - 20 - 56
        if zip64_at < 0:
            return None
        stream.seek(zip64_at)
        zip64 = stream.read(56 + 4)
        if len(zip64) < 60 or zip64[:4] != b"PK\x06\x06" or zip64[56:60] != b"PK\x06\x07":
            return None
        declared, size, offset = struct.unpack_from("<QQQ", zip64, 32)
        record_at = zip64_at
    start = record_at - size  # where the directory really is, whatever came before the archive
    if start < 0 or offset > start:
        return None
    return declared, start, size


def _bad_zip_reason(exc: zipfile.BadZipFile, size: Optional[int]) -> str:
    text = str(exc)
    if "not a zip file" in text.lower():
        return f"not a zip file (no end-of-central-directory record in {size} bytes; truncated or not a zip)"
    return f"unreadable zip: {text}"


_METHODS = {0: "stored", 8: "deflate", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstandard"}


class _BadMember(Exception):
    """A member's data cannot be used; the message is the whole reason."""


# What zipfile, the file and the decompressors raise for a damaged member.
_READ_ERRORS = (_BadMember, zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)


def _member_reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, _BadMember):
        return text
    if isinstance(exc, NotImplementedError):
        return f"uses a zip feature that is not supported ({text})"
    if isinstance(exc, EOFError):
        return "compressed data ends early (truncated)"
    if isinstance(exc, OSError) and exc.errno == errno.EINVAL:
        return "its header points outside the file (a seek to an impossible offset): the zip is damaged or truncated"
    if isinstance(exc, OSError) and exc.strerror:
        return f"cannot be read: {exc.strerror}"
    return text


_ZIPINFO_SLOTS = tuple(name for cls in zipfile.ZipInfo.__mro__ for name in getattr(cls, "__slots__", ()))


def _compressed_view(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A copy of `info` that zipfile opens as its raw compressed bytes: stored, as long as the
    compressed data, and with no CRC to check (zipfile skips the check when CRC is None)."""
    view = zipfile.ZipInfo.__new__(zipfile.ZipInfo)
    # What copy.copy does for a class with __slots__, without its generic machinery (a third of
    # the per-member cost of opening a small member): every slot that is set.
    for name in _ZIPINFO_SLOTS:
        try:
            setattr(view, name, getattr(info, name))
        except AttributeError:
            pass
    view.compress_type = zipfile.ZIP_STORED
    view.file_size = info.compress_size
    view.CRC = None
    return view


def _decompressed(raw: IO[bytes], info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    """Up to `limit` bytes of the member, never more than it declares, in CHUNK_BYTES pieces.
    Every decompression step is capped, so a member expands no further than what is asked for,
    whatever its headers or its compressed data say."""
    decoder = _decoder(info)
    wanted = min(limit, info.file_size)
    produced = crc = 0
    parts: list[bytes] = []  # the piece being gathered; joined, not copied, as it grows
    gathered = 0
    stalled = False
    while produced < wanted:
        data = raw.read(_RAW_PIECE) if decoder.needs_input else b""
        if decoder.needs_input and not data:
            raise _BadMember(f"the data ends after {produced:,} of the {info.file_size:,} bytes the zip declares (truncated)")
        try:
            out = decoder.decompress(data, min(CHUNK_BYTES - gathered, wanted - produced))
        except (zlib.error, lzma.LZMAError, OSError, ValueError, EOFError) as exc:
            raise _BadMember(f"compressed data is corrupt ({str(exc) or type(exc).__name__})") from None
        if not out and not data:
            if stalled:  # two steps without input or output: the decompressor is stuck
                raise _BadMember("compressed data is corrupt (the decompressor makes no progress)")
            stalled = True
        else:
            stalled = False
        produced += len(out)
        crc = zlib.crc32(out, crc)
        if out:
            parts.append(out)
            gathered += len(out)
        if produced < wanted and decoder.eof:
            raise _BadMember(f"the compressed stream ends after {produced:,} of the {info.file_size:,} bytes the zip declares")
        if produced == info.file_size and crc != info.CRC:
            if _more_output(decoder, raw):
                # Corrupt data can inflate past the size, as can good data behind a wrong size.
                raise _BadMember(
                    f"its data goes on past the {info.file_size:,} bytes the zip's directory declares, whose CRC-32 does not match: "
                    "the data is corrupt or the size fields are wrong"
                )
            raise _BadMember(f"CRC-32 mismatch: the data's checksum is {crc:08x}, the zip's directory says {info.CRC:08x}")
        if gathered == CHUNK_BYTES or produced == wanted:
            yield b"".join(parts)
            parts, gathered = [], 0


def _more_output(decoder: _Decoder, raw: IO[bytes]) -> bool:
    """Whether the member's data goes on past the size it declares (one more byte is enough)."""
    for _ in range(64):  # a few raw pieces of a stream that yields nothing: no more to see
        if decoder.eof:
            return False
        data = raw.read(_RAW_PIECE) if decoder.needs_input else b""
        if decoder.needs_input and not data:
            return False
        try:
            if decoder.decompress(data, 1):
                return True
        except (zlib.error, lzma.LZMAError, OSError, ValueError, EOFError):
            return False
    return False


class _Stored:
    """Stored data, through the decompressor interface of bz2 and lzma."""

    eof = False

    def __init__(self) -> None:
        self._pending = b""

    @property
    def needs_input(self) -> bool:
        return not self._pending

    def decompress(self, data: bytes, max_length: int) -> bytes:
        data = self._pending + data
        self._pending = data[max_length:]
        return data[:max_length]


class _Deflated:
    """Raw deflate through the decompressor interface of bz2 and lzma."""

    def __init__(self) -> None:
        self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        self.needs_input = True

    @property
    def eof(self) -> bool:
        return self._zlib.eof

    def decompress(self, data: bytes, max_length: int) -> bytes:
        out = self._zlib.decompress(self._zlib.unconsumed_tail + data, max_length)
        # A full output may leave more to come even with all input taken.
        self.needs_input = not self._zlib.unconsumed_tail and len(out) < max_length
        return out


class _ZipLzma:
    """LZMA as zip stores it: 2 version bytes, 2 bytes of properties size, the LZMA1
    properties, then the raw stream (APPNOTE 5.8.8)."""

    def __init__(self) -> None:
        self._header = b""
        self._lzma: Optional[lzma.LZMADecompressor] = None
        self.needs_input = True

    @property
    def eof(self) -> bool:
        return self._lzma is not None and self._lzma.eof

    def decompress(self, data: bytes, max_length: int) -> bytes:
        if self._lzma is None:
            self._header += data
            if len(self._header) < 4:
                return b""
            (size,) = struct.unpack("<H", self._header[2:4])
            if len(self._header) < 4 + size:
                return b""
            self._lzma = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[_lzma1_filter(self._header[4 : 4 + size])])
            data, self._header = self._header[4 + size :], b""
        out = self._lzma.decompress(data, max_length)
        self.needs_input = self._lzma.needs_input
        return out


_MAX_LZMA_DICTIONARY = 64 << 20


def _lzma1_filter(properties: bytes) -> dict[str, int]:
    """The LZMA1 filter from its 5 property bytes: lc/lp/pb packed in one byte, then the dictionary size."""
    if len(properties) != 5 or properties[0] >= 9 * 5 * 5:
        raise lzma.LZMAError(f"bad LZMA properties ({len(properties)} bytes)")
    lc, rest = properties[0] % 9, properties[0] // 9
    (dict_size,) = struct.unpack("<I", properties[1:5])
    if dict_size > _MAX_LZMA_DICTIONARY:
        # liblzma allocates the whole dictionary up front: a hostile header must not choose our memory use.
        raise lzma.LZMAError(f"LZMA dictionary of {dict_size:,} bytes is over layer-lint's {_MAX_LZMA_DICTIONARY:,}-byte limit")
    return {"id": lzma.FILTER_LZMA1, "lc": lc, "lp": rest % 5, "pb": rest // 5, "dict_size": dict_size}


_Decoder = Union[_Stored, _Deflated, _ZipLzma, bz2.BZ2Decompressor]


def _decoder(info: zipfile.ZipInfo) -> _Decoder:
    if info.compress_type == zipfile.ZIP_STORED:
        return _Stored()
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return _Deflated()
    if info.compress_type == zipfile.ZIP_BZIP2:
        return bz2.BZ2Decompressor()
    if info.compress_type == zipfile.ZIP_LZMA:
        return _ZipLzma()
    method = _METHODS.get(info.compress_type, "unknown")
    raise _BadMember(f"compression method {info.compress_type} ({method}) is not supported")
