"""A temporary SQLite file for what an importer reads before it can build threads: items keyed by thread.

Rows of one thread may be scattered through a file (a Reddit dump is in time order) and a parent may
come after its replies, so a thread is complete only once the whole file is read. Its items wait here,
on disk (SQLite keeps a small page cache in memory), and are read back a thread at a time, in order of
each thread's first line, each thread's items in file order: memory holds one thread, not the file.
An item is any value ``marshal`` takes (tuples of strings, numbers, dicts of them...).
"""

from __future__ import annotations

import marshal
import sqlite3
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from moderator.core.importing.sources.scratch import ScratchFile

BATCH = 10_000  # items inserted at a time


class Spill(ScratchFile):
    """Items of many threads on disk; a context manager that deletes its file on exit."""

    TABLES = (
        # rowid: the order of first appearance (a key's first insert; "OR IGNORE" keeps it)
        "CREATE TABLE threads (key TEXT PRIMARY KEY, first INTEGER NOT NULL, skipped INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE items (thread TEXT NOT NULL, line INTEGER, data BLOB NOT NULL)",  # rowid: file order
        "CREATE TABLE seen (value TEXT PRIMARY KEY) WITHOUT ROWID",  # for ``distinct``
    )

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self._items: list[tuple[str, int | None, bytes]] = []
        self._keys: list[tuple[str, int | None]] = []
        self._last_key: str | None = None
        self._indexed = False

    def thread(self, key: str, line: int | None) -> None:
        """Note a thread's first line (only its first call for a key counts)."""
        if key != self._last_key:  # a sorted file names each thread once in a run of rows
            self._keys.append((key, line))
            self._last_key = key
            if len(self._keys) >= BATCH:
                self._flush()

    def skip(self, key: str) -> None:
        """Count a row of the thread that holds no item (e.g. a blank comment)."""
        self._flush()
        self.db.execute("UPDATE threads SET skipped = skipped + 1 WHERE key = ?", (key,))

    def add(self, key: str, line: int | None, item: Any) -> None:
        self.thread(key, line)
        self._items.append((key, line, marshal.dumps(item)))
        self.count += 1
        if len(self._items) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._keys:
            self.db.executemany("INSERT OR IGNORE INTO threads (key, first) VALUES (?, ?)", self._keys)
            self._keys = []
        if self._items:
            self.db.executemany("INSERT INTO items (thread, line, data) VALUES (?, ?, ?)", self._items)
            self._items = []

    def items(self) -> Iterator[tuple[int | None, Any]]:
        """``(line, item)`` of every item, in file order."""
        self._flush()
        for line, data in self.db.execute("SELECT line, data FROM items ORDER BY rowid"):
            yield line, marshal.loads(data)

    def numbered(self) -> Iterator[tuple[int, int | None, Any]]:
        """``(rowid, line, item)`` of every item, in file order (a rowid names an item in the file's tables)."""
        self._flush()
        for rowid, line, data in self.db.execute("SELECT rowid, line, data FROM items ORDER BY rowid"):
            yield rowid, line, marshal.loads(data)

    def threads(self) -> Iterator[tuple[str, int, int, list[tuple[int | None, Any]]]]:
        """``(key, first line, skipped rows, [(line, item)...])`` a thread at a time, in order of first line;
        a thread with no item is left out."""
        for key, first, skipped, items in self.lazy_threads():
            yield key, first, skipped, list(items)

    def lazy_threads(self) -> Iterator[tuple[str, int, int, Iterator[tuple[int | None, Any]]]]:
        """As ``threads``, each thread's items read as they are asked for (a thread too long to hold): they
        must be read before the next thread is asked for."""
        self.index_threads()
        rows = self.db.execute(
            "SELECT t.key, t.first, t.skipped, i.line, i.data FROM threads t JOIN items i ON i.thread = t.key "
            "ORDER BY t.rowid, i.rowid"
        )
        for (key, first, skipped), items in groupby(rows, key=itemgetter(0, 1, 2)):
            yield key, first, skipped, ((line, marshal.loads(data)) for _, _, _, line, data in items)

    def index_threads(self) -> None:
        """Write what waits and index the items by thread (once), for reading a thread at a time."""
        self._flush()
        if not self._indexed:
            self.db.execute("CREATE INDEX items_thread ON items (thread)")  # rowid order within a key
            self._indexed = True

    def distinct(self, values: Iterable[str]) -> bool:
        """Whether no value repeats (on disk: a column of a million ids is not held as a set)."""
        self._flush()
        self.db.execute("DELETE FROM seen")
        batch: list[tuple[str]] = []
        try:
            for value in values:
                batch.append((value,))
                if len(batch) >= BATCH:
                    self.db.executemany("INSERT INTO seen (value) VALUES (?)", batch)
                    batch = []
            self.db.executemany("INSERT INTO seen (value) VALUES (?)", batch)
        except sqlite3.IntegrityError:
            return False
        return True
