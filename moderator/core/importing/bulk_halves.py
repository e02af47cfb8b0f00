"""A big bulk file read by two processes (a machine's second core): the same rows as one process, sooner.

The file is cut between two threads near its middle (``split_point``). This process streams the first half
into the project (``bulk_stream``) while a part process (``bulk_half``, spawned: a fresh interpreter) reads
the second half with the same code into a scratch database of its own, ids from 1. At the end, inside the
import's transaction, SQLite copies the scratch rows in, ids shifted past the first half's: threads in
first-appearance order and comments in file order, exactly as one process numbers them.

Failures come out as one process reports them: a bad line anywhere before a reply cycle anywhere, the
first half's before the second's. A thread whose lines are in both halves, a story line in the second
half, or a part process that fails for any other reason make the whole file read again, regrouped
(``jsonl.Scattered``): slower, never different.

SQLite lets a transaction ATTACH the scratch file but not DETACH it: ``detach`` does that once the
import's transaction is over.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from moderator.core.importing.bulk import COLUMNS, THREAD_COLUMNS
from moderator.core.importing.bulk_half import HalfTask, run_half
from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.importing.formats import jsonl
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.source_part import SourcePart
from moderator.core.importing.sqlite_sink import CACHE_KIB, set_cache_size
from moderator.core.importing.summary import ImportSummary
from moderator.core.progress import Cancelled, Progress
from moderator.core.store import settings as project

# Bytes from which a second process pays: it starts in about half a second, and saves 6-24 % of the
# import's time at a million comments, 300 MB (four runs each way: 12.4-13.8 s against 14.7-16.6 s).
PARALLEL_FROM = 128 * 1024**2
SEARCH_LINES = 10_000  # lines looked at past the middle for a change of thread
LINE_CAP = 1024**2  # bytes of one line looked at there (a longer line: no split)
WAIT = 0.1  # seconds between looks at cancel while waiting for the part process
HALF = "moderator_half"  # the scratch database's name while attached

_COPY_THREADS = (
    f"INSERT INTO main.threads ({', '.join(THREAD_COLUMNS)}) SELECT id + ?, ?, {', '.join(THREAD_COLUMNS[2:])} "
    f"FROM {HALF}.threads ORDER BY id"
)
_COPY_COMMENTS = (
    f"INSERT INTO main.comments ({', '.join(COLUMNS)}) SELECT id + ?, thread_id + ?, external_id, parent_id + ?, "
    f"{', '.join(COLUMNS[4:])} FROM {HALF}.comments ORDER BY id"
)
# A thread of the second half that the first half has too (its external id: every line names its thread).
_SHARED_THREAD = (
    f"SELECT 1 FROM {HALF}.threads WHERE external_id IN "
    "(SELECT external_id FROM main.threads WHERE source = ? AND batch_id = ?) LIMIT 1"
)


def second_half(
    conn: Connection, source: SourceText, objects: Any, progress: Progress, cancelled: Cancelled | None
) -> SecondHalf | None:
    """The part process reading the second half of ``source``, started; None where one process reads it all
    (a small file, one core, a file read regrouped or from memory, no place to cut it). ``progress`` and
    ``cancelled``: the import's."""
    worth = (
        objects is None
        and conn.dialect.name == "sqlite"
        and source.path is not None
        and not source.compressed
        and source.lines_before == 0
        and source.encoding in ("utf-8", "utf-8-sig")
        and source.size >= PARALLEL_FROM
        and (os.cpu_count() or 1) > 1
        and os.name == "posix"  # the scratch file is removed while still attached
    )
    if not worth:
        return None
    try:  # (a file gone since it was checked, or no process to be had: the reader alone says what it finds)
        split = split_point(source.path, source.size, source.encoding)  # type: ignore[arg-type]
        return None if split is None else SecondHalf(conn, source, split, progress, cancelled)
    except OSError:
        return None


