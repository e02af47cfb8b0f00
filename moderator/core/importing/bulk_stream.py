"""The bulk path writing while it reads: each thread of a one-comment-per-line file inserted as soon as the
reader has it complete (``jsonl.read_bulk``'s ``ready``), so SQLite inserts while Python parses, and let
go once written, so memory holds one thread, not the file.

Taken only where the rows come out exactly as the whole-file path (``bulk.write_bulk``) writes them:
on SQLite (a new thread gets max(id) + 1 there, so ids can be given before every thread is known) and
with no thread of this format in the database yet (so every thread of the file is new: none to look up,
none to add to). A file whose threads do not come one after another raises ``jsonl.Scattered`` from the
reader: the writer undoes what was written (``abandon``: a savepoint) and reads the file again, its
lines regrouped by thread on disk (``jsonl_grouped``). A failure is the whole-file path's: a reply
cycle is raised at the end of the file (a bad line further on first, ``bulk_ready``), a row refused at once.

The stream keeps the comments' indexes (unlike ``write_bulk`` into an empty table, ``sqlite_indexes``):
here they are updated by the inserting thread while this one parses, whereas building them after the
rows would add that time after the reading (about a second more at a million comments).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection, func, select

from moderator.core.importing.bulk import COLUMNS, INSERT_COMMENTS, INSERT_THREADS, THREAD_COLUMNS, _Rows, _thread_row
from moderator.core.importing.bulk_ready import ThreadsAsRead
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import jsonl
from moderator.core.importing.keys import thread_key
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.sqlite_sink import CACHE_KIB, ThreadedInsertSink
from moderator.core.importing.summary import ImportSummary
from moderator.core.store import settings as project
from moderator.core.store.tables import Comment, Thread

# Rows held before whole statements go to the inserting thread: about one statement's (sqlite_sink), as
# every row held costs memory and handing them over sooner costs nothing more.
FLUSH = 5_000


class Second(Protocol):
    """The second half of the file, from another process (``bulk_halves.SecondHalf``, its progress bound)."""

    def before_cycle(self) -> None: ...

    def finish(
        self, conn: Connection, ids: tuple[int, int], batch_id: int, summary: ImportSummary, bound: MetadataBound
    ) -> None: ...


def fits(conn: Connection) -> bool:
    """Whether the stream writes what ``write_bulk`` would: SQLite, and no thread of this format yet."""
    return conn.dialect.name == "sqlite" and conn.scalar(select(Thread.id).where(Thread.source == jsonl.NAME).limit(1)) is None


class BulkStream(ThreadsAsRead):
    """The ``ready`` of ``jsonl.read_bulk``; then ``finish`` (or ``abandon``)."""

    def __init__(
        self,
        conn: Connection,
        name: str,
        batch_id: int,
        bound: MetadataBound,
        secret: str | None = None,
        cache_kib: int = CACHE_KIB,
    ):
        """``secret``: the project's author-key secret, when ``conn`` is not the project's (``bulk_half``);
        ``cache_kib``: SQLite's page cache while inserting."""
        super().__init__(conn)
        self.conn, self.name, self.batch_id, self.bound = conn, name, batch_id, bound
        self.rows = _Rows(conn, project.author_key_secret(conn) if secret is None else secret, bound)
        self.next_id = (conn.scalar(select(func.max(Comment.id))) or 0) + 1
        self.next_thread = (conn.scalar(select(func.max(Thread.id))) or 0) + 1
        self.sink = ThreadedInsertSink(
            conn, (INSERT_THREADS, len(THREAD_COLUMNS)), (INSERT_COMMENTS, len(COLUMNS)), cache_kib=cache_kib
        )
        self.threads = 0
        self.comments = 0

    def take(self, thread: jsonl.BulkThread) -> None:
        key = thread_key(jsonl.NAME, thread.external_id, thread.title, thread.url, thread.article)
        thread_id = self.next_thread
        rows = self.rows.new_thread(self.name, thread, key, thread_id, self.next_id)  # a reply cycle raises here
        self.sink.add([(thread_id, *_thread_row(thread, key, self.batch_id, self.rows.to_json))], 0)
        self.sink.add(rows)
        self.next_thread += 1
        self.next_id += len(rows)
        self.threads += 1
        self.comments += len(rows)
        if self.sink.pending >= FLUSH:
            self.sink.flush()

    def finish(self, threads: list[jsonl.BulkThread], summary: ImportSummary, second: Second | None = None) -> None:
        """Write ``threads`` (those ``read_bulk`` returned: not given yet) and the rest; count it all in
        ``summary``. A row refused raises (call ``abandon`` then). ``second``: the second half of the file, read
        by another process (``bulk_halves``; this stream read the first), copied in after this half's rows."""
        try:
            self.written(threads)
        except ImportFailure:  # a reply cycle: the second half's bad line, if any, comes first
            if second is not None:
                second.before_cycle()
            raise
        self.sink.__exit__(None, None, None)
        if second is not None:
            second.finish(self.conn, (self.next_thread, self.next_id), self.batch_id, summary, self.bound)
        self.savepoint.commit()
        self.bound.dropped += self.rows.cut
        summary.threads_added += self.threads
        summary.comments_added += self.comments
        summary.orphans += self.rows.orphans

    def abandon(self) -> None:
        """Undo what was written (the inserting thread stopped first)."""
        self.sink.abandon()
        super().abandon()
