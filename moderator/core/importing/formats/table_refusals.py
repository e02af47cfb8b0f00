"""Where a long table whose rows cannot be linked on disk is refused, found on disk, so that it is refused as when
its threads are read whole without holding a thread.

Read whole, the threads are built in order of first line; a row is refused if its comment id came before in
its thread (naming the first line) or if it is its own parent (``reply_tree.PendingThread.add``), in row order,
and a built thread for a reply cycle (``reply_tree.link_replies``: the cycle that the walk up from its earliest
row under a cycle meets). The first thread refused so gives the import's error. A ratings table imported as a
table has every id many times: read whole, its first thread of a million rows was built before it was refused.
Replies by parent text (``table_text_links``), or by id and text, are refused alike: an id twice or a comment its
own parent as the rows are added, else the cycle their places form.
"""

from __future__ import annotations

import marshal
from collections.abc import Collection, Iterator
from operator import itemgetter

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.table_parents import ParentRows
from moderator.core.importing.formats.table_text_links import TextLinks
from moderator.core.importing.sources.spill import BATCH, Spill

_IDS = "CREATE TABLE id_rows (item INTEGER PRIMARY KEY, thread TEXT NOT NULL, ext TEXT NOT NULL, line INTEGER)"
# Each id's second row (n = 2) is where it is refused, naming its first: the earliest such row of the earliest thread.
_FIRST = (
    "SELECT d.thread, d.ext, d.line, d.first FROM (SELECT thread, ext, line, item, first_value(line) OVER w AS first, "
    "row_number() OVER w AS n FROM id_rows WINDOW w AS (PARTITION BY thread, ext ORDER BY item)) d "
    "JOIN threads t ON t.key = d.thread WHERE d.n = 2 ORDER BY t.rowid, d.item LIMIT 1"
)
# In ParentRows' file (rows: thread, idx, ext, parent, line):
_INDEXES = (
    "CREATE INDEX IF NOT EXISTS rows_by_ext ON rows (thread, ext)",
    "CREATE INDEX IF NOT EXISTS rows_parent ON rows (thread, parent)",
)
# The threads that may be refused: an id twice, or a row whose parent is at or after it (no cycle without one).
_SUSPECTS = (
    "CREATE TABLE suspects (thread TEXT PRIMARY KEY) WITHOUT ROWID",
    "INSERT INTO suspects SELECT r.thread FROM rows r JOIN rows p ON p.thread = r.thread AND p.ext = r.parent "
    "WHERE p.idx >= r.idx UNION SELECT thread FROM rows WHERE ext IS NOT NULL GROUP BY thread, ext HAVING count(*) > 1",
)
_TWICE = (
    "SELECT r.idx, r.ext, r.line, (SELECT f.line FROM rows f WHERE f.thread = r.thread AND f.ext = r.ext ORDER BY f.idx LIMIT 1) "
    "FROM rows r WHERE r.thread = ? AND r.ext IS NOT NULL "
    "AND EXISTS (SELECT 1 FROM rows e WHERE e.thread = r.thread AND e.ext = r.ext AND e.idx < r.idx) ORDER BY r.idx LIMIT 1"
)
_OWN = "SELECT idx, line, ext FROM rows WHERE thread = ? AND parent = ext ORDER BY idx LIMIT 1"
# The thread's first row that no walk down from its top-level rows reaches (ids distinct: each row at most once).
_UNREACHED = """
WITH RECURSIVE walk (idx, ext) AS (
    SELECT r.idx, r.ext FROM rows r
    WHERE r.thread = :t AND (r.parent IS NULL OR NOT EXISTS (SELECT 1 FROM rows p WHERE p.thread = :t AND p.ext = r.parent))
    UNION ALL
    SELECT c.idx, c.ext FROM walk w JOIN rows c INDEXED BY rows_parent ON c.thread = :t AND c.parent = w.ext
)
SELECT min(idx) FROM rows WHERE thread = :t AND idx NOT IN (SELECT idx FROM walk)
"""
_UP = "SELECT p.idx FROM rows r JOIN rows p ON p.thread = r.thread AND p.ext = r.parent WHERE r.thread = ? AND r.idx = ?"
_ROW = "SELECT ext, line FROM rows WHERE thread = ? AND idx = ?"
# A text-linked table's first row naming its own id as its parent's (table_text_links' text_rows).
_OWN_TEXTS = (
    "SELECT r.thread, r.ext, i.line FROM text_rows r JOIN threads t ON t.key = r.thread JOIN items i ON i.rowid = r.item "
    "WHERE r.parent_id = r.ext ORDER BY t.rowid, r.item LIMIT 1"
)
# A text-linked thread's entry (table_text_links) as its row: in a cycle, never a context no row filled.
_ENTRY_ROW = "SELECT i.line, i.data FROM entries e JOIN items i ON i.rowid = e.item WHERE e.thread = ? AND e.pos = ?"


def first_duplicate(name: str, spill: Spill, thread_at: int | None, ids_at: int) -> ImportFailure | None:
    """For a table with no parent column staged in ``spill`` (file ``name``): the first id given twice in a thread."""
    found = first_twice(spill, thread_at, ids_at)
    return None if found is None else _twice(name, *found[1:])


