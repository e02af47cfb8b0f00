"""Read what an export needs in thread order, as plain driver tuples, one keyset page at a time.

No ORM objects and no SQLAlchemy result processing per row: at a million annotations those cost more
than the queries. Each page is (thread_id, position) keyset-paged comments with their thread and
parent joined, then the page's current annotations in one query (a range scan on comment id
when the page's ids are contiguous, as bulk imports make them), its quotes and its gold labels.

The annotations come as plain columns, not JSON: what repeats over a million of them (schema, values,
spans, status, annotator) is one slice of the row, which the export turns into JSON once (records.py);
concatenating or encoding it in SQL cost more than that.

``range_pages`` reads a run of whole threads (thread_id from ``first`` up to ``until``) through a cursor of
``transaction``: a parallel export (parallel.py) reads its chunks so, all of them in one snapshot.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from sqlalchemy import Engine

from moderator.core.labelling.context import SOURCE_STATUSES

PAGE = 5000
NO_THREAD = 2**63 - 1  # above every thread id: no upper bound

# comment tuple: (id, thread_id, position, author, JSON object of the comment's own fields and context),
# and with ``texts`` its parent id and text once more (to scrub them: scrub.py; the parent's text, rarely
# needed there, is read from the JSON object); or with ``columns``: (id, thread_id, position, author, *HEAD_COLUMNS),
# its times (and its annotations') as UTC text without the zone, "YYYY-MM-DD HH:MM:SS.ffffff": SQLite's own, for
# Arrow to parse (layout.utc_times); building ISO 8601 in SQL was a tenth of a Parquet export's reading
C_ID, C_THREAD, C_POS, C_AUTHOR, C_JSON = range(5)
C_PARENT, C_TEXT = range(5, 7)
HEAD_COLUMNS = (
    "thread_external_id", "thread_title", "thread_url", "external_id", "parent_id", "parent_text", "depth", "text",
    "created_at", "source_status",
)  # fmt: skip
# annotation tuple: (comment_id, annotation id, schema_id, values JSON text, spans JSON text, status, annotator
# name, submitted_at, duration_ms, provenance JSON text). The name travels apart: an export shows a pseudonym in
# its place. Its slice [A_SCHEMA:A_SUBMITTED] is what repeats: the export's memo key for its JSON. Provenance is
# read only where it is shown (the perspectivist long table; else None): real labels each carry their own, which
# other formats would read a million times for nothing (about 0.5 s of SQLite's CPU a million).
A_COMMENT, A_ID, A_SCHEMA, A_VALUES, A_SPANS, A_STATUS, A_ANNOTATOR, A_SUBMITTED, A_DURATION, A_PROVENANCE = range(10)
_by_id = itemgetter(A_ID)

# The database builds each row's JSON object in C (json_object / json_build_object): encoding a
# million small dicts in Python was most of an export's time. Times are ISO 8601 in UTC.
_COMMENTS = """
SELECT c.id, c.thread_id, c.position, c.author, {obj}(
    'thread_id', c.thread_id, 'thread_external_id', t.external_id, 'thread_title', t.title, 'thread_url', t.url,
    'comment_id', c.id, 'external_id', c.external_id, 'parent_id', c.parent_id, 'parent_text', p.text,
    'position', c.position, 'depth', c.depth, 'text', c.text, 'created_at', {created},
    'source_status', {source_status}){as_text}{texts}
FROM comments c JOIN threads t ON t.id = c.thread_id LEFT JOIN comments p ON p.id = c.parent_id
WHERE (c.thread_id, c.position) > (?, ?) AND c.thread_id < ?
ORDER BY c.thread_id, c.position LIMIT ?
"""
_COMMENT_COLUMNS = """
SELECT c.id, c.thread_id, c.position, c.author, t.external_id, t.title, t.url, c.external_id, c.parent_id, p.text,
       c.depth, c.text, {created}, {source_status}
