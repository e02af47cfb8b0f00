"""The ``comments`` table's own indexes set aside while a big import fills an empty table (SQLite).

Building an index once from all the rows costs less than updating it row by row, which pays where the
inserting sets the pace (``write_bulk``; the stream keeps them, see ``bulk_stream``). Only indexes made
by ``CREATE INDEX`` are set aside (those of UNIQUE constraints cannot be dropped and keep checking every
row), and only when the table is empty. SQLite's DDL is part of the transaction:
if the import fails or is cancelled, its rollback brings the indexes back with the rows' absence.
"""

from __future__ import annotations

from sqlalchemy import Connection, Index, text
from sqlalchemy.schema import DropIndex

# Indexes of the comments table that a CREATE INDEX made (an autoindex of a UNIQUE constraint has no sql).
_OWN_INDEXES = text(
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'comments' AND sql IS NOT NULL ORDER BY name"
)


class DeferredIndexes:
    """``set_aside`` before the rows go in, ``restore`` after, in the same transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.dropped: list[tuple[str, str]] = []

    def set_aside(self) -> None:
        """Drop the comments' own indexes if the table is empty (on SQLite; elsewhere nothing)."""
        conn = self.conn
        if conn.dialect.name != "sqlite" or conn.exec_driver_sql("SELECT 1 FROM comments LIMIT 1").first() is not None:
            return
        self.dropped = [(name, sql) for name, sql in conn.execute(_OWN_INDEXES)]
        for name, _ in self.dropped:
            conn.execute(DropIndex(Index(name)))  # the name quoted by the dialect

    def restore(self) -> None:
        """Create again, from their own definitions, the indexes ``set_aside`` dropped."""
        dropped, self.dropped = self.dropped, []
        for _, sql in dropped:
            self.conn.exec_driver_sql(sql)
