"""Where a layer is, for renderers that point at files in a repository (SARIF, GitHub annotations).

Pure path arithmetic: the caller passes the working directory and the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Optional


def repo_relative(layer_path: str, cwd: str, root: str) -> Optional[str]:
    """The layer's path relative to the repository root, in posix form; None when it lies outside."""
    absolute = os.path.normpath(os.path.join(cwd, layer_path))
    relative = os.path.relpath(absolute, root)
    if relative == ".." or relative.startswith(".." + os.sep) or os.path.isabs(relative):
        return None
    return PurePosixPath(Path(relative)).as_posix()


def absolute(layer_path: str, cwd: str) -> str:
    return os.path.normpath(os.path.join(cwd, layer_path))


def find_repo_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding .git (a folder, or a file in a worktree);
    `start` itself when there is none, so paths stay relative to where the tool ran."""
    for folder in [start, *start.parents]:
        if (folder / ".git").exists():
            return folder
    return start
