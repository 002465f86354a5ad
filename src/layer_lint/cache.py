"""The persistent cache of what a layer's one read found, so an unchanged zip is not read twice.

Entries are keyed by a hash of the zip file's bytes, the tool version, the code that reads
layers and the read limits (what a read finds does not depend on the knowledge base), so any change to the file (a flipped byte included) misses the cache. They are
JSON (never pickle: a cache folder must not be a way to run code), written atomically so
concurrent runs never see half a file, and a damaged entry is ignored and rewritten. The folder
stays under MAX_CACHE_BYTES: the least recently used entries go first. Apart from
the reports the CLI writes where --output says, this is the only module that writes files, and
only inside the cache folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional, Union

CACHE_ENV = "LAYER_LINT_CACHE_DIR"
_FORMAT = 1  # bump when the stored shape changes
_HASH_CHUNK = 16 << 20
# The entries kept in all (a 223 MB scientific layer's is about 2 MB); past it, the least
# recently used go, down to three quarters of it so that not every run has to evict.
MAX_CACHE_BYTES = 256 << 20
# A temporary file this old was left by a run that died while writing it.
_STALE_SECONDS = 3600


def default_folder() -> Optional[Path]:
    """$LAYER_LINT_CACHE_DIR, else the platform's cache folder; None when there is no home
    folder to put it in (then runs simply go without a cache)."""
    try:
        return _platform_folder()
    except (RuntimeError, KeyError, OSError):  # Path.home() with no HOME and no passwd entry
        return None


def _platform_folder() -> Path:
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "layer-lint"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "layer-lint" / "Cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "layer-lint"


def open_cache(enabled: bool = True) -> Optional["Cache"]:
    """The cache in default_folder(); None when runs go without one (disabled, or no folder)."""
    folder = default_folder() if enabled else None
    return Cache(folder) if folder is not None else None


@dataclass(frozen=True)
class Cache:
    folder: Path
    max_bytes: int = MAX_CACHE_BYTES
    # Zips being hashed in the background (prefetch), by path: the thread, its result, its stop.
    _pending: dict[str, tuple[threading.Thread, list[Optional[bytes]], threading.Event]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def prefetch(self, path: Union[str, Path]) -> None:
        """Start hashing a zip's bytes in a background thread, to overlap listing its central
        directory and what comes before its read (file reads and SHA-256 release the GIL): on a
        warm run, hashing the zip is the biggest single cost. key() waits for it, discard()
        stops it."""
        name = str(path)
        if name in self._pending or not os.path.isfile(name):
            return
        result: list[Optional[bytes]] = []
        stop = threading.Event()
        thread = threading.Thread(target=_prefetch, args=(Path(name), result, stop), name="layer-lint-digest", daemon=True)
        try:
            thread.start()
        except RuntimeError:  # no thread to be had: key() hashes in this one
            return
        self._pending[name] = (thread, result, stop)

    def key(self, path: Union[str, Path], *context: str) -> Optional[str]:
        """file_key(path, *context), from the prefetched digest when there is one."""
        pending = self._pending.pop(str(path), None)
        if pending is None:
            return file_key(Path(path), *context)
        thread, result, _ = pending
        thread.join()
        return _key(result[0] if result else None, context)

    def discard(self, path: Union[str, Path]) -> None:
        """Stop hashing a zip whose key no one will ask for (it could not be opened)."""
        pending = self._pending.pop(str(path), None)
        if pending is not None:
            pending[2].set()
            pending[0].join()

    def load(self, key: str) -> Optional[dict[str, Any]]:
        path = self.folder / f"{key}.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (isinstance(data, dict) and data.get("format") == _FORMAT):
            return None
        try:
            os.utime(path)  # recently used: the last to be evicted
        except OSError:
            pass
        return data

    def store(self, key: str, data: dict[str, Any]) -> None:
        """Write an entry atomically; a cache that cannot be written is no reason to fail a run."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            import tempfile  # only runs that write the cache need it (it imports random, shutil, ...)

            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump({**data, "format": _FORMAT}, stream)
                os.replace(temporary, self.folder / f"{key}.json")
            except BaseException:
                os.unlink(temporary)
                raise
            self._evict(keep=f"{key}.json")
        except OSError:
            pass

    def _evict(self, keep: str) -> None:
        """Delete the least recently used entries while the folder holds over max_bytes, and
        temporary files that dead runs left. Another run may be doing the same: a file already
        gone is no error."""
        entries: list[tuple[float, int, str]] = []
        now = time.time()
        with os.scandir(self.folder) as listing:
            for item in listing:
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if item.name.startswith(".tmp-") and now - info.st_mtime > _STALE_SECONDS:
                    _unlink(item.path)
                elif item.name.endswith(".json") and item.is_file(follow_symlinks=False):
                    entries.append((info.st_mtime, info.st_size, item.name))
        total = sum(size for _, size, _ in entries)
        if total <= self.max_bytes:
            return
        for _, size, name in sorted(entries):
            if total <= self.max_bytes * 3 // 4:
                break
            if name != keep and _unlink(os.path.join(self.folder, name)):
                total -= size


def _unlink(path: str) -> bool:
    try:
        os.unlink(path)
    except OSError:
        return False
    return True


# The modules whose code decides what a read finds: a change to any of them (in development,
# where the version number stays the same) makes earlier entries miss.
_READERS = ("source.py", "layer.py", "parallel.py", "elf.py", "binaries.py", "packages.py", "layout.py", "limits.py", "cache.py")


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    digest = hashlib.blake2b(digest_size=16)
    folder = Path(__file__).resolve().parent
    for name in _READERS:
        try:
            digest.update((folder / name).read_bytes())
        except OSError:
            digest.update(name.encode())
    return digest.hexdigest()


def _prefetch(path: Path, result: list[Optional[bytes]], stop: threading.Event) -> None:
    result.append(file_digest(path, stop))


def file_key(path: Path, *context: str) -> Optional[str]:
    """A key that changes whenever the file's bytes or the context change; None if unreadable."""
    return _key(file_digest(path), context)


def _key(digest: Optional[bytes], context: tuple[str, ...]) -> Optional[str]:
    if digest is None:
        return None
    key = hashlib.sha256()
    for part in context:
        key.update(part.encode() + b"\0")
    key.update(digest)
    return key.hexdigest()


def file_digest(path: Path, stop: Optional[threading.Event] = None) -> Optional[bytes]:
    """SHA-256 of a file's bytes; None if unreadable (or stopped). SHA-256 because CPUs with SHA
    extensions (x86-64 SHA-NI, ARMv8) compute it about twice as fast as BLAKE2b: hashing the zip
    is most of what a warm run of a big layer does. Read in _HASH_CHUNK pieces into one buffer,
    so that a prefetching thread takes the GIL back only twice a piece. (Not through a memory
    map: a zip cut short while mapped would kill the process with SIGBUS.)"""
    digest = hashlib.sha256()
    buffer = bytearray(_HASH_CHUNK)
    view = memoryview(buffer)
    try:
        with open(path, "rb", buffering=0) as stream:
            while stop is None or not stop.is_set():
                count = stream.readinto(buffer)
                if not count:
                    return digest.digest()
                digest.update(view[:count])
    except OSError:
        return None
    return None
