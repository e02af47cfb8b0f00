"""The fast path of an import: a one-comment-per-line JSON Lines file straight into the database.

The import writer uses this for the bulk JSONL shape instead of building a draft per comment and inserting
through SQLAlchemy's per-row parameter processing. The rows are the same: ids are allocated in the
same order (threads in first-appearance order, then each thread's comments in file order), values go
through the columns' own bind processors (or provably identical shortcuts), so a database filled
here reads back exactly as one filled through the generic ``DraftWriter``. The guarantees are the
generic path's too: one transaction, ``path:line: reason`` errors, content hashes that make a
re-import add nothing, new comments joining an existing thread after its last one, orphans kept at
top level and counted, reply cycles refused.

Writing goes through the driver: on SQLite, INSERTs of many rows each from a second thread while the
next rows are built (``sqlite_sink``); ``COPY`` on PostgreSQL. Rows are written thread by thread (ids,
positions and parents ascending), so every index of ``comments`` is updated in one small region at a
time; in file order, where a bulk export interleaves its threads, the same inserts take about four
times as long. On SQLite, a file whose threads come one after another is mostly written while it is
still being read (``bulk_stream``), with the same rows. Here, where the inserting thread sets the pace,
an empty ``comments`` table on SQLite has its own indexes built once after the rows (``sqlite_indexes``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import DBAPIError

from moderator.core.importing.errors import ImportCancelled
from moderator.core.importing.formats import jsonl
from moderator.core.importing.keys import comment_hash, lock_comments, thread_key
from moderator.core.importing.sources.comment_bounds import MetadataBound, metadata_bytes
from moderator.core.importing.sqlite_indexes import DeferredIndexes
from moderator.core.importing.sqlite_sink import ThreadedInsertSink
from moderator.core.importing.summary import ImportSummary
from moderator.core.progress import Cancelled, Progress
from moderator.core.store import settings as project
from moderator.core.store.tables import Comment, Thread

CHUNK = 20_000  # comments per executemany on SQLite (whole threads, so a chunk may hold more)
IN_CHUNK = 500  # values per IN (...) list, well under every backend's parameter limit

# created_at values written "YYYY-MM-DDTHH:MM:SS" (or with a space), naive or UTC: the common case.
_ISO_LENGTHS = frozenset({19, 20, 25})
_UTC = frozenset({"", "Z", "+00:00"})
_ISO_MARKS = frozenset({"--T::", "-- ::"})  # the characters at 4, 7, 10, 13 and 16

THREAD_COLUMNS = (
    "id", "batch_id", "source", "external_id", "title", "url", "dateline", "published_at", "image_credit", "article", "meta",
    "content_hash",
)  # fmt: skip
COLUMNS = (
    "id", "thread_id", "external_id", "parent_id", "position", "depth", "author", "author_key", "text", "created_at",
    "content_hash", "meta",
)  # fmt: skip

INSERT_THREADS = f"INSERT INTO threads ({', '.join(THREAD_COLUMNS)}) VALUES "
INSERT_COMMENTS = f"INSERT INTO comments ({', '.join(COLUMNS)}) VALUES "


def write_bulk(
    conn: Connection,
    name: str,
    batch_id: int,
    threads: Sequence[jsonl.BulkThread],
    summary: ImportSummary,
    progress: Progress,
    cancelled: Cancelled | None = None,
    bound: MetadataBound | None = None,
) -> None:
    """Insert the threads and comments of a bulk file read by ``jsonl.read_bulk`` (progress 0..1).

    ``bound``: the one that cut the comments' metadata as they were read, to cut (and count) again what
    the writer adds to metadata already at the bound (a missing parent's id), as the draft path would.
    """
    secret = project.author_key_secret(conn)
    lock_comments(conn)
    next_id = (conn.scalar(select(func.max(Comment.id))) or 0) + 1
    keys = [thread_key(jsonl.NAME, t.external_id, t.title, t.url, t.article) for t in threads]
    thread_ids = _existing_threads(conn, keys)
    present = _existing_comments(conn, list(thread_ids.values()))  # every read happens before the writing starts
    fresh = [i for i, key in enumerate(keys) if key not in thread_ids]
    rows_of = _Rows(conn, secret, bound)
    if fresh:
        if conn.dialect.name == "sqlite":
            # SQLite gives a new row max(id) + 1, and the write lock is held (BEGIN IMMEDIATE): the
            # same ids, in one executemany instead of an INSERT ... RETURNING per row.
            first = (conn.scalar(select(func.max(Thread.id))) or 0) + 1
            to_json = rows_of.to_json
            conn.exec_driver_sql(
                f"INSERT INTO threads ({', '.join(THREAD_COLUMNS)}) VALUES ({', '.join('?' * len(THREAD_COLUMNS))})",
                [(first + n, *_thread_row(threads[i], keys[i], batch_id, to_json)) for n, i in enumerate(fresh)],
            )
            new_ids: Iterable[int] = range(first, first + len(fresh))
        else:
            rows = [dict(zip(THREAD_COLUMNS[1:], _thread_row(threads[i], keys[i], batch_id))) for i in fresh]
            new_ids = conn.execute(insert(Thread).returning(Thread.id, sort_by_parameter_order=True), rows).scalars()
        for i, thread_id in zip(fresh, new_ids):
            thread_ids[keys[i]] = thread_id
    summary.threads_added += len(fresh)
    summary.threads_existing += len(threads) - len(fresh)

    total = sum(len(t.comments) for t in threads) or 1
    done = 0
    indexes = DeferredIndexes(conn)
    indexes.set_aside()
    with _sink(conn) as sink:
        for thread, key in zip(threads, keys):
            thread_id = thread_ids[key]
            known = present.get(thread_id)
            if known is None:
                rows = rows_of.new_thread(name, thread, key, thread_id, next_id)
            else:
                rows = rows_of.existing_thread(name, thread, key, thread_id, next_id, *known)
            next_id += len(rows)
            summary.comments_added += len(rows)
            summary.comments_skipped += len(thread.comments) - len(rows)
            sink.add(rows)
            done += len(thread.comments)
            if sink.pending >= CHUNK:
                if cancelled is not None and cancelled():
                    raise ImportCancelled()
                sink.flush()
                progress(done / total)
    indexes.restore()
    summary.orphans += rows_of.orphans
    if bound is not None:
        bound.dropped += rows_of.cut
    progress(1.0)


def _existing_threads(conn: Connection, keys: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(keys), IN_CHUNK):
        chunk = keys[start : start + IN_CHUNK]
        found.update(conn.execute(select(Thread.content_hash, Thread.id).where(Thread.content_hash.in_(chunk))).all())
    return found


def _existing_comments(conn: Connection, thread_ids: list[int]) -> dict[int, tuple[dict[str, int], int]]:
    """For threads already in the database: their comments' ids by content hash, and the next position."""
    found: dict[int, tuple[dict[str, int], int]] = {t: ({}, 0) for t in thread_ids}
    for start in range(0, len(thread_ids), IN_CHUNK):
        chunk = thread_ids[start : start + IN_CHUNK]
        query = select(Comment.thread_id, Comment.content_hash, Comment.id, Comment.position).where(Comment.thread_id.in_(chunk))
        for thread_id, content_hash, comment_id, position in conn.execute(query):
            hashes, next_position = found[thread_id]
            hashes[content_hash] = comment_id
            if position >= next_position:
                found[thread_id] = (hashes, position + 1)
    return found


def _thread_row(thread: jsonl.BulkThread, key: str, batch_id: int, to_json: Callable[[Any], Any] | None = None) -> tuple:
    """A thread's values in ``THREAD_COLUMNS`` order after the id; ``meta`` serialised if ``to_json`` is given."""
    orphans = thread.orphans()
    meta = {"orphans": orphans} if orphans else {}
    return (
        batch_id, jsonl.NAME, thread.external_id, thread.title, thread.url, None, None, None, thread.article,
        meta if to_json is None else to_json(meta), key,
    )  # fmt: skip


class _Rows:
    """Builds comment rows as tuples in ``COLUMNS`` order, with values as the driver should get them."""

    def __init__(self, conn: Connection, secret: str, bound: MetadataBound | None = None):
        self.secret = secret
        self.bound = bound
        self.cut = 0  # missing parents' ids left out of metadata at the bound (for the bound's count)
        self.author_keys: dict[str | None, str | None] = {None: None}
        self.orphans = 0
        dialect = conn.dialect
        columns = Comment.__table__.c
        if dialect.name == "postgresql":
            # COPY takes JSON as text and timestamps as datetimes, as psycopg adapts them for INSERT.
            self.to_json: Callable[[Any], Any] = dialect._json_serializer or json.dumps  # type: ignore[attr-defined]
            self.to_time: Callable[[datetime], Any] | None = None
        else:
            self.to_json = columns.meta.type.dialect_impl(dialect).bind_processor(dialect)
            self.to_time = columns.created_at.type.dialect_impl(dialect).bind_processor(dialect)
        # Shortcuts, used only when they give exactly what the processors give.
        self.plain_meta = self.to_json({"source_line": 12}) == '{"source_line": 12}'
        probes = [datetime(2001, 2, 3, 4, 5, 6, us, tz) for us in (0, 789) for tz in (None, UTC)]
        self.iso_slice = self.to_time is not None and all(self.to_time(m) == _sqlite_time(m) for m in probes)

    def stored_time(self, raw: str | int | float) -> Any:
        """``created_at`` as the column's bind processor stores it (checked by the reader already)."""
        if self.iso_slice and type(raw) is str and len(raw) in _ISO_LENGTHS and raw[19:] in _UTC and raw[4:17:3] in _ISO_MARKS:
            return f"{raw[:10]} {raw[11:19]}.000000"
        moment = jsonl.when(raw)
        if self.iso_slice:
            return _sqlite_time(moment)
        return moment if self.to_time is None else self.to_time(moment)

    def author_key(self, author: str | None) -> str | None:
        key = self.author_keys.get(author)
        if key is None and author is not None:
            key = self.author_keys[author] = project.author_key(self.secret, author)
        return key

    def meta(self, line: int, extra: dict[str, Any] | None, missing_parent: str | None) -> Any:
        if extra is None and missing_parent is None and self.plain_meta:
            return f'{{"source_line": {line}}}'
        # As the generic writer builds it: the unknown keys, the missing parent, then the line.
        meta = dict(extra) if extra else {}
        if missing_parent is not None:
            meta["missing_parent_id"] = missing_parent
            bound = self.bound
            if extra and bound is not None and (len(meta) > bound.keys or metadata_bytes(meta) > bound.size):
                del meta["missing_parent_id"]  # past the bound, as the draft path's own cut leaves it out
                self.cut += 1
        meta.setdefault("source_line", line)
        return self.to_json(meta)

    def new_thread(self, name: str, thread: jsonl.BulkThread, key: str, thread_id: int, first_id: int) -> list[tuple]:
        """Rows for every comment of a thread new to the database; ids ``first_id`` onwards in file order.

        One pass for the usual file, where every parent comes before its replies (so there can be no
        cycle and a reply's depth is its parent's plus one); a reply before its parent sends the
        thread through ``_linked_thread`` instead. This loop runs once per comment of a big file.
        """
        ids = thread.ids
        get_author_key = self.author_keys.get
        # comment_hash's BLAKE2b with the thread's key already fed in: a copy per comment costs half of
        # a new hash object (whose keyword arguments are parsed every time), and the digest is the same.
        seeded = hashlib.blake2b((key + "\x1f").encode(), digest_size=16).copy
        iso_slice = self.iso_slice
        plain_meta = self.plain_meta
        depth: list[int] = []
        rows = []
        append = rows.append
        orphans = 0
        for i, (ext, parent, author, text, created, line, extra) in enumerate(thread.comments):
            d = 0
            p = None
            if parent is not None:
                p = ids.get(parent)
                if p is None:
                    orphans += 1
                elif p < i:
                    d = depth[p] + 1
                    p += first_id
                else:
                    return self._linked_thread(name, thread, key, thread_id, first_id)
            depth.append(d)
            identity = ext if ext is not None else f"#{i}"
            digest = seeded()
            digest.update(f"{identity}\x1f{author or ''}\x1f{text}".encode())
            author_key = get_author_key(author)
            if author_key is None and author is not None:
                author_key = self.author_key(author)
            if created is not None:
                if (
                    iso_slice
                    and type(created) is str
                    and len(created) in _ISO_LENGTHS
                    and created[19:] in _UTC
                    and created[4:17:3] in _ISO_MARKS
                ):
                    created = f"{created[:10]} {created[11:19]}.000000"  # as stored_time() would, inline
                else:
                    created = self.stored_time(created)
            if extra is None and plain_meta and (parent is None or p is not None):
                stored_meta = f'{{"source_line": {line}}}'
            else:
                stored_meta = self.meta(line, extra, parent if p is None else None)
            append((first_id + i, thread_id, ext, p, i, d, author, author_key, text, created, digest.hexdigest(), stored_meta))
        self.orphans += orphans
        return rows

    def _linked_thread(self, name: str, thread: jsonl.BulkThread, key: str, thread_id: int, first_id: int) -> list[tuple]:
        """``new_thread`` for a thread with a reply before its parent: link first (refusing cycles)."""
        parents, depth = thread.link(name)
        rows = []
        for i, (ext, parent, author, text, created, line, extra) in enumerate(thread.comments):
            p = parents[i]
            if parent is not None and p is None:
                self.orphans += 1
            rows.append(
                (
                    first_id + i, thread_id, ext, None if p is None else first_id + p, i, depth[i], author,
                    self.author_key(author), text, None if created is None else self.stored_time(created),
                    comment_hash(key, ext if ext is not None else f"#{i}", author, text),
                    self.meta(line, extra, parent if p is None else None),
                )
            )  # fmt: skip
        rows.sort(key=lambda row: row[5])  # parents are inserted before their replies
        return rows

    def existing_thread(
        self,
        name: str,
        thread: jsonl.BulkThread,
        key: str,
        thread_id: int,
        first_id: int,
        present: dict[str, int],
        next_position: int,
    ) -> list[tuple]:
        """Rows for the comments not yet in a thread already in the database, after its last one."""
        parents, depth = thread.link(name)
        comments = thread.comments
        hashes = [
            comment_hash(key, ext if ext is not None else f"#{i}", author, text)
            for i, (ext, _, author, text, *_) in enumerate(comments)
        ]
        ids: list[int] = []
        new: list[int] = []
        for i, digest in enumerate(hashes):
            if digest in present:
                ids.append(present[digest])
            else:
                ids.append(first_id + len(new))
                new.append(i)
        rows = []
        for n, i in enumerate(new):
            ext, parent, author, text, created, line, extra = comments[i]
            p = parents[i]
            if parent is not None and p is None:
                self.orphans += 1
            rows.append(
                (
                    ids[i], thread_id, ext, None if p is None else ids[p], next_position + n, depth[i], author,
                    self.author_key(author),
                    text, None if created is None else self.stored_time(created), hashes[i],
                    self.meta(line, extra, parent if p is None else None),
                )
            )  # fmt: skip
        rows.sort(key=lambda row: row[5])
        return rows


def _sqlite_time(moment: datetime) -> str:
    """SQLAlchemy's SQLite DATETIME storage format, without its per-value dict (used once checked equal)."""
    return "%04d-%02d-%02d %02d:%02d:%02d.%06d" % (  # noqa: UP031  (the fastest way, a million times)
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second, moment.microsecond,
    )  # fmt: skip


def _sink(conn: Connection) -> ThreadedInsertSink | _CopySink:
    return _CopySink(conn) if conn.dialect.name == "postgresql" else ThreadedInsertSink(conn, (INSERT_COMMENTS, len(COLUMNS)))


class _CopySink:
    """Rows streamed into one ``COPY comments FROM STDIN`` (PostgreSQL, psycopg 3).

    One statement for all rows: the server checks foreign keys at its end, and psycopg sends the
    rows while the next ones are built.
    """

    def __init__(self, conn: Connection):
        self.conn = conn
        self.sql = f"COPY comments ({', '.join(COLUMNS)}) FROM STDIN"
        self.cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        self.copy = None
        self.pending = 0  # rows since the last flush(), for progress

    def add(self, rows: list[tuple]) -> None:
        write_row = self.copy.write_row  # type: ignore[union-attr]
        for row in rows:
            write_row(row)
        self.pending += len(rows)

    def flush(self) -> None:
        self.pending = 0

    def __enter__(self) -> _CopySink:
        try:
            self.context = self.cursor.copy(self.sql)  # kept: dropping it would end the copy
            self.copy = self.context.__enter__()
        except self.conn.dialect.loaded_dbapi.Error as exc:
            raise self._wrap(exc) from exc
        return self

    def __exit__(self, kind, error, traceback) -> None:
        try:
            self.context.__exit__(kind, error, traceback)
        except self.conn.dialect.loaded_dbapi.Error as exc:
            if kind is None:  # else the error that stopped the copy is the one to report
                raise self._wrap(exc) from exc
        finally:
            self.cursor.close()

    def _wrap(self, exc: Exception) -> DBAPIError:
        """The driver's error as SQLAlchemy's (IntegrityError, ...), as from any other statement."""
        return DBAPIError.instance(self.sql, None, exc, self.conn.dialect.loaded_dbapi.Error, dialect=self.conn.dialect)
