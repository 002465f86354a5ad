"""Layer sources: a read-only view of a layer .zip or an unpacked layer folder.

This is the only module that touches zipfile or the layer's files. It lists entries from the
zip's central directory (nothing is decompressed to list) and reads a member's bytes on demand,
always with a byte cap. Member names are never used to touch the file system.
"""

from __future__ import annotations

import os
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

# A symlink target longer than this is not a real link target.
MAX_LINK_TARGET = 4096
# Decompression works in pieces of this size, so memory stays flat whatever a member holds.
CHUNK_BYTES = 1 << 20

# Unix is the only "made by" system whose external attributes carry a file mode.
_ZIP_SYSTEM_UNIX = 3


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


class ZipSource:
    """A layer .zip; entries come from the central directory only."""

    kind = "zip"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zipped_bytes: Optional[int] = path.stat().st_size
        try:
            self._zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise UnreadableLayer(str(path), _bad_zip_reason(exc, self.zipped_bytes)) from None
        except (OSError, EOFError, ValueError, NotImplementedError) as exc:
            raise UnreadableLayer(str(path), f"cannot read zip: {exc}") from None
        self._infos = self._zip.infolist()
        self.entries: list[Entry] = [self._entry(index, info) for index, info in enumerate(self._infos)]

    def _entry(self, index: int, info: zipfile.ZipInfo) -> Entry:
        name = info.filename.rstrip("/")
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
        """The member's bytes in pieces, up to `limit` bytes; zipfile checks the CRC on reaching
        the end, and never yields more than the size the central directory declares."""
        info = self._infos[entry.index]
        try:
            with self._zip.open(info) as stream:
                left = limit
                while left > 0:
                    piece = stream.read(min(CHUNK_BYTES, left))
                    if not piece:
                        return
                    left -= len(piece)
                    yield piece
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise MemberReadError(info.filename, _member_reason(exc, info)) from None

    def _read_info(self, info: zipfile.ZipInfo, limit: int) -> bytes:
        try:
            with self._zip.open(info) as stream:
                return stream.read(limit)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise MemberReadError(info.filename, _member_reason(exc, info)) from None

    def close(self) -> None:
        self._zip.close()


class FolderSource:
    """An unpacked layer folder; symlinks are listed, never followed."""

    kind = "folder"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.zipped_bytes: Optional[int] = None
        self.entries: list[Entry] = []
        # Items the walk could not read; the layer model reports them.
        self.problems: list[str] = []
        for dirpath, dirnames, filenames in os.walk(path, followlinks=False, onerror=self._on_error):
            dirnames.sort()
            for name in sorted(dirnames) + sorted(filenames):
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, path).replace(os.sep, "/")
                try:
                    info = os.lstat(full)
                except OSError as exc:
                    self.problems.append(f"{rel}: {exc.strerror}")
                    continue
                self.entries.append(_folder_entry(len(self.entries), rel, full, info))

    def _on_error(self, exc: OSError) -> None:
        self.problems.append(f"{exc.filename}: {exc.strerror}")

    def read(self, entry: Entry, limit: int) -> bytes:
        return b"".join(self.chunks(entry, limit))

    def chunks(self, entry: Entry, limit: int) -> Iterator[bytes]:
        full = os.path.join(self.path, *entry.path.split("/"))
        # O_NOFOLLOW: a file swapped for a symlink after the walk must not be followed.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
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

    def close(self) -> None:
        pass


LayerSource = Union[ZipSource, FolderSource]


def open_layer(path: Union[str, Path]) -> LayerSource:
    """Open a layer .zip or folder for reading, or raise UnreadableLayer with a one-line reason."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UnreadableLayer(str(path), "no such file or folder") from None
    except OSError as exc:
        raise UnreadableLayer(str(path), exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        return FolderSource(path)
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableLayer(str(path), "not a regular file or folder")
    if info.st_size == 0:
        raise UnreadableLayer(str(path), "empty file, not a zip")
    return ZipSource(path)


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


def _bad_zip_reason(exc: zipfile.BadZipFile, size: Optional[int]) -> str:
    text = str(exc)
    if "not a zip file" in text.lower():
        return f"not a zip file (no end-of-central-directory record in {size} bytes; truncated or not a zip)"
    return f"unreadable zip: {text}"


_METHODS = {0: "stored", 8: "deflate", 9: "deflate64", 12: "bzip2", 14: "lzma", 93: "zstandard"}


def _member_reason(exc: BaseException, info: zipfile.ZipInfo) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, zlib.error):
        return f"compressed data is corrupt ({text})"
    if isinstance(exc, NotImplementedError):
        method = _METHODS.get(info.compress_type, "unknown")
        return f"compression method {info.compress_type} ({method}) is not supported"
    if isinstance(exc, EOFError):
        return "compressed data ends early (truncated)"
    if text.startswith("Bad CRC-32"):
        return f"CRC-32 mismatch: the data does not match the checksum {info.CRC:08x} in the directory"
    return text
