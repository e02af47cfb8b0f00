"""Rows into SQLite tables from a second thread, many rows per INSERT, while the caller builds the next ones.

SQLite runs a statement with the GIL released, so inserting overlaps the Python that makes rows. One
statement carries as many rows as SQLite's bound on parameters allows (``ROWS_PER_INSERT`` at most)
rather than executemany's one per row: a thread that gives the GIL up for every row waits up to the
switch interval (5 ms) each time to get it back from a busy caller. (500 rows a statement took 1.5 s
longer than 2,730 over a million comments.) The caller must not use the connection between ``__enter__`` and ``__exit__``.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from itertools import chain
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

ROWS_PER_INSERT = 5000
# Page cache while inserting (KiB): SQLite's 2 MB default writes pages out to the log again and again
# while a big transaction grows, on the path that sets the pace. (64 MB imported a million comments no
# faster, three runs each, and held 36 MB more.)
CACHE_KIB = 32 * 1024
_QUEUED = 8  # statements waiting at most: the rows are in memory already, this bounds their copies
_DONE = None


def set_cache_size(execute: Callable[[str], Any], value: int) -> None:
    """SQLite's page cache of the main database, ``value`` as ``PRAGMA cache_size`` takes it (negative: KiB); an
    int written into the statement, as a PRAGMA takes no parameters."""
    execute(f"PRAGMA cache_size = {int(value)}")


def bind_none_directly() -> None:
    """Have sqlite3 bind None as NULL through its adapter table rather than its fallback.

    With no adapter for None, sqlite3 looks for ``__adapt__`` on its protocol type for every None it
    binds, and that failed lookup raises and clears an AttributeError: about 0.4 µs a value, paid with
    the GIL held (over half a second for a million comments without a parent or a time). ``{}.get``
    gives None back, which is bound as NULL exactly as before. (sqlite3's table is the process's: left
    alone if someone registered an adapter for None already.)
    """
    key = (type(None), sqlite3.PrepareProtocol)
    if key not in sqlite3.adapters:
        sqlite3.register_adapter(type(None), {}.get)


class _Table:
    """One table's pending rows and its INSERT texts (``head`` and ``?`` placeholders: every value is bound)."""

    def __init__(self, head: str, width: int, limit: int):
        self.head = head
        self.one = "(" + ", ".join("?" * width) + ")"
        self.width = width
        self.per = max(1, min(ROWS_PER_INSERT, limit // self.width))
        self.full = self.statement(self.per)
        self.rows: list[tuple] = []

    def statement(self, rows: int) -> str:
        return self.head + ", ".join([self.one] * rows)

    def statements(self, last: bool) -> list[tuple[str, list[Any]]]:
        """(text, flat values) of every whole statement's rows (of all rows if ``last``), taken out."""
        rows, per = self.rows, self.per
        whole = len(rows) if last else len(rows) - len(rows) % per
        made = []
        for start in range(0, whole, per):
            chunk = rows[start : start + per]
            made.append((self.full if len(chunk) == per else self.statement(len(chunk)), list(chain.from_iterable(chunk))))
        self.rows = rows[whole:]
        return made


class ThreadedInsertSink:
    """``add`` rows to one of ``tables``; ``flush`` hands whole statements to the inserting thread, every
    earlier table's rows first (those the later ones refer to).

    ``tables``: for each, the text ``INSERT INTO t (columns) VALUES `` and the number of its columns;
    ``cache_kib``: SQLite's page cache meanwhile.
    """

    def __init__(self, conn: Connection, *tables: tuple[str, int], cache_kib: int = CACHE_KIB):
        self.conn = conn
        dbapi = conn.connection.driver_connection
        try:  # SQLite's bound on ? per statement: 32766 since 3.32, 999 before
            limit = dbapi.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)  # type: ignore[union-attr]
        except AttributeError:
            limit = 999
        self.tables = [_Table(head, width, limit) for head, width in tables]
        bind_none_directly()
        self.cursor = dbapi.cursor()  # type: ignore[union-attr]
        self.cache: int | None = int(self.cursor.execute("PRAGMA cache_size").fetchone()[0])  # restored by _stop
        set_cache_size(self.cursor.execute, -cache_kib)
        self.queue: queue.Queue[tuple[str, list[Any]] | None] = queue.Queue(_QUEUED)
        self.error: BaseException | None = None
        self.thread: threading.Thread | None = None

    @property
    def pending(self) -> int:
        """Rows of the last table not yet handed over."""
        return len(self.tables[-1].rows)

    def add(self, rows: list[tuple], table: int = -1) -> None:
        self.tables[table].rows += rows

    def flush(self, last: bool = False) -> None:
        """Hand over every whole statement's rows (all rows if ``last``); the earlier tables' all."""
        final = len(self.tables) - 1
        for i, table in enumerate(self.tables):
            for statement in table.statements(last or i < final):
                self._put(statement)

    def _put(self, statement: tuple[str, list[Any]]) -> None:
        if self.thread is None:
            self.thread = threading.Thread(target=self._insert, name="bulk-insert", daemon=True)
            self.thread.start()
        self.queue.put(statement)
        if self.error is not None:
            self._raise()

    def _insert(self) -> None:
        execute = self.cursor.execute
        while (statement := self.queue.get()) is not _DONE:
            if self.error is not None:
                continue  # drain: the caller sees the error at its next put or at the end
            try:
                execute(*statement)
            except BaseException as exc:  # noqa: BLE001  (handed to the caller's thread)
                self.error = exc

    def _stop(self) -> None:
        if self.thread is not None:
            self.queue.put(_DONE)
            self.thread.join()
            self.thread = None
        if self.cache is not None:  # (once)
            previous, self.cache = self.cache, None
            set_cache_size(self.cursor.execute, previous)
            self.cursor.close()

    def _raise(self) -> None:
        exc = self.error
        assert exc is not None
        dbapi_error = self.conn.dialect.loaded_dbapi.Error
        if isinstance(exc, dbapi_error):  # as SQLAlchemy raises it from any other statement (IntegrityError...)
            raise DBAPIError.instance(self.tables[-1].head, None, exc, dbapi_error, dialect=self.conn.dialect) from exc
        raise exc

    def abandon(self) -> None:
        """Stop without writing what is still pending (the caller rolls back)."""
        self.error = self.error or RuntimeError("abandoned")
        self._stop()

    def __enter__(self) -> ThreadedInsertSink:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is not None:
            self.error = self.error or error  # the inserting thread skips what is still queued
            self._stop()
            return
        try:
            self.flush(last=True)
        finally:
            self._stop()
        if self.error is not None:
            self._raise()
