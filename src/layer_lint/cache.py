"""The persistent cache of what a layer's one read found, so an unchanged zip is not read twice.

Entries are keyed by a hash of the zip file's bytes, the tool version, the code that reads
layers and the read limits (what a read finds does not depend on the knowledge base), so any change to the file (a flipped byte included) misses the cache. They are
JSON (never pickle: a cache folder must not be a way to run code), written atomically so
concurrent runs never see half a file, and a damaged entry is ignored and rewritten. Apart from
the reports the CLI writes where --output says, this is the only module that writes files, and
only inside the cache folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

CACHE_ENV = "LAYER_LINT_CACHE_DIR"
_FORMAT = 1  # bump when the stored shape changes
_HASH_CHUNK = 1 << 20


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


@dataclass(frozen=True)
class Cache:
    folder: Path

    def load(self, key: str) -> Optional[dict[str, Any]]:
        try:
            data = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) and data.get("format") == _FORMAT else None

    def store(self, key: str, data: dict[str, Any]) -> None:
        """Write an entry atomically; a cache that cannot be written is no reason to fail a run."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    json.dump({**data, "format": _FORMAT}, stream)
                os.replace(temporary, self.folder / f"{key}.json")
            except BaseException:
                os.unlink(temporary)
                raise
        except OSError:
            pass


# The modules whose code decides what a read finds: a change to any of them (in development,
# where the version number stays the same) makes earlier entries miss.
_READERS = ("source.py", "layer.py", "elf.py", "binaries.py", "packages.py", "layout.py", "limits.py", "cache.py")


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


def file_key(path: Path, *context: str) -> Optional[str]:
    """A key that changes whenever the file's bytes or the context change; None if unreadable.
    SHA-256, which CPUs with SHA extensions (x86-64 SHA-NI, ARMv8) compute about twice as fast
    as BLAKE2b: hashing the zip is most of what a warm run of a big layer reads."""
    digest = hashlib.sha256()
    for part in context:
        digest.update(part.encode() + b"\0")
    try:
        with open(path, "rb") as stream:
            while True:
                chunk = stream.read(_HASH_CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()
