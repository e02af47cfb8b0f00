"""The annotator's loop as single database jobs: load an item, answer it and move on, undo.

Each function is one round trip for the GUI's worker: it commits first, then reads what the
annotator sees next, so the next item never appears before the answer is safely stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from .labels import Label, current_label, submit, undo_last
from .queue import QueueItem, item_for, next_unlabelled, resume_point
from .threads import CommentContext, comment_context


@dataclass
class ItemState:
    """Everything the window shows for one comment."""

    item: QueueItem
    context: CommentContext
    label: Label | None  # this annotator's answer in force, if any


def load_item(engine: Engine, annotator_id: int, comment_id: int) -> ItemState | None:
    item = item_for(engine, annotator_id, comment_id)
    if item is None:
        return None
    return ItemState(item, comment_context(engine, comment_id), current_label(engine, comment_id, annotator_id))


def load_resume(engine: Engine, annotator_id: int) -> ItemState | None:
    """Where the annotator left off (the first unanswered comment after their latest answer)."""
    item = resume_point(engine, annotator_id)
    return load_item(engine, annotator_id, item.id) if item else None


@dataclass
class Advance:
    label: Label  # the row just stored
    item: QueueItem  # the answered comment, with its new status
    next: ItemState | None  # the next unanswered comment, or None when all are done


def answer_and_advance(
    engine: Engine,
    annotator_id: int,
    comment_id: int,
    values: dict[str, Any],
    spans: list[dict[str, Any]],
    status: str = "submitted",
    started_at: datetime | None = None,
    duration_ms: int | None = None,
) -> Advance:
    label = submit(engine, comment_id, annotator_id, values, spans, status, started_at, duration_ms)
    item = item_for(engine, annotator_id, comment_id)
    nxt = next_unlabelled(engine, annotator_id, item.key)
    return Advance(label, item, load_item(engine, annotator_id, nxt.id) if nxt else None)


def undo_and_load(engine: Engine, annotator_id: int) -> ItemState | None:
    """Undo the latest answer and return that comment as it now stands, or None if nothing to undo."""
    undone = undo_last(engine, annotator_id)
    return load_item(engine, annotator_id, undone[0]) if undone else None
