"""The rows of a long table that repeat an earlier row of their thread, found on disk, so that its threads can be
built and written in parts.

With no comment id column (nor a column of row ids) to tell rows apart, a row that repeats an earlier one of its
thread (same text, author, and parent text or parent id) is merged into it (``table_threads.merge_row``).
Read whole, a thread keeps a dict of its rows for that. ``RowRepeats`` finds the repeats in the spill's file
first, by a hash of each row's text and author; the threads are then read without them. As a part is built, each
of its comments takes its repeats' lines and labels, in file order, streamed from disk (a "[deleted]" repeated
100,000 times is not held). The quirks and merged lines of a thread are given in file order once its last part
is built, so the warnings, or ``--strict``'s refusal, are the whole thread's.
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from moderator.core.importing.drafts import CommentDraft, PriorLabel
from moderator.core.importing.formats.table_threads import merge_row
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.spill import BATCH, Spill

_KEYS = "CREATE TABLE repeat_keys (item INTEGER PRIMARY KEY, thread TEXT NOT NULL, key BLOB NOT NULL)"
_REPEATS = (
    # item: a row that repeats an earlier one of its thread; first: the rowid of that thread's first such row
    "CREATE TABLE repeats (item INTEGER PRIMARY KEY, thread TEXT NOT NULL, first INTEGER NOT NULL)",
    "INSERT INTO repeats SELECT item, thread, first FROM (SELECT item, thread, "
    "first_value(item) OVER (PARTITION BY thread, key ORDER BY item) AS first FROM repeat_keys) WHERE item != first",
    "CREATE INDEX repeats_first ON repeats (first)",  # and item, the rowid: each first's repeats in file order
    "DROP TABLE repeat_keys",
    "CREATE TABLE part_items (item INTEGER PRIMARY KEY, at INTEGER NOT NULL)",
)
_THREADS = (
    "SELECT t.key, t.first, t.skipped, i.rowid, i.line, i.data FROM threads t JOIN items i ON i.thread = t.key "
    "WHERE NOT EXISTS (SELECT 1 FROM repeats r WHERE r.item = i.rowid) ORDER BY t.rowid, i.rowid"
)
_KEPT = (
    "SELECT i.rowid, i.line, i.data FROM items i WHERE NOT EXISTS (SELECT 1 FROM repeats r WHERE r.item = i.rowid) "
    "ORDER BY i.rowid"
)
# The repeats of a part's rows (part_items: each one's rowid and index in the part), each row's in file order.
_OF_PART = (
    "SELECT p.at, i.line, i.data FROM part_items p JOIN repeats r ON r.first = p.item JOIN items i ON i.rowid = r.item "
    "ORDER BY p.item, r.item"
)

Labels = Callable[[int, list[str]], list[PriorLabel]]  # a row's prior labels, from its line and cells


class RowRepeats:
    """The repeated rows of the table staged in ``spill`` (rows of cells, the text at ``text_at``, the parent's
    text at ``parent_at``, its id at ``parent_id_at``...)."""

    def __init__(self, spill: Spill, thread_at: int | None, text_at: int, author_at: int | None, parent_at: int | None = None,
                 parent_id_at: int | None = None):  # fmt: skip
        self.spill, self.db = spill, spill.db
        self.db.execute(_KEYS)
        batch: list[tuple[int, str, bytes]] = []
        for item, _, row in spill.numbered():
            key = row[thread_at].strip() if thread_at is not None else ""
            author = row[author_at].strip() or None if author_at is not None else None
            parent = row[parent_at] if parent_at is not None and row[parent_at].strip() else None
            parent_id = row[parent_id_at].strip() or None if parent_id_at is not None else None
            same = marshal.dumps((row[text_at], author, parent, parent_id))
            batch.append((item, key, hashlib.blake2b(same, digest_size=16).digest()))
            if len(batch) >= BATCH:
                self.db.executemany("INSERT INTO repeat_keys VALUES (?, ?, ?)", batch)
                batch = []
        self.db.executemany("INSERT INTO repeat_keys VALUES (?, ?, ?)", batch)
        for statement in _REPEATS:
            self.db.execute(statement)
        self.taken: list[int] = []  # the rowids of the rows read since the last ``take``
        self._quirks: list[tuple[int, str]] = []
        self._merged: list[int] = []

    def lazy_threads(self) -> Iterator[tuple[str, int, int, Iterator[tuple[int | None, Any]]]]:
        """As ``Spill.lazy_threads``, without the repeated rows."""
        self.spill.index_threads()
        for (key, first, skipped), items in groupby(self.db.execute(_THREADS), key=itemgetter(0, 1, 2)):
            yield key, first, skipped, self._read(items)

    def _read(self, items: Iterator[tuple]) -> Iterator[tuple[int | None, Any]]:
        for _, _, _, item, line, data in items:
            self.taken.append(item)
            yield line, marshal.loads(data)

    def take(self) -> list[int]:
        """The rowids of the rows read since the last call."""
        taken, self.taken = self.taken, []
        return taken

    def kept(self) -> Iterator[tuple[int, int | None, Any]]:
        """As ``Spill.numbered``, without the repeated rows."""
        for rowid, line, data in self.db.execute(_KEPT):
            yield rowid, line, marshal.loads(data)

    def merge(self, name: str, comments: list[CommentDraft], labels: Labels, taken: list[int | None]) -> int:
        """Merge into the part just built (``comments``, of the rows whose rowids are ``taken``: None for a comment
        of no row) the rows that repeat them; how many there were."""
        self.db.execute("DELETE FROM part_items")
        self.db.executemany("INSERT INTO part_items VALUES (?, ?)", ((i, k) for k, i in enumerate(taken) if i is not None))
        before = len(self._merged)
        for at, line, data in self.db.execute(_OF_PART):
            self._merged.append(line)
            merge_row(name, line, comments[at], labels(line, marshal.loads(data)), self._quirk)
        return len(self._merged) - before

    def _quirk(self, _path: str, line: int, message: str) -> None:
        self._quirks.append((line, message))

    def thread_done(self, name: str, options: ImportOptions) -> list[int]:
        """The lines of the thread's merged rows; its quirks given now, in file order."""
        self._quirks.sort(key=itemgetter(0))  # stable: a row's quirks keep their order
        quirks, merged, self._quirks, self._merged = self._quirks, self._merged, [], []
        for line, message in quirks:
            options.quirk(name, line, message)
        return merged
