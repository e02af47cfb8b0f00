"""A spill of JSON Lines that also finds, on disk, the story each Hacker News comment hangs under.

An HN item names only its parent: the story a comment belongs to is where its chain of parents ends, and
a dump in id order has millions of them. Read whole, ``jsonl._under_stories`` follows the chains in
memory; here the comments that name no thread keep their id and parent in a table of the spill's file,
and one recursive query walks down from the stories (``regroup``). A comment that reaches a story moves
to that story's thread (its lines then come back with the story's id as ``story_id``, as if the line
had named it); the rest stay in the thread of the comments that name none, as read whole.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from moderator.core.importing.errors import ImportCancelled
from moderator.core.importing.formats import jsonl
from moderator.core.importing.sources.spill import BATCH, Spill
from moderator.core.progress import Cancelled

LOOSE = "-"  # the key of the thread of the comments that name none
CHECK_EVERY = 100_000  # SQLite steps between two looks at cancel

# Down from the stories: a comment whose parent is a story is under it; a comment whose parent is a
# comment under a story is under that story. Each comment has one parent and ids are unique, so the
# walk reaches a comment at most once, and never enters a reply cycle (no story leads into one).
_UNDER_STORIES = """
CREATE TABLE moved AS
WITH RECURSIVE under (item, ext, story) AS (
    SELECT item, ext, parent FROM loose WHERE parent IN (SELECT id FROM stories)
    UNION ALL
    SELECT l.item, l.ext, u.story FROM under u JOIN loose l ON l.parent = u.ext
    WHERE l.parent NOT IN (SELECT id FROM stories)
)
SELECT item, story FROM under
"""
_MOVE = "UPDATE items SET thread = '=' || moved.story FROM moved WHERE items.rowid = moved.item"


def thread_of(value: Any) -> str:
    """The key of the thread a line names, as ``read_bulk`` groups it (an integer id is its digits);
    every line that names none, or is not an object, goes with the others that name none."""
    if type(value) is not dict:
        return LOOSE
    tid = next((value[k] for k in jsonl.THREAD_ALIASES if value.get(k) is not None), None)
    if tid is None:
        return LOOSE
    if type(tid) is str or type(tid) is int:
        return f"={tid}"
    return f"?{tid!r}"  # refused by read_bulk when its thread comes


def _id(value: Any) -> str | None:
    """An id as ``read_bulk`` keeps it; None for one it refuses (the line is refused when read)."""
    return value if type(value) is str else str(value) if type(value) is int else None


class StorySpill(Spill):
    """Lines keyed by their thread; stories and the comments that name no thread noted for ``regroup``."""

    TABLES = (
        *Spill.TABLES,
        "CREATE TABLE stories (id TEXT PRIMARY KEY) WITHOUT ROWID",
        "CREATE TABLE loose (item INTEGER PRIMARY KEY, ext TEXT, parent TEXT)",  # item: the line's rowid in items
    )

    def __init__(self) -> None:
        super().__init__()
        self._stories: list[tuple[str]] = []
        self._loose: list[tuple[int, str | None, str | None]] = []
        self.moved = False  # whether ``regroup`` moved a comment (``named`` has lines to name, then)

    def add_line(self, line: int, value: Any) -> None:
        role, ext, parent = jsonl.line_role(value)
        if role == "story" and (sid := _id(ext)) is not None:
            self.add(f"={sid}", line, value)
            self._stories.append((sid,))
        elif role == "loose":
            self.add(LOOSE, line, value)
            self._loose.append((self.count, _id(ext), _id(parent)))  # count: the rowid items gives it
        else:
            self.add(thread_of(value), line, value)
        if len(self._loose) + len(self._stories) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        super()._flush()
        if self._stories:
            self.db.executemany("INSERT OR IGNORE INTO stories (id) VALUES (?)", self._stories)
            self._stories = []
        if self._loose:
            self.db.executemany("INSERT INTO loose (item, ext, parent) VALUES (?, ?, ?)", self._loose)
            self._loose = []

    def regroup(self, cancelled: Cancelled | None = None) -> None:
        """Move each comment that names no thread to the story its parents lead to, if the file has it.
        Not when two such comments share an id: read whole, that is refused at the second one's line, and
        it still is, from the thread they stay in. ``cancelled`` stops the queries (seconds for millions)."""
        self._flush()
        if self.db.execute("SELECT 1 FROM stories LIMIT 1").fetchone() is None:
            return
        if cancelled is not None:
            self.db.set_progress_handler(cancelled, CHECK_EVERY)  # a true answer interrupts the query
        try:
            self._under_stories()
        except sqlite3.OperationalError:
            if cancelled is not None and cancelled():
                raise ImportCancelled() from None
            raise
        finally:
            self.db.set_progress_handler(None, 0)

    def _under_stories(self) -> None:
        try:
            self.db.execute("CREATE UNIQUE INDEX loose_ext ON loose (ext)")
        except sqlite3.IntegrityError:
            return
        self.db.execute("CREATE INDEX loose_parent ON loose (parent)")
        self.db.execute(_UNDER_STORIES)
        self.moved = self.db.execute(_MOVE).rowcount > 0

    @staticmethod
    def named(key: str, value: Any) -> Any:
        """A line as read back from thread ``key``: a comment moved under a story names it."""
        if key.startswith("=") and jsonl.line_role(value)[0] == "loose":
            value["story_id"] = key[1:]
        return value