FROM comments c JOIN threads t ON t.id = c.thread_id LEFT JOIN comments p ON p.id = c.parent_id
WHERE (c.thread_id, c.position) > (?, ?) AND c.thread_id < ?
ORDER BY c.thread_id, c.position LIMIT ?
"""
_ANNOTATIONS = """
SELECT a.comment_id, a.id, a.schema_id, {values}, {spans}, a.status, w.name, {submitted}, a.duration_ms, {provenance}
FROM annotations a JOIN annotators w ON w.id = a.annotator_id
WHERE {where} AND a.status != 'retracted'{mine}
"""
# Superseded annotations (an edit's earlier versions) among the page's: one range on the unique
# supersedes_id index, cheaper than asking for every row whether another supersedes it.
_SUPERSEDED = "SELECT supersedes_id FROM annotations WHERE supersedes_id BETWEEN ? AND ?"
_QUOTES = """
SELECT comment_id, start, "end", source, source_comment_id, source_start, source_end
FROM quote_spans WHERE comment_id BETWEEN ? AND ? ORDER BY comment_id, start
"""
# Chunks of whole threads for a parallel export: the threads of comments, and of annotations, at evenly
# spaced ids (imports number comments in thread order, so these split the work about evenly where it is: a
# labelled comment costs several unlabelled ones). A poor split is slower, never wrong.
_ID_RANGE = "SELECT min(id), max(id) FROM comments"
_THREAD_AT = "SELECT thread_id FROM comments WHERE id >= ? ORDER BY id LIMIT 1"
_LABEL_RANGE = "SELECT min(id), max(id) FROM annotations"
_LABEL_THREAD_AT = """
SELECT c.thread_id FROM annotations a JOIN comments c ON c.id = a.comment_id WHERE a.id >= ? ORDER BY a.id LIMIT 1
"""
# SQLite reads the file through a memory map instead of copying every page into its cache: an export's
# queries take about a tenth less CPU. Only for the export's connection, and undone after it.
MAPPED = "PRAGMA mmap_size = 1073741824"
UNMAPPED = "PRAGMA mmap_size = 0"
_GOLD = "SELECT comment_id, schema_id, {values} FROM gold_labels WHERE comment_id BETWEEN ? AND ? ORDER BY id"


def _source_status(pg: bool) -> str:
    """SQL for the comment's source status: "spam", "removed", "deleted" or NULL (an ordinary comment); a flag
    counts when it is JSON true, as the window shows it (``context.source_status``)."""
    flag = (lambda key: f"(c.meta->'{key}')::text = 'true'") if pg else (lambda key: f"json_type(c.meta, '$.{key}') = 'true'")
    status = "CASE " + " ".join(f"WHEN {flag(key)} THEN '{key}'" for key in SOURCE_STATUSES) + " END"
    if pg:
        return status
    # SQLite parses the JSON again for each flag: only when a true is there at all (most metadata has none).
    return f"CASE WHEN instr(c.meta, 'true') THEN {status} END"


def _stored_utc(col: str) -> str:
    """PostgreSQL: a time as SQLite stores it (UTC text without the zone), as ``columns`` pages carry them."""
    return f"""to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"""


def iso_utc(stored: str) -> str:
    """A ``columns`` page's time as ISO 8601, as the JSON rows have it."""
    return f"{stored[:10]}T{stored[11:]}+00:00"


@dataclass
class Page:
    comments: list[tuple]
    annotations: dict[int, list[tuple]] = field(default_factory=dict)  # comment id → rows, oldest first
    quotes: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    gold: dict[int, tuple[int, str]] = field(default_factory=dict)  # comment id → (schema id, values JSON)


