"""How far a long read has got, for a person at a terminal: a rich progress bar on standard
error that appears only once a run has taken over a second, so quick runs never flash one."""

from __future__ import annotations

import time
from pathlib import PurePath
from typing import IO, Any, Callable, Optional

# A bar appears once a run has taken this long, and redraws at most this often: redrawing on
# each of thousands of members would cost more than the members.
DELAY_SECONDS = 1.0
_REDRAW_SECONDS = 0.1


class TerminalProgress:
    """A Progress drawn on `stream` with rich. rich is imported only when the bar first shows.
    It never starts rich's refresh thread (it redraws on update): a thread would keep the read
    from sharing its work with a forked process (parallel.py). `finish` clears the bar, so the
    report printed after it stands alone."""

    def __init__(self, stream: IO[str], delay: Optional[float] = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._delay = DELAY_SECONDS if delay is None else delay
        self._clock = clock
        self._began = clock()
        self._redrawn = float("-inf")
        self._name = ""
        self._total = 0
        self._bar: Any = None
        self._task: Any = None

    def start(self, name: str, total: int) -> None:
        self._name, self._total = name, total
        if self._bar is not None:
            self._bar.update(self._task, description=_label(name), completed=0, total=total)
            self._bar.refresh()

    def update(self, done: int) -> None:
        now = self._clock()
        if now - self._began < self._delay or now - self._redrawn < _REDRAW_SECONDS:
            return
        self._redrawn = now
        if self._bar is None:
            self._bar, self._task = _open_bar(self._stream, self._name, self._total)
        self._bar.update(self._task, completed=done)
        self._bar.refresh()

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def for_terminal(stream: IO[str], enabled: bool = True) -> Optional[TerminalProgress]:
    """A TerminalProgress when `stream` is a terminal and the caller allows one; None otherwise
    (a pipe, a file, a CI log: a bar there is noise)."""
    try:
        interactive = enabled and stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        interactive = False
    return TerminalProgress(stream) if interactive else None


def _label(name: str) -> str:
    """The layer's file name: a whole path would wrap the bar on a narrow terminal."""
    from rich.markup import escape

    return f"reading {escape(PurePath(name).name or name)}"


def _open_bar(stream: IO[str], name: str, total: int) -> tuple[Any, Any]:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress as Bar, TextColumn, TimeRemainingColumn

    console = Console(file=stream, force_terminal=True)
    bar = Bar(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=console,
        auto_refresh=False,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = bar.add_task(_label(name), total=total)
    bar.start()
    return bar, task
