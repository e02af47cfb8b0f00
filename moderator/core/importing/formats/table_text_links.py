"""Where each row of a long table whose replies name their parent by text goes in its thread, found on disk, so
that its threads can be built and written in parts.

Read whole (``table_threads.TableThread``), a thread keeps a dict of its texts: a row's parent is the first
comment with its parent text, else a context comment made for that text just before the first row naming it;
the first row with that text, if one comes later, takes the context's place. ``TextLinks`` plans the same
places from hashes of the texts, in the spill's file: each thread's entries in order (a row; a context a
later row fills; a context alone) and each entry's parent among them. ``ParentRows`` then gives depths and
forward links (a row that fills a context may reply to a comment after it), or finds a cycle: the table is then
refused as reading it whole refuses it (``table_refusals``).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple

from moderator.core.importing.formats.table_parents import ParentRows
from moderator.core.importing.sources.spill import BATCH, Spill

_ROWS = (
    "CREATE TABLE text_rows (item INTEGER PRIMARY KEY, thread TEXT NOT NULL, text BLOB NOT NULL, parent BLOB, ext TEXT, "
    "parent_id TEXT)"
)
_PLAN = (
    # (Every table declared, not made AS SELECT: a column of min(...) has no type, and a join on it uses no index.)
    # the first row with each text
    "CREATE TABLE text_first (thread TEXT NOT NULL, text BLOB NOT NULL, item INTEGER NOT NULL, PRIMARY KEY (thread, text)) "
    "WITHOUT ROWID",
    "INSERT INTO text_first SELECT thread, text, min(item) FROM text_rows GROUP BY thread, text",
    # a context for each text named as a parent before any row has it: placed at the first row naming it
    # (asker), filled by the first row with that text if there is one
    "CREATE TABLE contexts (thread TEXT NOT NULL, text BLOB NOT NULL, asker INTEGER NOT NULL, filler INTEGER)",
    "INSERT INTO contexts SELECT a.thread, a.text, a.asker, f.item FROM (SELECT thread, parent AS text, min(item) AS asker "
    "FROM text_rows WHERE parent IS NOT NULL GROUP BY thread, parent) a "
    "LEFT JOIN text_first f ON f.thread = a.thread AND f.text = a.text WHERE f.item IS NULL OR f.item > a.asker",
    "CREATE INDEX contexts_filler ON contexts (filler)",
    # every comment of each thread at its position: a context just before its asker (kept to read the text
    # from, when no row fills it); a filler not again
    "CREATE TABLE entries (thread TEXT NOT NULL, pos INTEGER NOT NULL, item INTEGER, asker INTEGER, "
    "text BLOB NOT NULL, PRIMARY KEY (thread, pos)) WITHOUT ROWID",
    "INSERT INTO entries SELECT thread, row_number() OVER (PARTITION BY thread ORDER BY at, sub) - 1, item, asker, text "
    "FROM (SELECT thread, asker AS at, 0 AS sub, filler AS item, iif(filler IS NULL, asker, NULL) AS asker, text FROM contexts "
    "UNION ALL "
    "SELECT r.thread, r.item, 1, r.item, NULL, r.text FROM text_rows r "
    "WHERE NOT EXISTS (SELECT 1 FROM contexts c WHERE c.filler = r.item))",
    # where each text is: its context, else its first row (the first entry with it either way)
    "CREATE TABLE homes (thread TEXT NOT NULL, text BLOB NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (thread, text)) "
    "WITHOUT ROWID",
    "INSERT INTO homes SELECT thread, text, min(pos) FROM entries GROUP BY thread, text",
)
_LINKS = (
    "SELECT e.thread, e.pos, h.pos FROM entries e LEFT JOIN text_rows r ON r.item = e.item "
    "LEFT JOIN homes h ON h.thread = e.thread AND h.text = r.parent ORDER BY e.thread, e.pos"
)
# A table with parent ids too: a row with one replies to the row with that id (none: an orphan), not by text.
_BY_ID = (
    "CREATE TABLE id_homes (thread TEXT NOT NULL, ext TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (thread, ext)) "
    "WITHOUT ROWID",
    # (an id twice: its thread is refused as its rows are added, before any link counts)
    "INSERT OR IGNORE INTO id_homes SELECT e.thread, r.ext, e.pos FROM entries e JOIN text_rows r ON r.item = e.item "
    "WHERE r.ext IS NOT NULL",
)
_LINKS_BY_ID = (
    "SELECT e.thread, e.pos, coalesce(h.pos, i.pos) FROM entries e LEFT JOIN text_rows r ON r.item = e.item "
    "LEFT JOIN homes h ON h.thread = e.thread AND h.text = r.parent "
    "LEFT JOIN id_homes i ON i.thread = e.thread AND i.ext = r.parent_id ORDER BY e.thread, e.pos"
)
_THREADS = (
    "SELECT t.key, t.first, t.skipped, e.item, i.line, i.data, a.line, a.data FROM threads t "
    "JOIN entries e ON e.thread = t.key LEFT JOIN items i ON i.rowid = e.item LEFT JOIN items a ON a.rowid = e.asker "
    "ORDER BY t.rowid, e.pos"
)


class Context(NamedTuple):
    """A post the rows reply to that no row of the thread holds (made into a context comment)."""

    text: str


class TextLinks:
    """The plan of the threads staged in ``spill``: from ``rows``, ``(rowid, line, cells)`` of every row to place
    (the rows that repeat an earlier one left out), the text at ``text_at`` and the parent text at ``parent_at``;
    with parent ids (``parent_id_at``, comment ids at ``ids_at``), a row with one replies by it instead, as
    ``table_threads.TableThread`` links it."""

    def __init__(self, spill: Spill, rows: Iterable[tuple[int, Any, list[str]]], thread_at: int | None,
                 text_at: int, parent_at: int, ids_at: int | None = None, parent_id_at: int | None = None):  # fmt: skip
        self.spill, self.db, self.parent_at = spill, spill.db, parent_at
        self.db.execute(_ROWS)
        batch: list[tuple[int, str, bytes, bytes | None, str | None, str | None]] = []
        insert = "INSERT INTO text_rows VALUES (?, ?, ?, ?, ?, ?)"
        for item, _, row in rows:
            text, parent = row[text_at], row[parent_at]
            ext = row[ids_at].strip() or None if ids_at is not None else None
            parent_id = row[parent_id_at].strip() or None if parent_id_at is not None else None
            named = parent if parent_id is None and parent.strip() and parent != text else None
            key = row[thread_at].strip() if thread_at is not None else ""
            batch.append((item, key, _digest(text), None if named is None else _digest(named), ext, parent_id))
            if len(batch) >= BATCH:
                self.db.executemany(insert, batch)
                batch = []
        self.db.executemany(insert, batch)
        for statement in (*_PLAN, *(_BY_ID if parent_id_at is not None else ())):
            self.db.execute(statement)
        links = self.db.execute(_LINKS_BY_ID if parent_id_at is not None else _LINKS)
        self.parents = ParentRows(
            (thread, str(pos), None if parent is None else str(parent), None) for thread, pos, parent in links
        )
        self.taken: list[int | None] = []  # the rowid of each entry read since the last ``take`` (None: a context)

    def linkable(self) -> bool:
        """Whether every entry's chain of parents ends at a top-level one (no cycle)."""
        return self.parents.linkable()

    def lazy_threads(self) -> Iterator[tuple[str, int, int, Iterator[tuple[int, Any]]]]:
        """As ``Spill.lazy_threads``: each thread's entries in order, ``(line, cells)`` of a row or ``(line,
        Context)`` at the line of the first row naming it."""
        self.spill.index_threads()
        for (key, first, skipped), entries in groupby(self.db.execute(_THREADS), key=itemgetter(0, 1, 2)):
            yield key, first, skipped, self._read(entries)

    def _read(self, entries: Iterator[tuple]) -> Iterator[tuple[int, Any]]:
        for _, _, _, item, line, data, asker_line, asker in entries:
            self.taken.append(item)
            if item is not None:
                yield line, marshal.loads(data)
            else:
                yield asker_line, Context(marshal.loads(asker)[self.parent_at])

    def take(self) -> list[int | None]:
        """The rowids of the entries read since the last call."""
        taken, self.taken = self.taken, []
        return taken

    def close(self) -> None:
        self.parents.close()


def _digest(text: str) -> bytes:
    return hashlib.blake2b(marshal.dumps(text), digest_size=16).digest()
