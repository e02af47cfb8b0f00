"""What the two writers of a bulk file read a thread at a time share (``bulk_stream``, ``bulk_batches``):
they are ``jsonl.read_bulk``'s ``ready``, inside one savepoint, and hold a reply cycle
to the end of the file, so that a bad line further on is the one reported, as where the file is read
whole before its threads are written."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import jsonl


class ThreadsAsRead(ABC):
    """``take`` each thread as the reader lets it go; ``finish`` (``written`` first) or ``abandon``."""

    def __init__(self, conn: Connection):
        self.savepoint = conn.begin_nested()  # undone if the file is read again, regrouped (``jsonl_grouped``)
        self.failure: ImportFailure | None = None

    def __call__(self, thread: jsonl.BulkThread) -> None:
        self.held(self.take, thread)

    @abstractmethod
    def take(self, thread: jsonl.BulkThread) -> None:
        """Write one thread, or gather it for a later write."""

    def held(self, write: Callable[..., None], *args: Any) -> None:
        """``write(*args)``, its ImportFailure held for ``written`` (nothing more is written after one)."""
        if self.failure is None:
            try:
                write(*args)
            except ImportFailure as failure:
                self.failure = failure

    def written(self, threads: list[jsonl.BulkThread], last: Callable[[], None] | None = None) -> None:
        """Take ``threads`` (those ``read_bulk`` returned: not given yet), then ``last()`` (what is left to
        write); raise the failure held, if any."""
        for thread in threads:
            self(thread)
        if last is not None:
            self.held(last)
        if self.failure is not None:
            raise self.failure

    def abandon(self) -> None:
        """Undo what was written."""
        if self.savepoint.is_active:
            self.savepoint.rollback()
