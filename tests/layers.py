"""Build real layer zips and folders at test time from small manifests."""

from __future__ import annotations

import os
import stat
import subprocess
import zipfile
from pathlib import Path
from typing import Mapping, Union

Content = Union[bytes, str]
# A manifest maps a zip-relative path to its content, or to (content, unix mode bits).
Manifest = Mapping[str, Union[Content, tuple[Content, int]]]

FILE_MODE = 0o644
EXEC_MODE = 0o755


def _split(value) -> tuple[bytes, int]:
    content, mode = value if isinstance(value, tuple) else (value, FILE_MODE)
    return (content.encode() if isinstance(content, str) else content), mode


def write_zip(path: Path, manifest: Manifest, *, dirs: bool = True) -> Path:
    """A zip as common tools write it: unix modes recorded, folder entries first (when `dirs`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        written: set[str] = set()
        for name, value in manifest.items():
            if dirs:
                parts = name.split("/")[:-1]
                for depth in range(1, len(parts) + 1):
                    folder = "/".join(parts[:depth]) + "/"
                    if folder not in written:
                        written.add(folder)
                        info = zipfile.ZipInfo(folder, date_time=(2024, 1, 1, 0, 0, 0))
                        info.create_system = 3
                        info.external_attr = (stat.S_IFDIR | 0o755) << 16 | 0x10
                        archive.writestr(info, b"")
            content, mode = _split(value)
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.create_system = 3
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return path


def write_folder(path: Path, manifest: Manifest) -> Path:
    for name, value in manifest.items():
        content, mode = _split(value)
        target = path.joinpath(*name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        os.chmod(target, mode)
    return path


def zip_tool(path: Path, folder: Path, *args: str) -> Path:
    """Zip a folder with Info-ZIP's `zip -r` from inside it, as users do."""
    subprocess.run(["zip", "-q", "-r", *args, str(path.resolve()), "."], cwd=folder, check=True)
    return path


def build(tmp_path: Path, kind: str, manifest: Manifest, name: str = "layer") -> Path:
    """The same content as a zip (kind "zip") or as an unpacked folder (kind "folder")."""
    if kind == "zip":
        return write_zip(tmp_path / f"{name}.zip", manifest)
    return write_folder(tmp_path / name, manifest)
