"""Handing out gold items: about one in ``gold_every`` comments per person, blind, at most once each.

A person's (g+1)-th gold item is due once they have answered ``(every - 1) * g + offset(g)`` other
comments, where ``offset(g)`` in [0, every - 1) is a hash of the person and g: items come at the set
rate on average, but not at a place anyone can count to. Which item is a hash of person and comment,
among those the person never answered; one gold lease at a time. Gold items take no slot of the
overlap k (everyone may answer one once), and a gold file's threads are held out of the queue.

On PostgreSQL the database decides (migration 0008's ``moderator_take_gold``, the same rule), since an
annotator's login may not read gold_items; on SQLite the app does, here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, cast, distinct, exists, func, literal, select

from moderator.core.store.settings import gold_settings
from moderator.core.store.tables import GOLD_SOURCE, Annotation, Assignment, GoldItem, Thread


def held_out_threads():
    """The ids of threads a gold file brought in: never in the queue, only handed out item by item."""
    return select(Thread.id).where(Thread.source == GOLD_SOURCE)


def due_offset(annotator_id: int, done_gold: int, every: int) -> int:
    """Where among the next ``every - 1`` comments the person's next gold item falls (see module doc)."""
    return ((annotator_id * 7919 + done_gold * 104729) % 9973) % (every - 1)


def is_due(annotator_id: int, done_gold: int, done_other: int, every: int) -> bool:
    return every >= 2 and done_other >= (every - 1) * done_gold + due_offset(annotator_id, done_gold, every)


def take_gold(conn: Connection, annotator_id: int, lease_minutes: int) -> int | None:
    """The person's due gold item, or None when none is due. Call inside the claim's writing transaction,
    then lease it (PostgreSQL's function has leased it already: the same lease is renewed)."""
    if conn.dialect.name == "postgresql":
        return conn.scalar(select(func.moderator_take_gold(annotator_id, lease_minutes)))
    every = gold_settings(conn).every
    if every < 2 or _holds_gold(conn, annotator_id):
        return None
    mine = Annotation.annotator_id == annotator_id
    gold = exists().where(GoldItem.comment_id == Annotation.comment_id)
    done_gold = conn.scalar(select(func.count(distinct(Annotation.comment_id))).where(mine, Annotation.action != "import", gold))
    done_other = conn.scalar(
        select(func.count(distinct(Annotation.comment_id))).where(
            mine, Annotation.action == "submit", Annotation.status == "submitted", ~gold
        )
    )
    if not is_due(annotator_id, done_gold, done_other, every):
        return None
    spread = cast(GoldItem.comment_id, BigInteger) * literal(2654435761, BigInteger) + literal(annotator_id * 40503, BigInteger)
    answered = exists().where(Annotation.comment_id == GoldItem.comment_id, mine)
    return conn.scalar(
        select(GoldItem.comment_id)
        .where(~answered)
        .order_by(spread % literal(4294967291, BigInteger), GoldItem.comment_id)
        .limit(1)
    )


def _holds_gold(conn: Connection, annotator_id: int) -> bool:
    return conn.scalar(
        select(Assignment.id)
        .join(GoldItem, GoldItem.comment_id == Assignment.comment_id)
        .where(Assignment.annotator_id == annotator_id, Assignment.expires_at > datetime.now(UTC))
        .limit(1)
    ) is not None  # fmt: skip


def is_gold(conn: Connection, comment_id: int) -> bool:
    """Is this comment a gold item? (SQLite and leads; an annotator's login cannot read gold_items.)"""
    return conn.scalar(select(GoldItem.comment_id).where(GoldItem.comment_id == comment_id)) is not None


def gold_feedback(engine: Engine, annotator_id: int, comment_id: int) -> dict[str, Any] | None:
    """The reference answers of a gold item the person has just answered, when the project gives feedback;
    None otherwise (not gold, not answered, or feedback off)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return conn.scalar(select(func.moderator_gold_feedback(annotator_id, comment_id)))
        if not gold_settings(conn).feedback:
            return None
        answered = exists().where(
            Annotation.comment_id == comment_id, Annotation.annotator_id == annotator_id,
            Annotation.action == "submit", Annotation.status == "submitted",
        )  # fmt: skip
        return conn.scalar(select(GoldItem.values).where(GoldItem.comment_id == comment_id, answered))
