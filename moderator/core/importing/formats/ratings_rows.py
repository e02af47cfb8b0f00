"""A ratings table's rows on disk, read back an item at a time (``ratings_reader``).

An item's ratings may be anywhere in the file (Measuring Hate Speech lists them by annotator), so a
comment is complete only once the whole file is read. Each row waits here, keyed by its item, and
comes back grouped: threads in order of their first item, items in order of their first row with a
text (the row that makes the comment), each item's rows in file order. Items with no text in any row
are listed apart (``untexted``), for their warning.
"""

from __future__ import annotations

import marshal
import pickle
from collections.abc import Iterator
from typing import Any

from moderator.core.importing.sources.scratch import ScratchFile

BATCH = 10_000  # rows inserted at a time

# SQLite's bare columns: with min(), ``grp`` is the value of the row that gave the minimum (the first with text).
_GROUPED = """
WITH f AS (SELECT item, grp, min(CASE WHEN texted THEN rowid END) AS first FROM rows GROUP BY item),
     g AS (SELECT item, grp, first, min(first) OVER (PARTITION BY grp) AS tfirst FROM f WHERE first IS NOT NULL)
SELECT g.grp, g.item, r.data FROM g JOIN rows r ON r.item = g.item ORDER BY g.tfirst, g.first, r.rowid
"""
_UNTEXTED = "SELECT item, min(line) FROM rows GROUP BY item HAVING max(texted) = 0 ORDER BY min(rowid)"


class RatingRows(ScratchFile):
    """Rows keyed by item; a context manager that deletes its file on exit. A row is a tuple of what
    ``marshal`` takes, or else of what ``pickle`` takes (a Parquet cell may be a date or a decimal)."""

    TABLES = (
        "CREATE TABLE rows (item TEXT NOT NULL, grp TEXT NOT NULL, texted INTEGER NOT NULL, line INTEGER, data BLOB NOT NULL)",
    )

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[tuple[str, str, bool, int | None, bytes]] = []

    def add(self, item: str, group: str, texted: bool, line: int | None, row: Any) -> None:
        try:
            data = b"m" + marshal.dumps(row)  # several times faster than pickle, for plain values
        except ValueError:
            data = b"p" + pickle.dumps(row, pickle.HIGHEST_PROTOCOL)
        self._rows.append((item, group, texted, line, data))
        if len(self._rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO rows (item, grp, texted, line, data) VALUES (?, ?, ?, ?, ?)", self._rows)
        self._rows = []

    def items(self) -> Iterator[tuple[str, str, list[Any]]]:
        """``(group, item, [row...])`` of every item with a text, grouped as the module says."""
        self._flush()
        self.db.execute("CREATE INDEX rows_item ON rows (item)")  # rowid order within an item
        current: str | None = None
        group = ""
        rows: list[Any] = []
        for grp, item, data in self.db.execute(_GROUPED):
            if item != current:
                if current is not None:
                    yield group, current, rows
                current, group, rows = item, grp, []
            rows.append(marshal.loads(data[1:]) if data[0] == 0x6D else pickle.loads(data[1:]))
        if current is not None:
            yield group, current, rows

    def untexted(self) -> Iterator[tuple[str, int | None]]:
        """``(item, first line)`` of the items no row gives a text, in file order."""
        self._flush()
        yield from self.db.execute(_UNTEXTED)
