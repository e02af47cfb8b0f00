"""The bulk path where it cannot write each thread as it is read (``bulk_stream``): on PostgreSQL, or with
threads of this format in the database already (new comments join them). The threads the reader lets
go (``jsonl.read_bulk``'s ``release``) are gathered into batches of about ``BATCH`` comments, each
written by ``write_bulk`` as the whole file would be: memory holds a batch, not the file.

Like the stream, it is the reader's ``ready``, then ``finish`` (or ``abandon``: a savepoint, for a file
read again regrouped, ``jsonl_grouped``). A reply cycle is raised at the end of the file, so a bad line
further on is the one reported, as where the file is read whole.
"""

from __future__ import annotations

from sqlalchemy import Connection

from moderator.core.importing.bulk import write_bulk
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import jsonl
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.summary import ImportSummary
from moderator.core.progress import Cancelled

BATCH = 50_000  # comments written at a time
_COUNTS = ("threads_added", "threads_existing", "comments_added", "comments_skipped", "orphans")


class BulkBatches:
    def __init__(self, conn: Connection, name: str, batch_id: int, bound: MetadataBound, cancelled: Cancelled | None):
        self.conn, self.name, self.batch_id, self.bound, self.cancelled = conn, name, batch_id, bound, cancelled
        self.savepoint = conn.begin_nested()
        self.counts = ImportSummary(name, jsonl.NAME)  # added to the import's at ``finish``
        self.pending: list[jsonl.BulkThread] = []
        self.comments = 0
        self.failure: ImportFailure | None = None

    def __call__(self, thread: jsonl.BulkThread | None) -> None:
        assert thread is not None  # (with ``release``, read_bulk raises Scattered instead)
        if self.failure is not None:
            return
        self.pending.append(thread)
        self.comments += len(thread.comments)
        if self.comments >= BATCH:
            self._write()

    def _write(self) -> None:
        threads, self.pending, self.comments = self.pending, [], 0
        if not threads or self.failure is not None:
            return
        try:
            write_bulk(self.conn, self.name, self.batch_id, threads, self.counts, lambda _f: None, self.cancelled, self.bound)
        except ImportFailure as failure:
            self.failure = failure

    def finish(self, threads: list[jsonl.BulkThread], summary: ImportSummary) -> None:
        """Write ``threads`` (those ``read_bulk`` returned: not given yet) and the rest; count it all in ``summary``."""
        for thread in threads:
            self(thread)
        self._write()
        if self.failure is not None:
            raise self.failure
        self.savepoint.commit()
        for key in _COUNTS:
            setattr(summary, key, getattr(summary, key) + getattr(self.counts, key))

    def abandon(self) -> None:
        if self.savepoint.is_active:
            self.savepoint.rollback()
