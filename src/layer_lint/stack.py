"""A function's stack: its layers in merge order, and optionally its own code at /var/task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .layer import Layer


@dataclass
class Stack:
    layers: list[Layer]  # in the order Lambda merges them into /opt
    function: Optional[Layer] = None  # the function's own package, unpacked at /var/task

    @property
    def members(self) -> list[Layer]:
        """The function first (it comes first on every search path), then the layers."""
        return ([self.function] if self.function is not None else []) + self.layers

    @property
    def unzipped_bytes(self) -> int:
        return sum(member.unzipped_bytes for member in self.members)
