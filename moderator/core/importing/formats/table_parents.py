"""Where each row's parent is in its thread, on disk: for a long table whose replies link by parent id.

When every parent comes before its replies (the usual export) and no comment id repeats in a thread, a
thread can be built and written a part at a time: a reply only needs the index of its parent among the
thread's rows, which this file answers (a million ids are not held in a dict). Anything else (a reply
before its parent, a comment its own parent, an id twice) is ``in_order`` False: the thread is then read
whole, and refused or linked as it always is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from moderator.core.importing.sources.scratch import ScratchFile

BATCH = 10_000  # rows inserted at a time


class ParentRows(ScratchFile):
    """Every row's (thread, index in its thread, comment id, parent id), from the rows in file order."""

    TABLES = (
        "CREATE TABLE rows (thread TEXT NOT NULL, idx INTEGER NOT NULL, ext TEXT, parent TEXT, PRIMARY KEY (thread, idx)) "
        "WITHOUT ROWID",
    )

    def __init__(self, rows: Iterable[tuple[str, str | None, str | None]]):
        super().__init__()
        self.distinct = True
        counts: dict[str, int] = {}
        batch: list[tuple[str, int, str | None, str | None]] = []
        insert = "INSERT INTO rows (thread, idx, ext, parent) VALUES (?, ?, ?, ?)"
        for thread, ext, parent in rows:
            idx = counts.get(thread, 0)
            counts[thread] = idx + 1
            batch.append((thread, idx, ext, parent))
            if len(batch) >= BATCH:
                self.db.executemany(insert, batch)
                batch = []
        self.db.executemany(insert, batch)
        try:
            self.db.execute("CREATE UNIQUE INDEX rows_ext ON rows (thread, ext)")  # NULL ids may repeat
        except sqlite3.IntegrityError:
            self.distinct = False

    def in_order(self) -> bool:
        """Whether ids are distinct in each thread and every parent in its thread comes before its reply."""
        if not self.distinct:
            return False
        later = self.db.execute(
            "SELECT 1 FROM rows r JOIN rows p ON p.thread = r.thread AND p.ext = r.parent WHERE p.idx >= r.idx LIMIT 1"
        )
        return later.fetchone() is None

    def parents(self, thread: str) -> Iterator[int | None]:
        """The index of each row's parent in ``thread``, row by row (None: no parent id, or none in the thread)."""
        rows = self.db.execute(
            "SELECT p.idx FROM rows r LEFT JOIN rows p ON p.thread = r.thread AND p.ext = r.parent "
            "WHERE r.thread = ? ORDER BY r.idx",
            (thread,),
        )
        return (idx for (idx,) in rows)
