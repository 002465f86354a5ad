"""How much the tool will decompress: the zip-bomb thresholds and the verify switch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .source import MAX_MEMBERS, Entry

GIB = 1 << 30
MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    member_bytes: int = GIB  # a member declaring more than this is a bomb
    ratio: float = 1000.0  # ... or compressing better than this ...
    ratio_min_bytes: int = 10 * MIB  # ... while declaring more than this
    total_bytes: int = 4 * GIB  # the whole layer declaring more than this is a bomb
    members: int = MAX_MEMBERS  # a layer of more members than this is not even listed
    verify: bool = True  # check every member's CRC, as `unzip -t` does


def bomb_reason(entry: Entry, limits: Limits) -> Optional[str]:
    """Why a member's declared sizes make it a zip bomb, or None."""
    if entry.size > limits.member_bytes:
        return f"declares {entry.size:,} bytes unzipped, over the {limits.member_bytes:,}-byte limit per member"
    if entry.compressed_size and entry.size > limits.ratio_min_bytes:
        ratio = entry.size / entry.compressed_size
        if ratio > limits.ratio:
            return (
                f"expands {ratio:,.0f}:1 ({entry.compressed_size:,} -> {entry.size:,} bytes), "
                f"over the {limits.ratio:,.0f}:1 limit for members over {limits.ratio_min_bytes:,} bytes"
            )
    return None
