"""After a kill: reopen the database and check what a user relies on.

Every answer the labelling process reported as returned must be there with its value, the file must
pass ``PRAGMA integrity_check``, no comment may have been answered twice (a resume that went back),
and resuming must land on the next comment after the last one stored.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from moderator.core.labelling.session import load_resume
from moderator.core.store.engine import open_database
from moderator.core.store.tables import Annotation, Comment


@dataclass
class Confirmed:
    """An answer whose submit returned in the child: (status, toxicity or None for a skip)."""

    status: str
    toxicity: int | None


@dataclass
class Check:
    integrity: str
    lost: list[int] = field(default_factory=list)  # comment ids whose confirmed answer is missing or wrong
    doubled: list[int] = field(default_factory=list)  # comments answered more than once
    stored: int = 0  # answers in the database (confirmed ones plus any committed just before the kill)
    expected_next: int | None = None  # the comment after the last one stored
    resumed_at: int | None = None  # what load_resume gave
    remaining: int = 0  # comments not answered yet

    @property
    def ok(self) -> bool:
        return self.integrity == "ok" and not self.lost and not self.doubled and self.expected_next == self.resumed_at


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` on a fresh connection; "ok" or the first problems it names."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:  # too damaged to even check
        return str(exc)
    finally:
        conn.close()
    return "ok" if rows == ["ok"] else "; ".join(rows[:5])


def check(path: Path, annotator_id: int, confirmed: dict[int, Confirmed], compiled: dict | None = None) -> Check:
    """Reopen ``path`` as the app would and compare it with the confirmed answers (comment id → answer).

    ``compiled``: a compiled-SQL cache to share between the many engines of a campaign.
    """
    result = Check(integrity(path))
    base = open_database(str(path))  # the first open after a kill also recovers the WAL
    engine = base.execution_options(compiled_cache=compiled) if compiled is not None else base
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Annotation.comment_id, Annotation.status, Annotation.values, Comment.thread_id, Comment.position)
                .join(Comment, Comment.id == Annotation.comment_id)
                .where(Annotation.annotator_id == annotator_id)
                .order_by(Annotation.id)
            ).all()
            stored: dict[int, tuple[str, int | None]] = {}
            for row in rows:
                if row.comment_id in stored:
                    result.doubled.append(row.comment_id)
                stored[row.comment_id] = (row.status, (row.values or {}).get("toxicity"))
            result.stored = len(stored)
            for comment_id, answer in confirmed.items():
                if stored.get(comment_id) != (answer.status, answer.toxicity):
                    result.lost.append(comment_id)
            # The drive answers comments in queue order and never goes back, so the next one is simply
            # the first comment after the last one answered (thread, then position).
            query = select(Comment.id).order_by(Comment.thread_id, Comment.position).limit(1)
            if rows:
                last = rows[-1]
                query = query.where(
                    (Comment.thread_id > last.thread_id)
                    | ((Comment.thread_id == last.thread_id) & (Comment.position > last.position))
                )
            result.expected_next = conn.scalar(query)
            result.remaining = conn.scalar(select(func.count()).select_from(Comment)) - len(stored)
        state = load_resume(engine, annotator_id)
        result.resumed_at = state.item.id if state is not None else None
    finally:
        base.dispose()  # no connection may survive into the next fork
    return result
