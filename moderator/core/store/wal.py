"""WAL mode for an SQLite file that several connections may open at the same moment."""

from __future__ import annotations

import sqlite3
import time


def switch_to_wal(conn, patience: float = 30.0) -> None:
    """Put the file in WAL mode, waiting for another connection doing the same.

    Two connections opening a new file at once both try to switch it; SQLite answers one of them
    "database is locked" at once rather than deadlock, without calling the busy handler, so wait here.
    """
    deadline = time.monotonic() + patience
    pause = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
