"""Files from PyPI for the tests that need real wheels, pinned by file name and sha256 and
downloaded once into a cache folder ($LAYER_LINT_TEST_CACHE, else ~/.cache/layer-lint-tests).

Only tests marked `network`, fixtures/native/fetch.py and benchmarks/run.py use this; the
default test run needs no network.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Optional
from urllib.parse import urljoin

TIMEOUT = 120


@dataclass(frozen=True)
class Pinned:
    """One release file: project, version, exact file name and its sha256."""

    project: str
    version: str
    filename: str
    sha256: str


def cache_dir() -> Path:
    folder = Path(os.environ.get("LAYER_LINT_TEST_CACHE") or Path.home() / ".cache" / "layer-lint-tests")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(pinned: Pinned, folder: Optional[Path] = None) -> Path:
    """The file from the cache (`folder`, else cache_dir()), downloaded first if missing; its
    sha256 is always checked."""
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    path = (folder or cache_dir()) / pinned.filename
    if path.exists() and sha256_of(path) == pinned.sha256:
        return path
    url = file_url(pinned)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".part-", delete=False) as part:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            for block in iter(lambda: response.read(1 << 20), b""):
                part.write(block)
    partial = Path(part.name)
    got = sha256_of(partial)
    if got != pinned.sha256:
        partial.unlink()
        raise AssertionError(f"{pinned.filename} from {url} has sha256 {got}, not the pinned {pinned.sha256}")
    partial.replace(path)
    return path


def file_url(pinned: Pinned) -> str:
    """The download URL from PyPI's JSON API: the release's own document, or the project's
    (`releases`), which some mirrors serve when they lack the per-release one."""
    documents = (
        (f"https://pypi.org/pypi/{pinned.project}/{pinned.version}/json", lambda data: data.get("urls", [])),
        (f"https://pypi.org/pypi/{pinned.project}/json", lambda data: data.get("releases", {}).get(pinned.version, [])),
    )
    for url, files_of in documents:
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
                data = json.load(response)
        except urllib.error.HTTPError as error:
            if error.code == 404:
                continue
            raise
        for file in files_of(data):
            if file.get("filename") == pinned.filename:
                if file.get("digests", {}).get("sha256") not in (None, pinned.sha256):
                    raise AssertionError(f"PyPI lists {pinned.filename} with sha256 {file['digests']['sha256']}, not the pinned {pinned.sha256}")
                return urljoin(url, file["url"])
    raise LookupError(f"PyPI does not list {pinned.filename} for {pinned.project} {pinned.version}")