def first_twice(spill: Spill, thread_at: int | None, ids_at: int) -> tuple[str, str, int, int] | None:
    """(thread, id, line, its first line) of the first id given twice in a thread, in thread order."""
    db = spill.db
    db.execute(_IDS)
    batch: list[tuple[int, str, str, int | None]] = []
    for item, line, row in spill.numbered():
        ext = row[ids_at].strip()
        if ext:  # a row without an id is never a duplicate
            batch.append((item, row[thread_at].strip() if thread_at is not None else "", ext, line))
        if len(batch) >= BATCH:
            db.executemany("INSERT INTO id_rows VALUES (?, ?, ?, ?)", batch)
            batch = []
    db.executemany("INSERT INTO id_rows VALUES (?, ?, ?, ?)", batch)
    found = db.execute(_FIRST).fetchone()
    db.execute("DROP TABLE id_rows")
    return found


def first_unlinked(name: str, spill: Spill, parents: ParentRows) -> ImportFailure | None:
    """For a table linked by parent ids (``parents``, not linkable): the first thread's refusal, in thread order."""
    db = parents.db
    for thread in _suspects(spill, parents):
        twice, own = db.execute(_TWICE, (thread,)).fetchone(), db.execute(_OWN, (thread,)).fetchone()
        if twice is not None and (own is None or twice[0] <= own[0]):  # (a row's id is checked before its parent)
            return _twice(name, *twice[1:])
        if own is not None:
            return _own(name, own[2], own[1])
        start = db.execute(_UNREACHED, {"t": thread}).fetchone()[0]
        if start is not None:
            return _cycle(name, parents, thread, start)
    return None


def first_text_refusal(
    name: str, texts: TextLinks, ids_at: int | None, twice: tuple | None, own: tuple | None = None
) -> ImportFailure | None:
    """For a table linked by parent texts (``texts``), or by ids and texts: the first thread's refusal, in thread
    order, as reading it whole makes it: as its rows are added, an id given twice (``twice``, from ``first_twice``)
    or a comment its own parent (``own``, from ``first_own``), whichever row comes first; else the cycle the
    thread's replies form, each row named by its id (``ids_at``) or line."""
    spill, parents = texts.spill, texts.parents
    added = sorted((found for found in (twice, own) if found is not None), key=itemgetter(2))  # by line: row order
    for thread in _suspects(spill, parents, also={found[0] for found in added}):
        for found in added:
            if found[0] == thread:
                return _twice(name, *found[1:]) if found is twice else _own(name, *found[1:])
        start = parents.db.execute(_UNREACHED, {"t": thread}).fetchone()[0]
        if start is not None:
            rows = [spill.db.execute(_ENTRY_ROW, (thread, pos)).fetchone() for pos in _cycle_rows(parents, thread, start)]
            return _cycle_failure(name, [(_id(marshal.loads(data), ids_at), line) for line, data in rows])
    return None


def first_own(texts: TextLinks) -> tuple[str, str, int] | None:
    """(thread, id, line) of the first row, in thread order, that names its own id as its parent's."""
    return texts.db.execute(_OWN_TEXTS).fetchone()


def _suspects(spill: Spill, parents: ParentRows, also: Collection[str] = ()) -> Iterator[str]:
    """The threads, in thread order, that may be refused (``_SUSPECTS``), and those ``also``."""
    db = parents.db
    for statement in (*_INDEXES, *_SUSPECTS):
        db.execute(statement)
    for (thread,) in spill.db.execute("SELECT key FROM threads ORDER BY rowid"):
        if thread in also or db.execute("SELECT 1 FROM suspects WHERE thread = ?", (thread,)).fetchone() is not None:
            yield thread


def _id(row: list[str], at: int | None) -> str | None:
    return (row[at].strip() or None) if at is not None else None


def _twice(name: str, ext: str, line: int, first: int) -> ImportFailure:
    return ImportFailure(name, line, f"duplicate comment id {ext!r} in this thread (first on line {first})")


def _own(name: str, ext: str, line: int) -> ImportFailure:
    return ImportFailure(name, line, f"comment {ext!r} is its own parent")


def _cycle(name: str, parents: ParentRows, thread: str, start: int) -> ImportFailure:
    """The cycle above row ``start``, each row named by its id (and line)."""
    rows = [parents.db.execute(_ROW, (thread, idx)).fetchone() for idx in _cycle_rows(parents, thread, start)]
    return _cycle_failure(name, rows)


def _cycle_failure(name: str, rows: list[tuple[str | None, int]]) -> ImportFailure:
    """As ``reply_tree.cycle_failure`` names a cycle: from its first row, each by its id (or its line)."""
    path = " -> ".join(f"line {line}" if ext is None else repr(ext) for ext, line in [*rows, rows[0]])
    return ImportFailure(name, min(line for _, line in rows), f"reply cycle: {path}")


def _cycle_rows(parents: ParentRows, thread: str, start: int) -> list[int]:
    """The cycle above row ``start`` (under one: its chain of parents never ends), found without holding the chain
    (Floyd's: one step and two steps up until they meet, then up from the start and from there together until
    they meet at the cycle's first row), from that row on, as ``reply_tree.reply_depths`` meets it."""
    db = parents.db

    def up(idx: int) -> int:
        return db.execute(_UP, (thread, idx)).fetchone()[0]

    slow, fast = up(start), up(up(start))
    while slow != fast:
        slow, fast = up(slow), up(up(fast))
    entry = start
    while entry != slow:
        entry, slow = up(entry), up(slow)
    cycle, at = [entry], up(entry)
    while at != entry:
        cycle.append(at)
        at = up(at)
    return cycle
