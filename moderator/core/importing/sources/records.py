"""A temporary SQLite file of records by key, for what an importer looks up while it builds threads.

A Disqus export describes its threads (and categories) apart from their posts, and may describe far more
of them than have posts: they wait here, on disk, and each thread's is read back when the thread is built,
so memory holds none of them. A record is any value ``marshal`` takes.
"""

from __future__ import annotations

import marshal
from itertools import groupby
from operator import itemgetter
from typing import Any

from moderator.core.importing.sources.scratch import ScratchFile

BATCH = 10_000  # records inserted at a time
_KEEP_FIRST = "INSERT OR IGNORE INTO records (key, data) VALUES (?, ?)"
_REPLACE = "INSERT OR REPLACE INTO records (key, data) VALUES (?, ?)"


class Records(ScratchFile):
    """Records by key on disk; a context manager that deletes its file on exit."""

    TABLES = ("CREATE TABLE records (key TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID",)

    def __init__(self) -> None:
        super().__init__()
        self._pending: list[tuple[str, bytes, bool]] = []

    def put(self, key: str, record: Any, replace: bool = False) -> None:
        """Keep ``record`` under ``key``: the first one put (``replace``: the last one)."""
        self._pending.append((key, marshal.dumps(record), replace))
        if len(self._pending) >= BATCH:
            self._flush()

    def get(self, key: str) -> Any:
        """The record under ``key``, or None."""
        self._flush()
        row = self.db.execute("SELECT data FROM records WHERE key = ?", (key,)).fetchone()
        return None if row is None else marshal.loads(row[0])

    def _flush(self) -> None:
        # In order (runs of one kind at a time): which of a key's records is kept depends on it.
        for replace, run in groupby(self._pending, key=itemgetter(2)):
            self.db.executemany(_REPLACE if replace else _KEEP_FIRST, (r[:2] for r in run))
        self._pending = []
