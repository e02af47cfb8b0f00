"""A big export written by two processes (a machine's second core): the one-process file, sooner.

The comments are cut into chunks of whole threads (pages.chunk_bounds; scrub placeholders are numbered per
thread, so a chunk scrubs as the one-process export would). The parent and a part process (part.py) take
chunks from a shared counter, lowest first, and make their records with the same code from the same rows,
so the bytes are the one-process file's. JSONL: each process writes its own chunks into the file, in chunk
order, at offsets reserved in shared memory (ordered.py), with no copying; a chunk whose turn has not come
waits in memory. Parquet: only the parent writes the file (one footer); the part process's chunks come to
it as Arrow IPC streams in a part file, mapped into memory.

One snapshot for the whole file. PostgreSQL shares it: the part process's transaction imports the
parent's (pg_export_snapshot / SET TRANSACTION SNAPSHOT). SQLite has no way to share a snapshot between
connections, so the parent checks instead: ``PRAGMA data_version``, read on a connection of its own before
its transaction's first read and again when the part process says it has made its first read, changes if
any other connection committed in between; unchanged means both transactions read the same database.
Until that check has passed nothing of the part process's reaches the file (it holds its chunks; GO lets
them in). When the check fails, or the part process fails, the parent stops it, keeps only its chunks
already written and makes every remaining chunk itself, in its own snapshot: the one-process file, later.

Small exports (under PARALLEL_FROM comments), in-memory databases, CSV and systems without pwrite stay in
one process: starting the second process (a fresh interpreter: spawn, not fork, as the caller may be a
GUI with threads) costs about a second, and more CPU time all told. Cancelling stops the part process (asked through STOP, by force
after STOP_WAIT seconds) and the caller removes the file.

Spawning imports the caller's main module again in the part process: a script that exports this way must
keep its work under ``if __name__ == "__main__":`` (the ``moderator`` command, ``python -m`` and pytest do).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path
from typing import IO

from moderator.core.export.ordered import GO, STOP, OrderedWriter, shared_state
from moderator.core.export.pages import chunk_bounds, range_pages, reader, transaction
from moderator.core.export.part import Setup, claim, codec, run_part
from moderator.core.progress import Progress

PARALLEL_FROM = 150_000  # comments: at 200,000 two processes only about broke even (the second one's start)
CHUNK = 25_000  # comments a chunk, about: small enough that the two processes finish close together
WAIT = 0.1  # seconds between looks at cancel while waiting for the part process
STOP_WAIT = 10.0  # seconds the part process has to stop when asked, before it is stopped by force


def parallel_worth(export, fmt: str) -> bool:
    """Whether ``export`` goes faster in two processes (see the module docstring)."""
    url = export.engine.url
    in_file = url.get_backend_name() == "postgresql" or url.database not in (None, "", ":memory:")
    two_cores = (os.cpu_count() or 1) > 1 and hasattr(os, "pwrite")  # pwrite: ordered.py (not on Windows)
    return fmt in ("jsonl", "parquet") and in_file and export.total >= PARALLEL_FROM and two_cores


class _Parent:
    """The parent's side: the chunks it makes, the part process's messages, the file in chunk order."""

    def __init__(self, export, fmt: str, out: IO[bytes], part: Path, progress: Progress | None):
        self.export, self.fmt, self.out, self.part, self.progress = export, fmt, out, part, progress
        self.process = self.pipe = None
        self.agreed = False  # the part process reads the parent's snapshot: its chunks may go in
        self.alone = False  # the part process was stopped: the parent makes every chunk left
        self.theirs: dict[int, tuple] = {}  # the part process's chunks: (records, ScrubCounts, where)
        self.records = 0
        self.done = [0, 0]  # comments made by the parent, by the part process
        self.shown = 0.0

    def run(self) -> int:
        export = self.export
        context = multiprocessing.get_context("spawn")
        self.counter, self.state = context.Value("i", 0), shared_state(context)
        monitor = self.monitor = _DataVersion(export.engine)
        try:
            with transaction(export.engine) as cursor:
                self.bounds = chunk_bounds(cursor, max(2, export.total // CHUNK))
                self.chunks = len(self.bounds) - 1
                snapshot = monitor.snapshot(cursor)
                self.file = _file(self.fmt, export, self.out, self.state)
                try:
                    if self.chunks > 1:
                        try:
                            self._start(context, snapshot)
                        except Exception:  # no second process here: the parent writes it all
                            self.process, self.alone = None, True
                    self._run(cursor)
                except BaseException:
                    self.file.abort()
                    raise
                finally:
                    self._stop()
                self.file.close()
        finally:
            monitor.close()
        for records, counts, _ in self.theirs.values():
            self.records += records
            if export.scrubber is not None:
                export.scrubber.counts.merge(counts)
        return self.records

    def _run(self, cursor) -> None:
        encoder = codec(self._setup(None), self.export.builder)
        sql = reader(cursor, self.export.annotator_id, columns=encoder.columns,
                     texts=self.export.scrubber is not None and not encoder.columns)  # fmt: skip
        file = self.file
        while not self.alone and (index := claim(self.counter, self.chunks)) is not None:
            self._make(cursor, sql, encoder, index)
        while file.next < self.chunks:
            index = file.next
            if self.alone and index not in file.finished:
                file.restart_next()  # the part process may have stopped part way through it
                self._make(cursor, sql, encoder, index)
            elif not self._drain():
                self._listen(WAIT)
                self._report()
        if self.progress is not None:
            self.progress(1.0)

    def _make(self, cursor, sql, encoder, index: int) -> None:
        """The parent's chunk ``index``, into the file (when its turn comes)."""
        for page in range_pages(cursor, sql, self.bounds[index], self.bounds[index + 1]):
            item, rows = encoder.encode(page)
            self.file.add(index, item)
            self.records += rows
            self.done[0] += len(page.comments)
            self._listen(0)
            self._report()
        self.file.finish(index)
        self._drain()

    def _drain(self) -> bool:
        """Whatever can go into the file next; whether anything did."""
        moved = self.file.flush()
        while self.fmt == "parquet" and self.agreed and not self.alone and self.file.next in self.theirs:
            records, counts, (offset, length) = self.theirs[self.file.next]
            self.file.append(self.part, offset, length)
            moved = True
            moved = self.file.flush() or moved
        return moved

    def _setup(self, snapshot: str | None) -> Setup:
        e = self.export
        return Setup(
            e.engine.url, self.fmt, e.level, e.annotator_id, e.sees_all, e.columns, e.fields, e.secret, e.keep_authors,
            e.keep_annotators, e.scrubber is not None, self.bounds, self.file.name, str(self.part), snapshot,
        )  # fmt: skip

    def _start(self, context, snapshot: str | None) -> None:
        receive, send = context.Pipe(duplex=False)
        self.process = context.Process(target=run_part, args=(self._setup(snapshot), self.counter, self.state, send),
                                       daemon=True, name="moderator-export-part")  # fmt: skip
        self.process.start()
        send.close()
        self.pipe = receive

    def _listen(self, timeout: float, stopping: bool = False) -> None:
        """Take the part process's messages (waiting up to ``timeout`` for the first)."""
        while self.pipe is not None and self.pipe.poll(timeout):
            timeout = 0
            try:
                message = self.pipe.recv()
            except (EOFError, OSError):  # it ended without a word
                self.pipe.close()
                self.pipe = None
                message = ("error", "the part process ended")
            kind = message[0]
            if stopping and kind in ("ready", "error"):
                continue
            if kind == "ready" and not self.alone:
                self.agreed = self.monitor.unchanged()
                if self.agreed:
                    self.state[GO] = 1
                else:
                    self._go_alone()
            elif kind == "progress":
                self.done[1] += message[1]
            elif kind == "chunk":
                self.theirs[message[1]] = message[2:]
            elif kind == "error":
                self._go_alone()
            elif kind == "done":
                self.pipe.close()
                self.pipe = None

    def _go_alone(self) -> None:
        """Stop the part process; keep only its chunks already in the file."""
        if self.alone:
            return
        self.alone = True
        self._stop()
        written = self.file.next
        self.theirs = {index: chunk for index, chunk in self.theirs.items() if index < written}
        self.done[1] = 0

    def _stop(self) -> None:
        """Ask the part process to stop, reading what it still sends; by force after STOP_WAIT seconds."""
        if self.process is not None:
            self.state.get_obj()[STOP] = 1
            until = time.monotonic() + STOP_WAIT
            while self.process.is_alive() and time.monotonic() < until:
                if self.pipe is not None:
                    self._listen(WAIT, stopping=True)
                else:
                    self.process.join(WAIT)
            if self.process.is_alive():
                self.process.terminate()
                self._unjam()
            self.process.join()
            self.process.close()
            self.process = None
            self._listen(0, stopping=True)  # what it sent last (a chunk's records and counts)
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None

    def _unjam(self) -> None:
        """A part process stopped by force may have died holding the shared lock (it holds it for a few
        instructions): the parent, alone from now on, goes on with a copy of the state and a lock of its own."""
        lock = self.state.get_lock()
        if lock.acquire(timeout=STOP_WAIT):
            lock.release()
            return
        fresh = shared_state(multiprocessing.get_context("spawn"))
        fresh.get_obj()[:] = self.state.get_obj()[:]
        self.state = fresh
        if isinstance(self.file, _JsonlFile):
            self.file.state = fresh

    def _report(self) -> None:
        """Progress (monotonic), which raises ExportCancelled once the user has cancelled."""
        if self.progress is None:
            return
        total = self.export.total or 1
        self.shown = max(self.shown, min(1.0, (self.done[0] + self.done[1]) / total))
        self.progress(self.shown)


