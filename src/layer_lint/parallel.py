"""Sharing a layer's one read with a second process, when there is a second core to run it.

Reading a big layer is CPU work: inflating members (zlib), checking their CRCs, and per member a
little Python (zipfile's local header, the ELF reader). Threads would share the inflating but not
the Python, so the members are shared with one forked child instead: this process reads from the
first member on, the child from the last one back, until they meet; the child sends back what it
found (pickled through a pipe) and the results come back in the members' order. Each member's
result depends on that member alone, so the outcome is the same however the work was shared:
a member both processes read gives the same result twice, and any member the child did not send
back (it failed, or was slow to start) is read here.

Only on Linux, with two usable cores and no other thread running (forking a process with threads
can deadlock the child on a lock another thread held). Each process holds one member's bytes at
a time, so memory stays bounded in each.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Callable, Optional, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The two frontiers, in memory the two processes share: the parent's next item (it has taken
# every item before it) and the child's last item taken (it has taken every item from it on).
# Read and written as one aligned 8-byte word through a memoryview (struct.pack_into would clear
# the bytes first, and the other process could read that zero).
_PARENT, _CHILD = 0, 1


def usable(workload: int, threshold: int) -> bool:
    """Whether forking pays: enough work to hide a fork (a few milliseconds), a second core,
    and nothing that makes a fork unsafe."""
    if workload < threshold or not sys.platform.startswith("linux") or not hasattr(os, "fork"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores >= 2 and threading.active_count() == 1


def map_split(
    items: Sequence[T], work: Callable[[T], R], in_child: Callable[[], None], report: Optional[Callable[[int, int], None]] = None
) -> list[R]:
    """[work(item) for item in items], shared with a forked child. `in_child` runs first in the
    child (e.g. to stop sharing a file position with this process). `report`, if given, is
    called here after each item with how far the two have got: (items done from the front,
    the first item the child has taken)."""
    import mmap  # here, not at the top: most runs never fork
    shared = mmap.mmap(-1, 16)  # anonymous, and shared with the child after the fork
    frontiers = memoryview(shared).cast("q")
    frontiers[_PARENT], frontiers[_CHILD] = 0, len(items)
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return [work(item) for item in items]
    if pid == 0:
        _child(items, work, frontiers, in_child, read_end, write_end)
    os.close(write_end)
    results: dict[int, R] = {}
    theirs: Optional[dict[int, R]] = None
    try:
        position = 0
        while position < frontiers[_CHILD]:
            frontiers[_PARENT] = position + 1
            results[position] = work(items[position])
            position += 1
            if report is not None:
                report(position, max(position, frontiers[_CHILD]))
        theirs = _collect(read_end)
    finally:
        os.close(read_end)
        _reap(pid, finished=theirs is not None)
        frontiers.release()
        shared.close()
    for position, result in (theirs or {}).items():
        results.setdefault(position, result)  # read by both: the same result either way
    # Anything the child did not send back: it failed, or a frontier was read stale.
    return [results[position] if position in results else work(items[position]) for position in range(len(items))]


def _child(items: Sequence[T], work: Callable[[T], R], frontiers: memoryview, in_child: Callable[[], None], read_end: int, write_end: int) -> None:
    """The forked child: items from the last one back, until it meets the parent, pickled down
    the pipe. It never returns, and never runs the parent's exit handlers or flushes the
    parent's buffers (os._exit)."""
    import pickle
    import signal

    status = 1
    try:
        os.close(read_end)
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly, like the parent's read
        in_child()
        found: dict[int, R] = {}
        position = len(items) - 1
        while position >= frontiers[_PARENT]:
            frontiers[_CHILD] = position
            found[position] = work(items[position])
            position -= 1
        with os.fdopen(write_end, "wb") as out:
            pickle.dump(found, out, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _collect(read_end: int) -> Optional[dict]:
    """What the child sent, or None if it sent nothing whole (it crashed or was killed)."""
    import pickle

    chunks = []
    while True:
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        found = pickle.loads(b"".join(chunks))  # our own child's output, never anything read from disk
    except Exception:  # noqa: BLE001 - a cut-off pickle raises many kinds of errors
        return None
    return found if isinstance(found, dict) else None


def _reap(pid: int, finished: bool) -> None:
    """Wait for the child; kill it first if this process gave up on it (an exception here)."""
    import signal

    if not finished:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
