"""The outbox: every answer is on this computer's disk before it is sent, until the server has it.

A small SQLite file per database and person in the user data folder. An entry is an answer (submit,
skip, flag) or an undo, with an id made here (``client_id``) that the server stores once, so an entry
sent twice — because the first reply was lost with the network — is still one row. Entries are sent in
the order they were made and kept after sending (marked), so the file is also a log of what left.
A reviewer's gold label goes the same way.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from moderator.core.paths import user_data_path
from moderator.core.store.wal import switch_to_wal

WAITING, SENT, REFUSED = "waiting", "sent", "refused"
KINDS = ("answer", "undo", "gold")

SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    made_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'waiting',
    note TEXT
);
CREATE INDEX IF NOT EXISTS entries_state ON entries (state, seq);
"""


@dataclass(frozen=True)
class Entry:
    seq: int
    client_id: str
    kind: str
    payload: dict[str, Any]
    made_at: datetime
    state: str
    note: str | None


def outbox_path(database: str, person: str, folder: Path | None = None) -> Path:
    """The outbox file of ``person`` on ``database`` (a URL without its password, or a file path)."""
    if folder is None:
        folder = user_data_path() / "outbox"
    digest = hashlib.sha256(f"{database}\n{person}".encode()).hexdigest()[:20]
    return folder / f"{digest}.sqlite"


class Outbox:
    """One person's outbox for one database. Not shared between threads: open one per thread."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        switch_to_wal(self._conn)
        self._conn.execute("PRAGMA synchronous=FULL")  # an entry is on the disk when add() returns
        self._conn.executescript(SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def add(self, kind: str, payload: dict[str, Any]) -> Entry:
        """Keep an answer or an undo (``KINDS``) on disk, with a new client id; the entry."""
        if kind not in KINDS:
            raise ValueError(f"an outbox entry is one of {', '.join(KINDS)}")
        client_id, made_at = str(uuid.uuid4()), datetime.now(UTC)
        text = json.dumps(payload, default=_json_default, ensure_ascii=False)
        cursor = self._conn.execute(
            "INSERT INTO entries (client_id, kind, payload, made_at) VALUES (?, ?, ?, ?)",
            (client_id, kind, text, made_at.isoformat()),
        )
        return Entry(cursor.lastrowid, client_id, kind, json.loads(text), made_at, WAITING, None)

    def waiting(self, limit: int | None = None) -> list[Entry]:
        """Entries not yet sent, oldest first."""
        query = "SELECT seq, client_id, kind, payload, made_at, state, note FROM entries WHERE state = ? ORDER BY seq"
        rows = self._conn.execute(query + (" LIMIT ?" if limit else ""), (WAITING, limit) if limit else (WAITING,))
        return [_entry(row) for row in rows]

    def count(self, state: str = WAITING) -> int:
        return self._conn.execute("SELECT count(*) FROM entries WHERE state = ?", (state,)).fetchone()[0]

    def refused(self) -> list[Entry]:
        rows = self._conn.execute(
            "SELECT seq, client_id, kind, payload, made_at, state, note FROM entries WHERE state = ? ORDER BY seq", (REFUSED,)
        )
        return [_entry(row) for row in rows]

    def mark(self, entry: Entry, state: str, note: str | None = None) -> None:
        self._conn.execute("UPDATE entries SET state = ?, note = ? WHERE seq = ?", (state, note, entry.seq))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} cannot go into the outbox")


def _entry(row) -> Entry:
    seq, client_id, kind, payload, made_at, state, note = row
    return Entry(seq, client_id, kind, json.loads(payload), datetime.fromisoformat(made_at), state, note)


_opened = threading.local()


def outbox_at(path: Path) -> Outbox:
    """This thread's open outbox at ``path`` (an SQLite connection serves the thread that made it)."""
    boxes = getattr(_opened, "boxes", None)
    if boxes is None:
        boxes = _opened.boxes = {}
    if path not in boxes:
        boxes[path] = Outbox(path)
    return boxes[path]
