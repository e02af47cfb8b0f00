"""The annotator's loop as single database jobs: load an item, answer it and move on, undo.

Each function is one round trip for the GUI's worker: it commits first, then reads what the
annotator sees next, so the next item never appears before the answer is safely stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from moderator.core.labelling.browse import QueueItem, item_for
from moderator.core.labelling.claims import claim_next_item
from moderator.core.labelling.context import CommentContext, comment_context
from moderator.core.labelling.gold_handout import gold_feedback
from moderator.core.labelling.log import Label, current_label, submit, undo_last
from moderator.core.store.tables import Annotation, Comment


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


def claim_item(engine: Engine, annotator_id: int, after: tuple[int, int] | None) -> ItemState | None:
    """Take a slot on the next comment for this annotator (see claims) and load it.

    A claimed comment has no answer in force from this annotator (that is what makes it next), so
    there is no label to read back.
    """
    item = claim_next_item(engine, annotator_id, after)
    return ItemState(item, comment_context(engine, item.id), None) if item is not None else None


def prefetch(engine: Engine, annotator_id: int, after: tuple[int, int] | None, held: Sequence[int], want: int) -> list[ItemState]:
    """Claim up to ``want`` more comments beyond those ``held``, each with its context: the batch an
    annotator labels on from when the server is away. Each keeps its lease while renewed."""
    batch: list[ItemState] = []
    skip = list(held)
    for _ in range(want):
        item = claim_next_item(engine, annotator_id, after, skip)
        if item is None:
            break
        batch.append(ItemState(item, comment_context(engine, item.id), None))
        skip.append(item.id)
        after = item.key
    return batch


def load_resume(engine: Engine, annotator_id: int) -> ItemState | None:
    """Where the annotator left off: the next comment for them from their latest answer on.

    From, not after: when the latest row is an undo, the comment it reopened is the place to resume.
    The latest row is the first entry, backwards, of the annotator's index (annotator_id, then id).
    """
    with engine.connect() as conn:
        last = conn.execute(
            select(Comment.thread_id, Comment.position)
            .join(Annotation, Annotation.comment_id == Comment.id)
            .where(Annotation.annotator_id == annotator_id)
            .order_by(Annotation.id.desc())
            .limit(1)
        ).first()
    return claim_item(engine, annotator_id, (last[0], last[1] - 1) if last else None)


@dataclass
class Advance:
    label: Label  # the row just stored
    item: QueueItem  # the answered comment, with its new status
    next: ItemState | None  # the next unanswered comment, or None when all are done
    # When the answered comment was a gold item and the project explains them: its reference answers.
    feedback: dict[str, Any] | None = None


def answer_and_advance(
    engine: Engine,
    annotator_id: int,
    comment_id: int,
    values: dict[str, Any],
    spans: list[dict[str, Any]],
    status: str = "submitted",
    started_at: datetime | None = None,
    duration_ms: int | None = None,
    client_id: str | None = None,
    provenance: dict[str, Any] | None = None,
) -> Advance:
    label = submit(engine, comment_id, annotator_id, values, spans, status, started_at, duration_ms, client_id,
                   provenance=provenance)  # fmt: skip
    item = item_for(engine, annotator_id, comment_id)
    feedback = gold_feedback(engine, annotator_id, comment_id) if status == "submitted" else None
    return Advance(label, item, claim_item(engine, annotator_id, item.key), feedback)


def undo_and_load(engine: Engine, annotator_id: int, client_id: str | None = None) -> ItemState | None:
    """Undo the latest answer and return that comment as it now stands, or None if nothing to undo."""
    undone = undo_last(engine, annotator_id, client_id)
    return load_item(engine, annotator_id, undone[0]) if undone else None