def split_point(path: Path, size: int, encoding: str) -> int | None:
    """The byte offset of the first line, past the middle of the file, of a thread other than the previous
    line's; None when the first line names no thread, or the lines there are not comment lines naming
    theirs by ``thread_id``."""
    with path.open("rb") as f:
        first = _object(f.readline(LINE_CAP), encoding)
        if first is None or "comments" in first or not any(first.get(key) is not None for key in jsonl.THREAD_ALIASES):
            return None  # a thread per line, or comments that may name no thread: one process
        f.seek(size // 2)
        f.readline(LINE_CAP)  # the rest of the line the middle falls in
        before = None
        for _ in range(SEARCH_LINES):
            at = f.tell()
            line = f.readline(LINE_CAP)
            if not line or at >= size:
                return None
            if line.isspace():
                continue
            thread = _thread_of(_object(line, "utf-8"))
            if thread is None:
                return None
            if before is not None and thread != before:
                return at
            before = thread
    return None


def _object(line: bytes, encoding: str) -> dict | None:
    from moderator.core.importing.sources.strict_json import DECODER

    try:
        obj = DECODER.decode(line.decode(encoding))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return obj if type(obj) is dict else None


def _thread_of(obj: dict | None) -> str | None:
    """The thread a comment line names by ``thread_id``, as ``read_bulk`` names it; None for a story or a
    thread's line, or a line naming its thread otherwise. (Should a line name another thread than read here,
    the thread is in both halves, and the file is read again regrouped: slower, never wrong.)"""
    if obj is None or "type" in obj or "comments" in obj:
        return None
    thread = obj.get("thread_id")
    return str(thread) if type(thread) is int else thread if type(thread) is str else None


class SecondHalf:
    """The part process and its scratch file: ``first`` is what this process reads; ``finish`` after it (or
    ``before_cycle``); ``close`` always."""

    def __init__(self, conn: Connection, source: SourceText, split: int, progress: Progress, cancelled: Cancelled | None):
        assert source.path is not None
        self.name, self.whole, self.cancelled = source.name, progress, cancelled
        self.first = SourcePart(source.name, source.path, source.encoding, 0, split, 0)
        self.folder = tempfile.mkdtemp(prefix="moderator-import-")
        self.scratch = os.path.join(self.folder, "half.sqlite")
        task = HalfTask(source.name, str(source.path), source.encoding, split, source.size, project.author_key_secret(conn),
                        self.scratch)  # fmt: skip
        context = multiprocessing.get_context("spawn")  # the caller may be a GUI with threads: no fork
        self.shared = context.Value("d", 0.0, lock=False)
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=run_half, args=(task, send, self.shared), name="import-second-half", daemon=True)
        try:
            self.process.start()
        except OSError:
            self.receive.close()
            shutil.rmtree(self.folder, ignore_errors=True)
            raise
        finally:
            send.close()
        self.outcome: tuple | None = None

    def progress(self, fraction: float) -> None:
        """The import's progress, from this process's reading of the first half and the part process's of the other."""
        self.whole((fraction + self.shared.value) / 2)

    def result(self) -> tuple:
        """The part process's outcome (see ``bulk_half``), waited for."""
        while self.outcome is None:
            if self.receive.poll(WAIT):
                try:
                    self.outcome = self.receive.recv()
                except EOFError:
                    self.outcome = ("error", "stopped")
            elif not self.process.is_alive() and not self.receive.poll():
                self.outcome = ("error", f"stopped with code {self.process.exitcode}")
            else:
                if self.cancelled is not None and self.cancelled():
                    raise ImportCancelled()
                self.progress(1.0)
        return self.outcome

    def before_cycle(self) -> None:
        """The first half holds a reply cycle: raise what one process would have raised before it (a bad
        line of the second half, or its lines to be read again regrouped)."""
        kind, *rest = self.result()
        if kind == "line":
            raise ImportFailure(self.name, *rest)
        if kind == "scattered":
            raise jsonl.Scattered()

    def finish(self, conn: Connection, ids: tuple[int, int], batch_id: int, summary: ImportSummary, bound: MetadataBound) -> None:
        """Copy the second half in after the first (``ids``: the next thread id and the next comment id), count
        it in ``summary`` and ``bound``; or raise what one process would have raised there."""
        kind, *rest = self.result()
        if kind == "line":
            raise ImportFailure(self.name, *rest)
        if kind in ("scattered", "error"):
            raise jsonl.Scattered()
        conn.exec_driver_sql(f"ATTACH DATABASE ? AS {HALF}", (self.scratch,))
        if conn.exec_driver_sql(_SHARED_THREAD, (jsonl.NAME, batch_id)).first() is not None:
            raise jsonl.Scattered()
        if kind == "cycle":
            raise ImportFailure(self.name, *rest)
        threads, comments, orphans, cut_comments, cut_values = rest
        thread_shift, comment_shift = ids[0] - 1, ids[1] - 1
        cache = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        set_cache_size(conn.exec_driver_sql, -CACHE_KIB)  # as the stream inserts (sqlite_sink)
        try:
            conn.exec_driver_sql(_COPY_THREADS, (thread_shift, batch_id))
            conn.exec_driver_sql(_COPY_COMMENTS, (comment_shift, thread_shift, comment_shift))
        finally:
            set_cache_size(conn.exec_driver_sql, cache)
        summary.threads_added += threads
        summary.comments_added += comments
        summary.orphans += orphans
        bound.comments += cut_comments
        bound.dropped += cut_values

    def close(self) -> None:
        """Stop the part process if it still runs, and remove its scratch file."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.receive.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def detach(conn: Connection) -> None:
    """Let go of the scratch file of a second half, once the import's transaction is over."""
    if conn.dialect.name != "sqlite" or conn.invalidated or conn.closed:
        return
    driver = conn.connection.driver_connection
    if any(row[1] == HALF for row in driver.execute("PRAGMA database_list")):  # type: ignore[union-attr]
        driver.execute(f"DETACH DATABASE {HALF}")  # type: ignore[union-attr]
