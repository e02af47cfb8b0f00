"""A temporary SQLite file an importer keeps what it reads in, so memory holds little of a large file.

No journal, no fsync, sorts on disk, an 8 MB page cache (what it holds in memory); one transaction that
is never committed; the file and its folder are deleted on ``close`` (or leaving the ``with`` block).
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Self

_PRAGMAS = ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA temp_store = FILE", "PRAGMA cache_size = -8192")


class ScratchFile:
    """The file of a subclass's ``TABLES`` (CREATE statements); ``db`` is its connection."""

    TABLES: Sequence[str] = ()

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="moderator-import-")
        self.db = sqlite3.connect(Path(self._dir) / "scratch.sqlite", isolation_level=None)
        for statement in (*_PRAGMAS, *self.TABLES):
            self.db.execute(statement)
        self.db.execute("BEGIN")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()
        shutil.rmtree(self._dir, ignore_errors=True)
