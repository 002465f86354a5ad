"""What a layer's read tells about how far it has got: the interface the reader reports to. The
terminal's progress bar (render/progress.py) is one implementation."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """What a layer's read reports to: one start per layer read, then how many of its bytes are
    done."""

    def start(self, name: str, total: int) -> None: ...

    def update(self, done: int) -> None: ...
