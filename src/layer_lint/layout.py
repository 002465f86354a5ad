"""Where a layer's files sit relative to the folders Lambda runtimes read.

Pure functions over zip-relative POSIX paths: which language a file belongs to, which
runtime folder (if any) holds it, and which well-known nesting mistakes it sits in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

FAMILY_NAMES = {"python": "Python", "nodejs": "Node.js", "java": "Java", "ruby": "Ruby"}

# Folders read by every runtime (PATH, LD_LIBRARY_PATH) or with a meaning of their own.
COMMON_TOP_LEVEL = ("bin", "lib", "extensions", "bootstrap")

_VERSIONED = (
    ("python", re.compile(r"^(python/lib/python(\d+\.\d+)/site-packages)(/|$)")),
    ("nodejs", re.compile(r"^(nodejs/node(\d+)/node_modules)(/|$)")),
    ("ruby", re.compile(r"^(ruby/gems/(\d+\.\d+)\.\d+)(/|$)")),
)
_PLAIN = (
    ("python", "python"),
    ("nodejs", "nodejs/node_modules"),
    ("java", "java/lib"),
    ("ruby", "ruby/lib"),
)

_PYTHON_VERSION = re.compile(r"^python(\d+\.\d+)$")
_NODE_VERSION = re.compile(r"^node\d+$")
_GEM_VERSION = re.compile(r"^\d+\.\d+\.\d+$")

_PY_SUFFIXES = (".py", ".pyc", ".pyd", ".pth", ".pyi")
_NODE_SUFFIXES = (".js", ".mjs", ".cjs", ".node")
_JAVA_SUFFIXES = (".jar", ".class")
_RUBY_SUFFIXES = (".rb", ".gemspec")


@dataclass(frozen=True)
class Placement:
    """The runtime folder a file sits in."""

    family: str
    folder: str  # zip-relative, no trailing slash
    version: Optional[str] = None  # the language version a versioned folder is for


@dataclass(frozen=True)
class Misnesting:
    folder: str  # the misplaced folder (or file), no trailing slash
    family: str
    belongs: str  # where its content should go


def content_family(path: str) -> Optional[str]:
    """The language a file is code or package metadata for, judged by name alone."""
    name = path.rsplit("/", 1)[-1]
    # A parent folder named *.dist-info or *.egg-info is that name followed by a "/".
    if name.endswith(_PY_SUFFIXES) or ".dist-info/" in path or ".egg-info/" in path:
        return "python"
    if name == "package.json" or name.endswith(_NODE_SUFFIXES):
        return "nodejs"
    if name.endswith(_JAVA_SUFFIXES):
        return "java"
    if name.endswith(_RUBY_SUFFIXES):
        return "ruby"
    if ".so" in name and ".cpython-" in name or name.endswith(".abi3.so"):
        return "python"
    return None


def _by_top(folders: tuple) -> dict[str, tuple]:
    """The (family, folder or pattern) pairs of _VERSIONED or _PLAIN by the top-level folder
    they lie in, in their order: placement() tries a path only against its own top-level
    folder's, since rules place every file of a layer, often more than once."""
    tops: dict[str, tuple] = {}
    for family, where in folders:
        folder = where if isinstance(where, str) else where.pattern[len("^(") :]
        top = folder.split("/", 1)[0]
        tops[top] = tops.get(top, ()) + ((family, where),)
    return tops


_VERSIONED_BY_TOP = _by_top(_VERSIONED)
_PLAIN_BY_TOP = _by_top(_PLAIN)


def placement(path: str) -> Optional[Placement]:
    """The language folder holding `path`, versioned folders first; None outside all of them."""
    top = path.split("/", 1)[0]
    for family, pattern in _VERSIONED_BY_TOP.get(top, ()):
        match = pattern.match(path)
        if match:
            return Placement(family, match.group(1), match.group(2))
    for family, folder in _PLAIN_BY_TOP.get(top, ()):
        if path.startswith(folder + "/"):
            return Placement(family, folder)
    return None


