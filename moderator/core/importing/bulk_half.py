"""The second process of a big bulk import (``bulk_halves``): the second half of the file into a scratch
database of its own, with the same code and the same rows as the stream (``bulk_stream``), ids from 1.

It sends back one outcome: ("ok", threads, comments, orphans, comments cut, values cut); ("line", line,
reason) for a bad line (raised at once, as the reader does); ("cycle", line, reason) for a reply cycle
(which the reader holds to the end of the file); ("scattered",) when its half cannot be read thread by
thread; ("error", text) for anything else.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from moderator.core.importing.bulk import COLUMNS, THREAD_COLUMNS
from moderator.core.importing.bulk_stream import BulkStream
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import jsonl
from moderator.core.importing.sources.comment_bounds import OWN_KEYS, MetadataBound
from moderator.core.importing.sources.json_lines import paused_gc
from moderator.core.importing.sources.source_part import SourcePart, count_lines
from moderator.core.importing.summary import ImportSummary

# The scratch tables: the columns the stream writes, with no index nor constraint to keep up (the copy
# into the project's tables checks every row there); the id is the row's own, so the copy reads in id
# order without sorting.
SCRATCH_TABLES = (
    f"CREATE TABLE threads (id INTEGER PRIMARY KEY, {', '.join(THREAD_COLUMNS[1:])})",
    f"CREATE TABLE comments (id INTEGER PRIMARY KEY, {', '.join(COLUMNS[1:])})",
)

# Rows appended to tables without an index touch a few pages at a time: SQLite's default cache will do.
SCRATCH_CACHE_KIB = 2 * 1024


@dataclass(frozen=True)
class HalfTask:
    name: str  # as errors name the file
    path: str
    encoding: str
    start: int  # byte offset of the half's first line: the first line of a thread
    end: int
    secret: str  # the project's author-key secret
    scratch: str  # the database file to write


class _Orphaned(Exception):
    """The importing process is gone (killed): so is its import."""


def run_half(task: HalfTask, done: Any, shared: Any) -> None:
    """The part process's body: ``done`` (a pipe's end) gets the outcome; ``shared`` (a double) the progress.
    Should the importing process be killed, this one stops too and removes the scratch file's folder."""
    parent = os.getppid()

    def progress(fraction: float) -> None:
        shared.value = fraction
        if os.getppid() != parent:
            raise _Orphaned()

    try:
        try:
            outcome = import_half(task, progress)
        except _Orphaned:
            raise
        except BaseException as exc:  # noqa: BLE001  (whatever it is, the parent decides)
            outcome = ("error", f"{type(exc).__name__}: {exc}")
        done.send(outcome)
        done.close()
    except (_Orphaned, BrokenPipeError):
        shutil.rmtree(Path(task.scratch).parent, ignore_errors=True)


def import_half(task: HalfTask, progress) -> tuple:
    path = Path(task.path)
    source = SourcePart(task.name, path, task.encoding, task.start, task.end, count_lines(path, task.start))
    engine = _scratch_engine(task.scratch)
    try:
        with engine.connect() as conn:
            with conn.begin(), paused_gc():
                return _read(conn, task, source, progress)
    finally:
        engine.dispose()


def _scratch_engine(scratch: str):
    """An engine on a new scratch file with its tables, whose ``begin`` is SQLite's own (as the project's)."""
    from sqlalchemy import create_engine, event

    engine = create_engine(f"sqlite:///{scratch}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        for pragma in ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF"):  # thrown away after: no journal, no sync
            dbapi_connection.execute(pragma)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")

    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        for statement in SCRATCH_TABLES:
            driver.execute(statement)
    return engine


def _read(conn, task: HalfTask, source: SourcePart, progress) -> tuple:
    bound = MetadataBound(OWN_KEYS)
    stream = BulkStream(conn, task.name, 0, bound, secret=task.secret, cache_kib=SCRATCH_CACHE_KIB)
    try:
        threads = jsonl.read_bulk(source, progress, None, bound, stream, keyed=True)
    except jsonl.Scattered:
        stream.abandon()
        return ("scattered",)
    except ImportFailure as failure:
        stream.abandon()
        return ("line", failure.line, failure.reason)
    if threads is None:  # not the shape its first line promised: let the whole file be read again
        stream.abandon()
        return ("scattered",)
    summary = ImportSummary(task.name, jsonl.NAME)
    try:
        stream.finish(threads, summary)
    except ImportFailure as failure:  # held to the end: a reply cycle
        stream.abandon()
        return ("cycle", failure.line, failure.reason)
    return ("ok", summary.threads_added, summary.comments_added, summary.orphans, bound.comments, bound.dropped)
