"""Path globs for configuration: `*` stays inside one folder, `**` crosses folders.

fnmatch lets `*` match `/`, which would make `python/*` swallow every member below python/;
per-path-ignores and layer tables need the usual shell/gitignore meaning instead.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def compile_glob(pattern: str) -> re.Pattern[str]:
    """`**/` is zero or more folders, a trailing `/**` everything below, `*` any characters but `/`,
    `?` one character but `/`, `[abc]` / `[!abc]` a class; the whole path must match."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and "]" in pattern[i + 2 :]:
            end = pattern.index("]", i + 2)
            body = pattern[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out), re.S)


def glob_match(pattern: str, path: str) -> bool:
    """Whether `path` (posix, relative) matches; a folder path's trailing `/` is optional."""
    regex = compile_glob(pattern)
    return bool(regex.fullmatch(path) or (path.endswith("/") and regex.fullmatch(path.rstrip("/"))))
