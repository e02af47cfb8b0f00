"""What the joined tables (``joined``) keep on disk while the ratings are read: the items' texts and the spans.

The text tables may hold millions of comments (Civil Comments' ``all_data.csv``): their texts wait here,
looked up by item id as each rating row is read; the spans wait here by item, and are attached as each
item's comment is built; an item is marked once rated, so that the unrated ones come after.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from moderator.core.importing.sources.scratch import ScratchFile

BATCH = 10_000


class JoinScratch(ScratchFile):
    TABLES = (
        # rowid: the order the text tables gave the items
        "CREATE TABLE texts (key TEXT PRIMARY KEY, text TEXT NOT NULL, line INTEGER, rated INTEGER NOT NULL DEFAULT 0)",
        "CREATE TABLE spans (item TEXT NOT NULL, person TEXT NOT NULL, span TEXT NOT NULL)",  # rowid: file order
    )

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[str, str, str]] = []
        self._indexed = False

    def add_text(self, key: str, text: str, line: int) -> str | None:
        """Keep the item's text; the text kept before, if the item had one (the first stays)."""
        if self.db.execute("INSERT OR IGNORE INTO texts (key, text, line) VALUES (?, ?, ?)", (key, text, line)).rowcount:
            return None
        return self.db.execute("SELECT text FROM texts WHERE key = ?", (key,)).fetchone()[0]

    def text(self, key: str) -> str | None:
        found = self.db.execute("SELECT text FROM texts WHERE key = ?", (key,)).fetchone()
        return None if found is None else found[0]

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM texts").fetchone()[0]

    def add_span(self, item: str, person: str, span: dict[str, Any]) -> None:
        self._spans.append((item, person, json.dumps(span)))
        if len(self._spans) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        self.db.executemany("INSERT INTO spans (item, person, span) VALUES (?, ?, ?)", self._spans)
        self._spans = []

    def spans(self, item: str) -> list[tuple[str, dict[str, Any]]]:
        """``(person, span)`` of the item's spans, in file order."""
        if not self._indexed:
            self._flush()
            self.db.execute("CREATE INDEX spans_item ON spans (item)")
            self._indexed = True
        rows = self.db.execute("SELECT person, span FROM spans WHERE item = ? ORDER BY rowid", (item,))
        return [(person, json.loads(span)) for person, span in rows]

    def rated(self, key: str) -> None:
        self.db.execute("UPDATE texts SET rated = 1 WHERE key = ?", (key,))

    def unrated(self) -> Iterator[tuple[str, str, int]]:
        """``(key, text, line)`` of the items no rating table rated, in the text tables' order."""
        rows = self.db.execute("SELECT key, text, line FROM texts WHERE rated = 0 ORDER BY rowid")
        while batch := rows.fetchmany(1000):
            yield from batch
