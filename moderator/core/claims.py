"""Handing out work to many annotators: overlap k, leases that expire, atomic claims.

A comment is offered to an annotator who has not answered it while its submitted answers plus the
live leases of others stay below k. Claiming locks the comment row (PostgreSQL ``FOR UPDATE SKIP
LOCKED``; SQLite holds its single write lock from ``BEGIN IMMEDIATE``), so two annotators can never take
the same last slot. Leases are renewed while the comment is on screen; an abandoned one expires and
its slot returns to the pool.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import BigInteger, Connection, Engine, and_, cast, delete, func, insert, literal, or_, select, tuple_, update
from sqlalchemy.orm import aliased

from . import project
from .db import writer
from .models import Annotation, Assignment, Comment
from .queue import my_status

OVERLAP = "overlap"
LEASE_MINUTES = "lease_minutes"
ORDERING = "ordering"
ORDERINGS = ("thread", "random", "least")
DEFAULTS = {OVERLAP: 1, LEASE_MINUTES: 30, ORDERING: "thread"}
MIN_LEASE_MINUTES = 10


def settings(conn: Connection) -> dict:
    return {key: project.get_setting(conn, key, default) for key, default in DEFAULTS.items()}


def configure(engine: Engine, overlap: int | None = None, lease_minutes: int | None = None, ordering: str | None = None) -> dict:
    if overlap is not None and overlap < 1:
        raise ValueError("overlap must be at least 1")
    if lease_minutes is not None and lease_minutes < MIN_LEASE_MINUTES:
        raise ValueError(f"a lease lasts at least {MIN_LEASE_MINUTES} minutes (the app renews it every 3)")
    if ordering is not None and ordering not in ORDERINGS:
        raise ValueError(f"ordering must be one of {', '.join(ORDERINGS)}")
    with writer(engine) as conn, conn.begin():
        for key, value in ((OVERLAP, overlap), (LEASE_MINUTES, lease_minutes), (ORDERING, ordering)):
            if value is not None:
                project.set_setting(conn, key, value)
        return settings(conn)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def answers_count():
    """Distinct annotators whose answer in force on the comment is a submission (correlated)."""
    newer = aliased(Annotation)
    return (
        select(func.count(Annotation.annotator_id.distinct()))
        .where(
            Annotation.comment_id == Comment.id,
            Annotation.status == "submitted",
            ~select(newer.id).where(newer.supersedes_id == Annotation.id).exists(),
        )
        .correlate(Comment)
        .scalar_subquery()
    )


def _live_leases(annotator_id: int, now: datetime):
    """Other annotators' unexpired leases on the comment (correlated)."""
    return (
        select(func.count(Assignment.id))
        .where(Assignment.comment_id == Comment.id, Assignment.annotator_id != annotator_id, Assignment.expires_at > now)
        .correlate(Comment)
        .scalar_subquery()
    )


def claim_next(engine: Engine, annotator_id: int, after: tuple[int, int] | None = None) -> int | None:
    """Atomically take a slot on the next comment for this annotator; returns its id, or None when done.

    With thread ordering the search starts after ``after`` (thread_id, position) and wraps round once.
    """
    with writer(engine) as conn, conn.begin():
        config = settings(conn)
        passed: list[int] = []
        starts = [after, None] if after is not None and config[ORDERING] == "thread" else [after]
        for start in starts:
            while (comment_id := _find(conn, annotator_id, config, start, passed)) is not None:
                # PostgreSQL judged the row on the snapshot taken before it got the lock; now that the
                # row is ours, count again with what has been committed since (READ COMMITTED).
                if _taken(conn, comment_id, annotator_id) < config[OVERLAP]:
                    _lease(conn, comment_id, annotator_id, config[LEASE_MINUTES])
                    return comment_id
                passed.append(comment_id)
        return None


def _taken(conn: Connection, comment_id: int, annotator_id: int) -> int:
    """Slots in use on a comment from this annotator's point of view: answers plus others' live leases."""
    counted = answers_count() + _live_leases(annotator_id, _now())
    return conn.scalar(select(counted).select_from(Comment).where(Comment.id == comment_id)) or 0


def _find(
    conn: Connection, annotator_id: int, config: dict, after: tuple[int, int] | None, passed: list[int]
) -> int | None:
    now = _now()
    mine = my_status(annotator_id)
    query = select(Comment.id).where(
        or_(mine.is_(None), mine == "retracted"),
        answers_count() + _live_leases(annotator_id, now) < config[OVERLAP],
    )
    if passed:
        query = query.where(Comment.id.not_in(passed))
    ordering = config[ORDERING]
    if ordering == "thread":
        if after is not None:
            query = query.where(tuple_(Comment.thread_id, Comment.position) > tuple_(*after))
        query = query.order_by(Comment.thread_id, Comment.position)
    elif ordering == "least":
        query = query.order_by(answers_count(), Comment.thread_id, Comment.position)
    else:  # random, but stable per annotator: a multiplicative hash of the id, salted by the annotator
        spread = cast(Comment.id, BigInteger) * literal(2654435761, BigInteger) + literal(annotator_id * 40503, BigInteger)
        query = query.order_by(spread % literal(4294967291, BigInteger))
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=Comment, skip_locked=True)
    return conn.scalar(query.limit(1))


def _lease(conn: Connection, comment_id: int, annotator_id: int, minutes: int) -> None:
    expires = _now() + timedelta(minutes=minutes)
    done = conn.execute(
        update(Assignment)
        .where(Assignment.comment_id == comment_id, Assignment.annotator_id == annotator_id)
        .values(claimed_at=_now(), expires_at=expires)
    )
    if done.rowcount == 0:
        conn.execute(insert(Assignment).values(comment_id=comment_id, annotator_id=annotator_id, expires_at=expires))


def slot_free(conn: Connection, comment_id: int, annotator_id: int) -> bool:
    """May this annotator add a new answer here without the comment going over k?

    Call inside the writing transaction: on PostgreSQL the comment row is locked first, so a claim
    or another submission for the same comment waits (or skips it) until this one commits.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(select(Comment.id).where(Comment.id == comment_id).with_for_update())
    now = _now()
    own_lease = conn.scalar(
        select(Assignment.id).where(
            Assignment.comment_id == comment_id, Assignment.annotator_id == annotator_id, Assignment.expires_at > now
        )
    )
    if own_lease is not None:
        return True
    return _taken(conn, comment_id, annotator_id) < settings(conn)[OVERLAP]


def renew(engine: Engine, comment_id: int, annotator_id: int) -> None:
    """Keep the slot while the comment is on screen (the GUI calls this every few minutes)."""
    with writer(engine) as conn, conn.begin():
        _lease(conn, comment_id, annotator_id, settings(conn)[LEASE_MINUTES])


def release(engine: Engine, annotator_id: int, comment_id: int | None = None) -> None:
    """Give slots back at once (on quit, or after answering) instead of waiting for expiry."""
    with writer(engine) as conn, conn.begin():
        clause = Assignment.annotator_id == annotator_id
        if comment_id is not None:
            clause = and_(clause, Assignment.comment_id == comment_id)
        conn.execute(delete(Assignment).where(clause))


def over_k(engine: Engine) -> list[tuple[int, int]]:
    """(comment id, answers) for comments with more submitted answers than the overlap allows."""
    with engine.connect() as conn:
        k = settings(conn)[OVERLAP]
        counted = answers_count().label("answers")
        rows = conn.execute(select(Comment.id, counted).where(answers_count() > k)).all()
    return [(r[0], r[1]) for r in rows]
