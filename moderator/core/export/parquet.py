"""Parquet export: the records of export_records, typed by one explicit Arrow schema, in row groups of
about ``ROW_GROUP`` records.

Memory stays a row group; every row has the same types (a value that does not fit fails the export
instead of writing a mixed column); the schema is also the card's ``dataset_info.features``.
"""

from __future__ import annotations

import queue
import threading
from typing import IO

from moderator.core.export.layout import arrow_value_type

# Records a row group, about: a page's 5,000 made a file of 200 groups of 70 column chunks each, whose
# writing took a third longer (1M records: 4.2 → 3.2 s of the writing thread) and a larger file.
ROW_GROUP = 25_000
# No dictionary encoding: most columns (texts, ids, times) hardly repeat, so Arrow built a dictionary
# for each and dropped it; without, the writing costs less and zstd makes the file smaller still.
WRITER = {"compression": "zstd", "use_dictionary": False}


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
    """A Parquet file written by a second thread (Arrow compresses without the GIL) while the caller
    reads and builds the next page; the record batches put are gathered into row groups of about
    ``ROW_GROUP`` records. ``put`` raises the writer's error, if any."""

    def __init__(self, out: IO[bytes], schema):
        import pyarrow.parquet as pq

        self.writer = pq.ParquetWriter(out, schema, **WRITER)
        self.pending: queue.Queue = queue.Queue(maxsize=2)
        self.failure: list[BaseException] = []
        self.worker = threading.Thread(target=self._write, name="export-parquet", daemon=True)
        self.worker.start()

    def _write(self) -> None:
        gathered: list = []
        rows = 0
        while True:
            batch = self.pending.get()
            if self.failure:
                if batch is None:
                    return
                continue  # drain, so the producer never blocks on a dead consumer
            if batch is not None:
                gathered.append(batch)
                rows += batch.num_rows
            if gathered and (batch is None or rows >= ROW_GROUP):
                try:
                    self._group(gathered, rows)
                except BaseException as exc:  # raised in the caller's thread
                    self.failure.append(exc)
                gathered, rows = [], 0
            if batch is None:
                return

    def _group(self, batches: list, rows: int) -> None:
        import pyarrow as pa

        self.writer.write_table(pa.Table.from_batches(batches), row_group_size=rows)

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
