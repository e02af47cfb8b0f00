"""The lines of a one-comment-per-line JSON Lines file regrouped by thread on disk, for the stream.

A file whose threads' lines are scattered (a dump in time order) cannot be written a thread at a time
as it is read. Here each line is decoded once, with the file's own checks and in file order
(``stream_objects``), and kept in a ``Spill`` keyed by the thread it names; ``objects`` gives the lines
back a thread at a time, in order of each thread's first line, each thread's lines in file order and
with their own line numbers, so ``read_bulk`` reads them as it reads a file, every message naming the
file's line, and memory holds one thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Self

from moderator.core.importing.errors import ImportCancelled
from moderator.core.importing.formats.jsonl import THREAD_ALIASES
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.spill import Spill
from moderator.core.importing.sources.streams import stream_objects
from moderator.core.progress import Cancelled, Progress


def thread_of(value: Any) -> str:
    """The key of the thread a line names, as ``read_bulk`` groups it (an integer id is its digits);
    every line that names none, or is not an object, goes with the others that name none."""
    if type(value) is not dict:
        return "-"
    tid = next((value[k] for k in THREAD_ALIASES if value.get(k) is not None), None)
    if tid is None:
        return "-"
    if type(tid) is str or type(tid) is int:
        return f"={tid}"
    return f"?{tid!r}"  # refused by read_bulk when its thread comes


class GroupedLines:
    """A context manager: the file read into the spill on entry; the spill deleted on exit."""

    def __init__(self, source: SourceText, progress: Progress, cancelled: Cancelled | None):
        self.source, self.progress, self.cancelled = source, progress, cancelled
        self.spill = Spill()

    def __enter__(self) -> Self:
        try:
            for line, value in stream_objects(self.source, self.progress, self.cancelled):
                self.spill.add(thread_of(value), line, value)
        except BaseException:
            self.spill.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.spill.close()

    def objects(self, progress: Progress) -> Iterator[tuple[int, Any]]:
        """``(line, value)`` of every line, a thread at a time (progress: the share of lines given back)."""
        total = max(1, self.spill.count)
        done = 0
        for _key, _first, _skipped, items in self.spill.lazy_threads():
            if self.cancelled is not None and self.cancelled():
                raise ImportCancelled()
            for line, value in items:
                done += 1
                yield line, value  # type: ignore[misc]  (every item has its line)
            progress(done / total)
