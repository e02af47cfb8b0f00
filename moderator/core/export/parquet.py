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


def write_parquet(export, out: IO[bytes], progress=None) -> int:
    """One record batch per page, written as a row group by a second thread (Arrow compresses without
    the GIL) while the next page is read and built."""
    import pyarrow.parquet as pq

    from moderator.core.export.arrow import record_batch

    schema = arrow_schema(export)
    pending: queue.Queue = queue.Queue(maxsize=2)
    failure: list[BaseException] = []

    def write(writer) -> None:
        while (batch := pending.get()) is not None:
            if failure:
                continue  # drain, so the producer never blocks on a dead consumer
            try:
                writer.write_batch(batch)
            except BaseException as exc:  # raised in the caller's thread below
                failure.append(exc)

    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        worker = threading.Thread(target=write, args=(writer,), name="export-parquet", daemon=True)
        worker.start()
        try:
            for page in export.pages(progress, columns=True):
                if failure:
                    break
                batch = record_batch(export.builder, schema, page, export.level)
                if batch.num_rows:
                    pending.put(batch)
                    count += batch.num_rows
        finally:
            pending.put(None)
            worker.join()
    if failure:
        raise failure[0]
    return count