def misnesting(path: str) -> Optional[Misnesting]:
    """The outermost well-known nesting mistake a file at `path` sits in, if any."""
    parts = path.split("/")
    top, depth = parts[0], len(parts)
    if depth == 1:
        return Misnesting(path, "java", "java/lib/") if path.endswith(".jar") else None
    if top == "node_modules":
        return Misnesting("node_modules", "nodejs", "nodejs/node_modules/")
    # A site-packages folder inside a Node.js, Java or Ruby tree belongs to some package there.
    if "site-packages" in parts[:-1] and top not in ("nodejs", "java", "ruby"):
        index = parts.index("site-packages")
        before = parts[index - 1] if index > 0 else ""
        legit = index == 3 and parts[:2] == ["python", "lib"] and _PYTHON_VERSION.match(before)
        if not legit:
            version = _PYTHON_VERSION.match(before)
            belongs = f"python/lib/python{version.group(1)}/site-packages/" if version else "python/"
            return Misnesting("/".join(parts[: index + 1]), "python", belongs)
    if top == "python" and depth > 2:
        if parts[1] == "python":
            return Misnesting("python/python", "python", "python/")
        version = _PYTHON_VERSION.match(parts[2]) if parts[1] == "lib" else None
        if version and depth > 4 and parts[3] != "site-packages" or version and depth == 4:
            return Misnesting("/".join(parts[:3]), "python", f"python/lib/python{version.group(1)}/site-packages/")
    if top == "nodejs" and depth > 2:
        if parts[1] == "node_modules" and parts[2] == "node_modules" and depth > 3:
            return Misnesting("nodejs/node_modules/node_modules", "nodejs", "nodejs/node_modules/")
        if _NODE_VERSION.match(parts[1]):
            if parts[2] != "node_modules":
                return Misnesting("/".join(parts[:3]), "nodejs", f"nodejs/{parts[1]}/node_modules/")
            if depth > 4 and parts[3] == "node_modules":
                return Misnesting("/".join(parts[:4]), "nodejs", f"nodejs/{parts[1]}/node_modules/")
        elif parts[1] != "node_modules":
            return Misnesting(f"nodejs/{parts[1]}", "nodejs", "nodejs/node_modules/")
    if top == "java" and depth == 2 and path.endswith(".jar"):
        return Misnesting(path, "java", "java/lib/")
    if top == "ruby" and depth > 3 and parts[1] == "gems" and not _GEM_VERSION.match(parts[2]):
        return Misnesting("ruby/gems", "ruby", "ruby/gems/<ruby version>/, e.g. ruby/gems/3.3.0/")
    return None


def is_compiled(path: str) -> bool:
    """Native code by name, for advice only (binaries.py decides by content)."""
    name = path.rsplit("/", 1)[-1]
    return name.endswith((".so", ".pyd", ".node", ".bundle", ".dylib")) or ".so." in name


_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def unsafe_name_reasons(name: str) -> list[str]:
    """Why a member name is not a plain relative path under /opt; empty when it is one."""
    reasons = []
    if name.startswith("/"):
        reasons.append("is absolute")
    if ".." in name.replace("\\", "/").split("/"):
        reasons.append("has a '..' part that climbs out of the folder it is unpacked in")
    if "\\" in name:
        reasons.append("uses backslashes, which Linux unzip keeps as part of one file name instead of folders")
    if _DRIVE.match(name):
        reasons.append("starts with a Windows drive letter")
    if _CONTROL.search(name):
        reasons.append("contains control characters")
    return reasons


def lambda_runs(path: str) -> bool:
    """Files Lambda itself executes: the custom-runtime bootstrap, bin/* on PATH, extensions/*."""
    parts = path.split("/")
    return path == "bootstrap" or (len(parts) == 2 and parts[0] in ("bin", "extensions"))


def top_level(path: str) -> str:
    return path.split("/", 1)[0]
