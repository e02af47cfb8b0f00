"""Parquet export: the records of export_records, typed by one explicit Arrow schema, a row group a page.

Memory stays one page; every row has the same types (a value that does not fit fails the export
instead of writing a mixed column); the schema is also the card's ``dataset_info.features``.
"""

from __future__ import annotations

import queue
import threading
from typing import IO

from moderator.core.export.layout import arrow_value_type


def arrow_schema(export):
    import pyarrow as pa

    text, i64, f64 = pa.string(), pa.int64(), pa.float64()
    when = pa.timestamp("us", tz="UTC")
    head = [
        ("thread_id", i64), ("thread_external_id", text), ("thread_title", text), ("thread_url", text),
        ("comment_id", i64), ("external_id", text), ("parent_id", i64), ("parent_text", text), ("position", i64),
        ("depth", i64), ("text", text), ("created_at", when), ("source_status", text), ("author", text),
        ("author_key", text),
    ]  # fmt: skip
    spans = pa.list_(pa.struct([("start", i64), ("end", i64), ("question", text)]))
    annotation = [("annotation_id", i64), ("annotator", text), ("status", text), ("submitted_at", when), ("duration_ms", i64),
                  ("skip_reason", text)]  # fmt: skip
    values = [(c.id, arrow_value_type(c)) for c in export.columns]
    if export.level == "annotation":
        from moderator.core.export.records import value_names

        named = [(name, t) for name, (_, t) in zip(value_names(export.columns), values)]
        return pa.schema([*head, *annotation, ("spans", spans), *named])
    quotes = pa.list_(pa.struct([("start", i64), ("end", i64), ("source", text), ("comment_id", i64),
                                 ("source_start", i64), ("source_end", i64)]))  # fmt: skip
    labels = pa.list_(pa.struct([*annotation, ("values", pa.struct(values)), ("spans", spans)]))
    fields = [*head, ("quotes", quotes), ("annotations", labels)]
    if export.sees_all:
        choice = [c for c in export.columns if c.choice]
        majority = pa.struct([(c.id, arrow_value_type(c)) for c in choice])
        soft = pa.struct([(c.id, pa.struct([(str(o), f64) for o in c.options])) for c in choice])
        fields += [("majority", majority), ("soft_labels", soft), ("gold", pa.struct(values))]
    assert [name for name, _ in fields] == export.fields
    return pa.schema(fields)


class RowGroups:
    """A Parquet file written a row group per record batch by a second thread (Arrow compresses without
    the GIL) while the caller reads and builds the next page; ``put`` raises the writer's error, if any."""

    def __init__(self, out: IO[bytes], schema):
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(out, schema, compression="zstd")
        self.pending: queue.Queue = queue.Queue(maxsize=2)
        self.failure: list[BaseException] = []
        self.worker = threading.Thread(target=self._write, name="export-parquet", daemon=True)
        self.worker.start()

    def _write(self) -> None:
        while (batch := self.pending.get()) is not None:
            if self.failure:
                continue  # drain, so the producer never blocks on a dead consumer
            try:
                self.writer.write_batch(batch)
            except BaseException as exc:  # raised in the caller's thread
                self.failure.append(exc)

    def put(self, batch) -> None:
        if self.failure:
            raise self.failure[0]
        self.pending.put(batch)

    def close(self) -> None:
        """Wait for the row groups queued, then write the footer (not when a row group failed)."""
        self.pending.put(None)
        self.worker.join()
        if self.failure:
            raise self.failure[0]
        self.writer.close()

    def abort(self) -> None:
        """Stop without a footer (the file is being thrown away)."""
        self.failure.append(RuntimeError("export stopped"))  # the worker drains what is queued
        self.pending.put(None)
        self.worker.join()
        try:
            self.writer.close()
        except Exception:  # the file is being thrown away
            pass


def write_parquet(export, out: IO[bytes], progress=None) -> int:
    """One record batch per page, one row group each (RowGroups)."""
    from moderator.core.export.arrow import record_batch

    schema = arrow_schema(export)
    groups = RowGroups(out, schema)
    count = 0
    try:
        for page in export.pages(progress, columns=True):
            batch = record_batch(export.builder, schema, page, export.level)
            if batch.num_rows:
                groups.put(batch)
                count += batch.num_rows
    except BaseException:
        groups.abort()
        raise
    groups.close()
    return count
