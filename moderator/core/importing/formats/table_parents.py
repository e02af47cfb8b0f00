"""Where each row's parent is in its thread, on disk: for a long table whose replies link by parent id.

When no comment id repeats in a thread and no reply chain is a cycle, a thread can be built and written a
part at a time: a reply only needs the index of its parent among the thread's rows, which this file answers
(a million ids are not held in a dict). When every parent comes before its replies (the usual export),
that is all. When some come after (a file newest first), this file also gives each row's depth, found by
walking down from the thread's top-level rows, and, for each part, the earlier replies to its comments
(written without their parent, then linked: ``CommentDraft.replies_before``). Anything else (a comment
its own parent, a cycle, an id twice) is not ``linkable``: the table is then refused where reading it whole
would refuse it (``table_refusals``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from moderator.core.importing.sources.scratch import ScratchFile

BATCH = 10_000  # rows inserted at a time


class ParentRows(ScratchFile):
    """Every row's (thread, index in its thread, comment id, parent id, line), from the rows in file order."""

    TABLES = (
        "CREATE TABLE rows (thread TEXT NOT NULL, idx INTEGER NOT NULL, ext TEXT, parent TEXT, line INTEGER, "
        "PRIMARY KEY (thread, idx)) WITHOUT ROWID",
    )

    def __init__(self, rows: Iterable[tuple[str, str | None, str | None, int | None]]):
        super().__init__()
        self.distinct = True
        self.forward = False
        counts: dict[str, int] = {}
        batch: list[tuple[str, int, str | None, str | None, int | None]] = []
        insert = "INSERT INTO rows (thread, idx, ext, parent, line) VALUES (?, ?, ?, ?, ?)"
        for thread, ext, parent, line in rows:
            idx = counts.get(thread, 0)
            counts[thread] = idx + 1
            batch.append((thread, idx, ext, parent, line))
            if len(batch) >= BATCH:
                self.db.executemany(insert, batch)
                batch = []
        self.db.executemany(insert, batch)
        try:
            self.db.execute("CREATE UNIQUE INDEX rows_ext ON rows (thread, ext)")  # NULL ids may repeat
        except sqlite3.IntegrityError:
            self.distinct = False

    def linkable(self) -> bool:
        """Whether ids are distinct in each thread and every reply chain ends at a top-level row (``forward``:
        some parent comes after its reply, and ``parents`` gives depths)."""
        if not self.distinct:
            return False
        later = self.db.execute(
            "SELECT 1 FROM rows r JOIN rows p ON p.thread = r.thread AND p.ext = r.parent WHERE p.idx >= r.idx LIMIT 1"
        )
        self.forward = later.fetchone() is not None
        if not self.forward:
            return True
        self.db.execute("CREATE INDEX rows_parent ON rows (thread, parent)")
        self.db.execute(_DEPTHS)
        self.db.execute("CREATE UNIQUE INDEX depths_row ON depths (thread, idx)")
        walked = self.db.execute("SELECT count(*) FROM depths").fetchone()[0]
        return walked == self.db.execute("SELECT count(*) FROM rows").fetchone()[0]  # the rest: in a cycle, or under one

    def parents(self, thread: str) -> Iterator[tuple[int | None, int | None]]:
        """The index of each row's parent in ``thread`` (None: no parent id, or none in the thread) and, when
        ``forward``, the row's depth, row by row."""
        rows = self.db.execute(_PARENTS_AND_DEPTHS if self.forward else _PARENTS, (thread,))
        return ((idx, depth) for idx, depth in rows)

    def replies_before(self, thread: str, first: int, until: int) -> dict[int, list[int]]:
        """For the rows ``first`` ≤ index < ``until`` of ``thread``: the indices of their replies before ``first``."""
        found: dict[int, list[int]] = {}
        for parent, reply in self.db.execute(_REPLIES_BEFORE, (thread, first, until, first)):
            found.setdefault(parent, []).append(reply)
        return found


_PARENTS = (
    "SELECT p.idx, NULL FROM rows r LEFT JOIN rows p ON p.thread = r.thread AND p.ext = r.parent "
    "WHERE r.thread = ? ORDER BY r.idx"
)
_PARENTS_AND_DEPTHS = (
    "SELECT p.idx, d.depth FROM rows r LEFT JOIN rows p ON p.thread = r.thread AND p.ext = r.parent "
    "JOIN depths d ON d.thread = r.thread AND d.idx = r.idx WHERE r.thread = ? ORDER BY r.idx"
)
# Down from the top-level rows (no parent id, or one not in the thread): a row whose parent is at depth d is
# at d + 1. Ids are distinct, so each row is reached at most once; a row in a reply cycle, or under one, never.
_DEPTHS = """
CREATE TABLE depths AS
WITH RECURSIVE walk (thread, idx, ext, depth) AS (
    SELECT r.thread, r.idx, r.ext, 0 FROM rows r
    WHERE r.parent IS NULL OR NOT EXISTS (SELECT 1 FROM rows p WHERE p.thread = r.thread AND p.ext = r.parent)
    UNION ALL
    SELECT c.thread, c.idx, c.ext, w.depth + 1 FROM walk w JOIN rows c INDEXED BY rows_parent
    ON c.thread = w.thread AND c.parent = w.ext
)
SELECT thread, idx, depth FROM walk
"""
_REPLIES_BEFORE = (
    "SELECT p.idx, r.idx FROM rows p JOIN rows r INDEXED BY rows_parent ON r.thread = p.thread AND r.parent = p.ext "
    "WHERE p.thread = ? AND p.idx >= ? AND p.idx < ? AND r.idx < ? ORDER BY p.idx, r.idx"
)
