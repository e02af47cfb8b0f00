"""The second process of a parallel export (parallel.py): whole chunks of threads into a part file.

It reads in its own transaction, made the parent's snapshot (PostgreSQL) or checked by the parent to be
the same one (SQLite), and claims chunks from the counter it shares with the parent, lowest first. A
chunk's records go to the part file (JSONL as written; Parquet as an Arrow IPC stream of the chunk's
batches), and the parent is told where they are, with what scrubbing counted in them. Chunks start at
thread boundaries, so scrub placeholders, numbered per thread, are the ones the parent would have given.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Any

from moderator.core.export.layout import LabelColumn
from moderator.core.export.ordered import STOP, OrderedWriter, Stopped, peek
from moderator.core.export.pages import Page, range_pages, reader, transaction
from moderator.core.export.pseudonyms import AnnotatorPseudonyms, Pseudonyms
from moderator.core.export.records import LineBuilder
from moderator.core.export.scrub import Scrubber, ScrubCounts

# Read by the part process first thing: its snapshot is taken then (SQLite takes it at the first read).
FIRST_READ = "SELECT id FROM comments LIMIT 1"


@dataclass
class Setup:
    """What a part process needs to make the records its parent would (picklable)."""

    url: Any  # the parent engine's URL
    fmt: str
    level: str
    annotator_id: int | None
    sees_all: bool
    columns: list[LabelColumn]
    fields: list[str]
    secret: str
    keep_authors: bool
    keep_annotators: bool
    scrub: bool
    bounds: list[int]  # chunk i: bounds[i] <= thread id < bounds[i + 1]
    output: str  # the file being written (JSONL: the part process writes its chunks into it)
    part: str  # Parquet: the part process's file of Arrow IPC streams
    snapshot: str | None = None  # PostgreSQL: the parent's exported snapshot


def make_builder(setup: Setup, counts: ScrubCounts | None = None) -> LineBuilder:
    return LineBuilder(
        setup.columns, Pseudonyms(setup.secret), AnnotatorPseudonyms(setup.secret, keep=setup.keep_annotators),
        keep_authors=setup.keep_authors, sees_all=setup.sees_all, scrubber=Scrubber(counts) if setup.scrub else None,
    )  # fmt: skip


class JsonlCodec:
    """A page as the bytes of its JSON lines, which the two processes write into the file themselves."""

    columns = False

    def __init__(self, setup: Setup, builder: LineBuilder):
        self.builder, self.level = builder, setup.level

    def encode(self, page: Page) -> tuple[bytes, int]:
        lines = list(self.builder.lines(page, self.level))
        return "".join(lines).encode("utf-8"), len(lines)


class ParquetCodec:
    """A page as an Arrow record batch (None when empty); the part process's chunks go to its part file as
    Arrow IPC streams, and the parent writes them into its Parquet file."""

    columns = True

    def __init__(self, setup: Setup, builder: LineBuilder):
        from moderator.core.export.parquet import arrow_schema

        self.builder, self.level = builder, setup.level
        self.schema = arrow_schema(setup)

    def encode(self, page: Page) -> tuple[Any, int]:
        from moderator.core.export.arrow import record_batch

        batch = record_batch(self.builder, self.schema, page, self.level)
        return (batch if batch.num_rows else None), batch.num_rows


def codec(setup: Setup, builder: LineBuilder):
    return ParquetCodec(setup, builder) if setup.fmt == "parquet" else JsonlCodec(setup, builder)


def claim(counter, count: int) -> int | None:
    """The next chunk nobody has taken, or None."""
    with counter.get_lock():
        taken = counter.value
        if taken >= count:
            return None
        counter.value = taken + 1
        return taken


def run_part(setup: Setup, counter, state, pipe) -> None:
    """The part process's main. Messages to the parent: ("ready",) once its snapshot is taken,
    ("progress", comments), ("chunk", index, records, ScrubCounts, where) when a chunk is made (``where``:
    (offset, length) of a Parquet chunk's IPC stream in the part file), ("done",) or ("error", traceback)."""
    try:
        _run(setup, counter, state, pipe)
        pipe.send(("done",))
    except Stopped:
        pass
    except BaseException:
        pipe.send(("error", traceback.format_exc()))
    finally:
        pipe.close()


def _run(setup: Setup, counter, state, pipe) -> None:
    from moderator.core.store.engine import make_engine

    engine = make_engine(setup.url)
    try:
        with transaction(engine, setup.snapshot) as cursor:
            cursor.execute(FIRST_READ)
            cursor.fetchall()
            pipe.send(("ready",))
            builder = make_builder(setup)
            encoder = codec(setup, builder)
            sql = reader(cursor, setup.annotator_id, columns=encoder.columns, texts=setup.scrub and not encoder.columns)
            if setup.fmt == "parquet":
                _parquet_chunks(setup, counter, state, pipe, cursor, sql, encoder)
            else:
                _jsonl_chunks(setup, counter, state, pipe, cursor, sql, encoder)
    finally:
        engine.dispose()


def _chunk_counts(builder: LineBuilder) -> ScrubCounts:
    """Fresh counts for the next chunk (its threads start their own thread scrubbers, which take these)."""
    counts = ScrubCounts()
    if builder.scrubber is not None:
        builder.scrubber.counts = counts
    return counts


def _jsonl_chunks(setup: Setup, counter, state, pipe, cursor, sql, encoder: JsonlCodec) -> None:
    fd = os.open(setup.output, os.O_WRONLY)
    try:
        writer = OrderedWriter(state, fd, gated=True)
        while (index := claim(counter, len(setup.bounds) - 1)) is not None:
            counts, records = _chunk_counts(encoder.builder), 0
            for page in range_pages(cursor, sql, setup.bounds[index], setup.bounds[index + 1]):
                data, rows = encoder.encode(page)
                writer.add(index, data)
                records += rows
                pipe.send(("progress", len(page.comments)))
            writer.allowed()  # raises Stopped when asked to stop
            pipe.send(("chunk", index, records, counts, None))  # before the chunk can count as written
            writer.finish(index)
        writer.wait()
    finally:
        os.close(fd)


def _parquet_chunks(setup: Setup, counter, state, pipe, cursor, sql, encoder: ParquetCodec) -> None:
    import pyarrow as pa

    with pa.OSFile(setup.part, "wb") as out:
        while (index := claim(counter, len(setup.bounds) - 1)) is not None:
            counts, records, start = _chunk_counts(encoder.builder), 0, out.tell()
            with pa.ipc.new_stream(out, encoder.schema) as stream:
                for page in range_pages(cursor, sql, setup.bounds[index], setup.bounds[index + 1]):
                    batch, rows = encoder.encode(page)
                    if batch is not None:
                        stream.write_batch(batch)
                    records += rows
                    pipe.send(("progress", len(page.comments)))
                    if peek(state, STOP):
                        raise Stopped()
            out.flush()
            pipe.send(("chunk", index, records, counts, (start, out.tell() - start)))
