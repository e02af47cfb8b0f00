"""One JSONL file written by two processes, each its own chunks, in chunk order, with no copying.

The processes share [next chunk to write, end of the file, where the next chunk starts]. A process writes a
chunk page by page while it is the next one (reserving its bytes at the end under the lock, then pwrite);
a chunk whose turn has not come is held in memory until it has. Chunks are whole threads (parallel.py).
"""

from __future__ import annotations

import os
import time

# The shared array's slots. GO: 1 once the part process may write; STOP: 1 when it is to stop at once.
NEXT, END, START, GO, STOP = range(5)
POLL = 0.005  # seconds between looks at the shared state while waiting


def shared_state(context):
    """The shared array, in ``context`` (a multiprocessing context), every slot 0."""
    return context.Array("q", 5)


def peek(state, slot: int) -> int:
    """A slot read without the lock (one aligned word): a process stopped by force must not be holding
    the lock, so the part process takes it only to change the state."""
    return state.get_obj()[slot]


class Stopped(Exception):
    """The parent asked the part process to stop (STOP)."""


class OrderedWriter:
    """One process's side of the file ``fd``: ``add`` a chunk's pages, ``finish`` it, ``wait`` for the rest."""

    def __init__(self, state, fd: int, gated: bool = False):
        self.state, self.fd = state, fd
        self.gated = gated  # the part process: it writes only once GO is set (its snapshot checked)
        self.held: dict[int, list[bytes]] = {}
        self.finished: set[int] = set()

    @property
    def next(self) -> int:
        return peek(self.state, NEXT)

    def allowed(self) -> bool:
        if not self.gated:
            return True
        if peek(self.state, STOP):
            raise Stopped()
        return peek(self.state, GO) == 1

    def add(self, chunk: int, data: bytes) -> None:
        if self.allowed() and chunk == self.next:
            for earlier in self.held.pop(chunk, ()):  # the chunk's turn came while it was being made
                self._write(earlier)
            self._write(data)
        else:
            self.held.setdefault(chunk, []).append(data)

    def finish(self, chunk: int) -> None:
        self.finished.add(chunk)
        self.flush()

    def flush(self) -> bool:
        """Write the finished chunks whose turn it is; whether any was."""
        wrote = False
        while self.allowed() and (chunk := self.next) in self.finished:
            for data in self.held.pop(chunk, ()):
                self._write(data)
            self.finished.discard(chunk)
            with self.state.get_lock():
                self.state[NEXT] = chunk + 1
                self.state[START] = self.state[END]
            wrote = True
        return wrote

    def wait(self) -> None:
        """Until every chunk this process finished is in the file."""
        while self.finished:
            if not self.flush():
                time.sleep(POLL)

    def restart_next(self) -> None:
        """Cut the file back to where the next chunk starts (its maker was stopped part way)."""
        with self.state.get_lock():
            self.state[END] = self.state[START]
            os.ftruncate(self.fd, self.state[START])

    def _write(self, data: bytes) -> None:
        with self.state.get_lock():
            at = self.state[END]
            self.state[END] = at + len(data)
        view = memoryview(data)
        while view:
            written = os.pwrite(self.fd, view, at)
            view, at = view[written:], at + written
