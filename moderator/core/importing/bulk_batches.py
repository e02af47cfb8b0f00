"""The bulk path where it cannot write each thread as it is read (``bulk_stream``): on PostgreSQL, or with
threads of this format in the database already (new comments join them). The threads the reader lets
go (``jsonl.read_bulk``'s ``ready``) are gathered into batches of about ``BATCH`` comments, each
written by ``write_bulk`` as the whole file would be: memory holds a batch, not the file.

Like the stream, it is the reader's ``ready``, then ``finish`` (or ``abandon``), with the same savepoint
and failures (``bulk_ready``).
"""

from __future__ import annotations

from sqlalchemy import Connection

from moderator.core.importing.bulk import write_bulk
from moderator.core.importing.bulk_ready import ThreadsAsRead
from moderator.core.importing.formats import jsonl
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.summary import ImportSummary
from moderator.core.progress import Cancelled

BATCH = 50_000  # comments written at a time
_COUNTS = ("threads_added", "threads_existing", "comments_added", "comments_skipped", "orphans")


class BulkBatches(ThreadsAsRead):
    def __init__(self, conn: Connection, name: str, batch_id: int, bound: MetadataBound, cancelled: Cancelled | None):
        super().__init__(conn)
        self.conn, self.name, self.batch_id, self.bound, self.cancelled = conn, name, batch_id, bound, cancelled
        self.counts = ImportSummary(name, jsonl.NAME)  # added to the import's at ``finish``
        self.pending: list[jsonl.BulkThread] = []
        self.comments = 0

    def take(self, thread: jsonl.BulkThread) -> None:
        self.pending.append(thread)
        self.comments += len(thread.comments)
        if self.comments >= BATCH:
            self._write()

    def _write(self) -> None:
        threads, self.pending, self.comments = self.pending, [], 0
        if threads:
            write_bulk(self.conn, self.name, self.batch_id, threads, self.counts, lambda _f: None, self.cancelled, self.bound)

    def finish(self, threads: list[jsonl.BulkThread], summary: ImportSummary) -> None:
        """Write ``threads`` (those ``read_bulk`` returned: not given yet) and the rest; count it all in ``summary``."""
        self.written(threads, last=self._write)
        self.savepoint.commit()
        for key in _COUNTS:
            setattr(summary, key, getattr(summary, key) + getattr(self.counts, key))