class _Sql:
    """The statements in the connection's dialect and parameter style, JSON columns read as text."""

    def __init__(self, cursor, annotator_id: int | None, columns: bool = False, texts: bool = False, provenance: bool = False):
        self.pg = not isinstance(cursor, sqlite3.Cursor)
        self.annotator_id = annotator_id
        if self.pg:
            as_text = lambda col: f"CAST({col} AS TEXT)"  # noqa: E731
            iso = lambda col: f"""to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""  # noqa: E731
            obj, suffix = "json_build_object", "::text"
        else:  # SQLite stores times as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC
            as_text = lambda col: col  # noqa: E731
            iso = lambda col: f"(substr({col}, 1, 10) || 'T' || substr({col}, 12) || '+00:00')"  # noqa: E731
            obj, suffix = "json_object", ""
        comments = _COMMENT_COLUMNS if columns else _COMMENTS
        if columns:
            iso = _stored_utc if self.pg else (lambda col: col)
        self.comments = self._style(
            comments.format(
                obj=obj,
                as_text=suffix,
                created=iso("c.created_at"),
                source_status=_source_status(self.pg),
                texts=", c.parent_id, c.text" if texts else "",
            )
        )
        self.quotes = self._style(_QUOTES)
        self.superseded = self._style(_SUPERSEDED)
        self.gold = self._style(_GOLD.format(values=as_text('"values"')))
        fill = {"values": as_text('a."values"'), "spans": as_text("a.spans"), "submitted": iso("a.submitted_at"),
                "provenance": as_text("a.provenance") if provenance else "NULL",
                "mine": " AND a.annotator_id = ?" if annotator_id is not None else ""}  # fmt: skip
        self.range = self._style(_ANNOTATIONS.format(where="a.comment_id BETWEEN ? AND ?", **fill))
        in_list = "a.comment_id = ANY(?)" if self.pg else "a.comment_id IN (SELECT value FROM json_each(?))"
        self.listed = self._style(_ANNOTATIONS.format(where=in_list, **fill))

    def _style(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.pg else sql


def pages(
    engine: Engine,
    annotator_id: int | None = None,
    page_size: int = PAGE,
    columns: bool = False,
    texts: bool = False,
    provenance: bool = False,
) -> Iterator[Page]:
    """Every comment in thread order, with its current annotations (only ``annotator_id``'s when given);
    ``texts``: the JSON rows also carry their texts apart (see C_TEXT); ``provenance``: the annotations carry
    theirs (see A_PROVENANCE).

    In one transaction, so the file is one snapshot. (Reading a page ahead in a thread gained nothing:
    sqlite3 gives up the GIL for every row, and the two threads then mostly wait for each other; making
    SQLite build a page up front, as a materialized CTE, cost more CPU than the overlap saved on a busy machine.)
    """
    with transaction(engine) as cursor:
        yield from range_pages(cursor, _Sql(cursor, annotator_id, columns, texts, provenance), page_size=page_size)


@contextmanager
def transaction(engine: Engine, snapshot: str | None = None) -> Iterator[Any]:
    """A driver cursor inside one read transaction: everything read through it is one snapshot. On PostgreSQL,
    ``snapshot`` (another transaction's pg_export_snapshot()) makes it that transaction's snapshot."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            cursor = conn.connection.driver_connection.cursor()
            sqlite = isinstance(cursor, sqlite3.Cursor)
            try:
                if sqlite:
                    cursor.execute(MAPPED)
                if snapshot is not None:  # a utility statement: no bound parameters, so quoted as a literal
                    from psycopg import sql as pg_sql

                    cursor.execute(pg_sql.SQL("SET TRANSACTION SNAPSHOT {}").format(pg_sql.Literal(snapshot)))
                yield cursor
            finally:
                if sqlite:
                    with suppress(sqlite3.Error):
                        cursor.execute(UNMAPPED)  # the pooled connection goes back as it came
                cursor.close()


def reader(cursor, annotator_id: int | None, columns: bool = False, texts: bool = False) -> _Sql:
    """The statements ``range_pages`` runs through ``cursor`` (see ``pages`` for the arguments)."""
    return _Sql(cursor, annotator_id, columns, texts)


def chunk_bounds(cursor, chunks: int) -> list[int]:
    """Thread ids cutting the comments into about ``chunks`` runs of whole threads: chunk i is the threads
    bounds[i] <= thread id < bounds[i + 1] (the first bound is below every thread, the last above)."""
    style = (lambda sql: sql) if isinstance(cursor, sqlite3.Cursor) else (lambda sql: sql.replace("?", "%s"))
    cuts = set()
    for id_range, thread_at in ((_ID_RANGE, _THREAD_AT), (_LABEL_RANGE, _LABEL_THREAD_AT)):
        cursor.execute(style(id_range))
        low, high = cursor.fetchone()
        if low is not None:
            for i in range(1, chunks):
                cursor.execute(style(thread_at), (low + (high - low) * i // chunks,))
                cuts.update(thread for (thread,) in cursor.fetchall())
    return [-1, *sorted(cut for cut in cuts if cut > 0), NO_THREAD]


def contiguous(low: int, high: int, count: int) -> bool:
    """Whether a page's comment ids are (nearly) one range, as bulk imports allocate them."""
    return high - low < 2 * count


def range_pages(cursor, sql: _Sql, first: int = -1, until: int = NO_THREAD, page_size: int = PAGE) -> Iterator[Page]:
    """The pages of the threads ``first`` ≤ thread id < ``until`` (every thread by default)."""
    after = (first, -1)
    mine = (sql.annotator_id,) if sql.annotator_id is not None else ()
    while True:
        cursor.execute(sql.comments, (*after, until, page_size))
        comments = cursor.fetchall()
        if not comments:
            return
        ids = [c[C_ID] for c in comments]
        low, high = min(ids), max(ids)
        page = Page(comments)
        if contiguous(low, high, len(ids)):  # a range scan; rows of other comments are filtered out below
            cursor.execute(sql.range, (low, high, *mine))
        else:
            cursor.execute(sql.listed, ((ids if sql.pg else json.dumps(ids)), *mine))
        wanted = set(ids)
        grouped = page.annotations
        rows = cursor.fetchall()
        if rows:
            cursor.execute(sql.superseded, (min(r[A_ID] for r in rows), max(r[A_ID] for r in rows)))
            superseded = {old for (old,) in cursor.fetchall()}
            for row in rows:
                cid = row[A_COMMENT]
                if cid in wanted and (not superseded or row[A_ID] not in superseded):
                    found = grouped.get(cid)
                    if found is None:
                        grouped[cid] = [row]
                    else:
                        found.append(row)
            for labels in grouped.values():  # oldest first: sorted here, cheaper than by the database
                if len(labels) > 1:
                    labels.sort(key=_by_id)
        cursor.execute(sql.quotes, (low, high))
        for cid, start, end, source, source_id, s_start, s_end in cursor.fetchall():
            if cid in wanted:
                page.quotes.setdefault(cid, []).append(
                    {"start": start, "end": end, "source": source, "comment_id": source_id,
                     "source_start": s_start, "source_end": s_end}
                )  # fmt: skip
        cursor.execute(sql.gold, (low, high))
        for cid, schema_id, values in cursor.fetchall():
            if cid in wanted:
                page.gold[cid] = (schema_id, values)  # ordered by id: the latest decision wins
        yield page
        last = comments[-1]
        after = (last[C_THREAD], last[C_POS])