class _DataVersion:
    """SQLite's PRAGMA data_version on a connection of its own: it changes when another connection commits."""

    def __init__(self, engine):
        self.connection = engine.raw_connection() if engine.dialect.name == "sqlite" else None
        self.before = self._read() if self.connection is not None else None

    def _read(self) -> int:
        cursor = self.connection.cursor()
        try:
            cursor.execute("PRAGMA data_version")
            return cursor.fetchone()[0]
        finally:
            cursor.close()

    def snapshot(self, cursor) -> str | None:
        """PostgreSQL: the id of the transaction's snapshot, for the part process to import."""
        if self.connection is not None:
            return None
        cursor.execute("SELECT pg_export_snapshot()")
        return cursor.fetchone()[0]

    def unchanged(self) -> bool:
        return self.connection is None or self._read() == self.before

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _file(fmt: str, export, out: IO[bytes], state):
    return _ParquetFile(export, out) if fmt == "parquet" else _JsonlFile(out, state)


class _JsonlFile(OrderedWriter):
    """The parent's side of the JSONL file: the part process writes its own chunks into it (ordered.py)."""

    def __init__(self, out: IO[bytes], state):
        super().__init__(state, out.fileno())
        self.name = out.name

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class _ParquetFile:
    """The Parquet file, written by the parent alone: the part process's chunks come as Arrow IPC streams."""

    def __init__(self, export, out: IO[bytes]):
        from moderator.core.export.parquet import RowGroups, arrow_schema

        self.groups = RowGroups(out, arrow_schema(export))
        self.name = out.name
        self.next = 0
        self.held: dict[int, list] = {}
        self.finished: set[int] = set()

    def add(self, chunk: int, batch) -> None:
        if chunk == self.next:
            for earlier in self.held.pop(chunk, ()):
                self._put(earlier)
            self._put(batch)
        else:
            self.held.setdefault(chunk, []).append(batch)

    def finish(self, chunk: int) -> None:
        self.finished.add(chunk)
        self.flush()

    def flush(self) -> bool:
        wrote = False
        while self.next in self.finished:
            for batch in self.held.pop(self.next, ()):
                self._put(batch)
            self.finished.discard(self.next)
            self.next += 1
            wrote = True
        return wrote

    def append(self, part: Path, offset: int, length: int) -> None:
        """The part process's chunk ``next``, from its IPC stream in ``part``."""
        import pyarrow as pa

        source = pa.memory_map(str(part))  # mapped anew: the part file has grown since
        source.seek(offset)
        for batch in pa.ipc.open_stream(source.read_buffer(length)):
            self.groups.put(batch)
        self.next += 1

    def restart_next(self) -> None:
        pass  # nothing of a chunk goes into the file before it is whole

    def _put(self, batch) -> None:
        if batch is not None:
            self.groups.put(batch)

    def close(self) -> None:
        self.groups.close()

    def abort(self) -> None:
        self.groups.abort()


def write_parallel(export, fmt: str, out: IO[bytes], part: Path, progress: Progress | None = None) -> int:
    """Write ``export`` (writer.Export) to the binary file ``out`` in two processes; ``part`` is the part
    process's file (the caller removes it). Returns the number of records."""
    return _Parent(export, fmt, out, part, progress).run()
