"""Byte counts as people read them."""

from __future__ import annotations


def human_bytes(count: int) -> str:
    """Lambda's own units: 1 MB = 1,048,576 bytes (its docs and errors use MB for MiB)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"
