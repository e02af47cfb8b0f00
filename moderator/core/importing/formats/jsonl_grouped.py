"""The lines of a one-comment-per-line JSON Lines file regrouped by thread on disk, for the stream.

A file whose threads' lines are scattered (a dump in time order), or whose comments hang under story
lines (Hacker News items), cannot be written a thread at a time as it is read. Here each line is decoded
once, with the file's own checks and in file order (``stream_objects``), and kept in a spill keyed by the
thread it names, or by the story its parents lead to (``jsonl_stories``); ``objects`` gives the lines
back a thread at a time, in order of each thread's first line, each thread's lines in file order and
with their own line numbers, so ``read_bulk`` reads them as it reads a file, every message naming the
file's line, and memory holds one thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Self

from moderator.core.importing.errors import ImportCancelled
from moderator.core.importing.formats.jsonl import THREAD_ALIASES
from moderator.core.importing.formats.jsonl_stories import StorySpill
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.streams import stream_objects
from moderator.core.progress import Cancelled, Progress


class GroupedLines:
    """A context manager: the file read into the spill on entry; the spill deleted on exit. ``keyed``:
    whether the file's first line names its thread (then every line must, as ``read_bulk`` checks)."""

    def __init__(self, source: SourceText, progress: Progress, cancelled: Cancelled | None):
        self.source, self.progress, self.cancelled = source, progress, cancelled
        self.spill = StorySpill()
        self.keyed = False

    def __enter__(self) -> Self:
        try:
            lines = stream_objects(self.source, self.progress, self.cancelled)
            for line, value in lines:
                self.keyed = type(value) is dict and any(value.get(k) is not None for k in THREAD_ALIASES)
                self.spill.add_line(line, value)
                break
            for line, value in lines:
                self.spill.add_line(line, value)
            if not self.keyed:  # (if it is, a comment naming no thread is refused: nothing to move)
                self.spill.regroup(self.cancelled)
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
        named = self.spill.named if self.spill.moved else None
        for key, _first, _skipped, items in self.spill.lazy_threads():
            if self.cancelled is not None and self.cancelled():
                raise ImportCancelled()
            for line, value in items:
                done += 1
                yield line, value if named is None else named(key, value)  # type: ignore[misc]  (every item has its line)
            progress(done / total)
