"""Handing out work to many annotators: overlap k, leases that expire, atomic claims.

A comment is offered to an annotator who has not answered it while its submitted answers plus the
live leases of others stay below k. The counts come from two views (``answers_in_force``, ``lease_ends``)
that an annotator on a team server may read though the rows behind them are not theirs.

Who judges the last slot: on SQLite the app, holding the file's single write lock from ``BEGIN
IMMEDIATE``; on PostgreSQL the database, whose lease trigger locks the comment row (skipping it when
another claim holds it, and the claim tries again), counts again and stores no lease on a full comment,
so two annotators can never take the same last slot, whatever client they use. Leases are renewed while the
comment is on screen; an abandoned one expires and its slot returns to the pool.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    and_,
    bindparam,
    cast,
    delete,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from moderator.core.labelling.browse import PREVIEW_CHARS, QueueItem, my_status, unanswered
from moderator.core.labelling.gold_handout import held_out_threads, is_gold, take_gold
from moderator.core.schema.definition import LabelError
from moderator.core.store.engine import writer
from moderator.core.store.settings import ClaimSettings, claim_settings, set_claim_settings
from moderator.core.store.tables import Assignment, Comment, ModelScore, answers_in_force, lease_ends

# Of the orderings a project may choose (store.settings.ORDERINGS), these walk the assist model's scores
# (model_scores), then thread order for the comments the model has not scored yet (new imports, or
# before the first model).
SCORED_ORDERINGS = ("toxic-first", "uncertain")


def configure(
    engine: Engine, overlap: int | None = None, lease_minutes: int | None = None, ordering: str | None = None
) -> ClaimSettings:
    """Change the project's overlap, lease length or ordering (None leaves one as it is); returns them all."""
    with writer(engine) as conn, conn.begin():
        return set_claim_settings(conn, overlap, lease_minutes, ordering)


def _now() -> datetime:
    return datetime.now(UTC)


class SlotTaken(LabelError):
    """The comment has all the answers and leases the overlap k allows."""

    def __init__(self, comment_id: int):
        super().__init__(
            f"comment {comment_id} already has as many answers as the project's overlap asks for "
            "(or its remaining slots are held by others); take the next comment instead"
        )


def answers_count():
    """Distinct annotators whose answer in force on the comment is a submission (correlated).

    Prior labels that came in with an imported dataset (LeWiDi, SFU, …) are context for the project,
    not its annotators' work: they take no slot of the overlap k. Each (comment, annotator) history is
    one chain, so its head is one row of the view.
    """
    return (
        select(func.count())
        .select_from(answers_in_force)
        .where(answers_in_force.c.comment_id == Comment.id)
        .correlate(Comment)
        .scalar_subquery()
    )


def _live_leases(annotator_id, now):
    """Other annotators' unexpired leases on the comment (correlated); values or bound parameters.

    All live leases (a view) less this annotator's own, the one lease row they may read themselves.
    """
    every = (
        select(func.count()).select_from(lease_ends).where(lease_ends.c.comment_id == Comment.id, lease_ends.c.expires_at > now)
    )
    own = select(func.count(Assignment.id)).where(
        Assignment.comment_id == Comment.id, Assignment.annotator_id == annotator_id, Assignment.expires_at > now
    )
    return every.correlate(Comment).scalar_subquery() - own.correlate(Comment).scalar_subquery()


@contextmanager
def _lease_transaction(engine: Engine) -> Iterator[Connection]:
    """A writing transaction that stores only leases, committed without waiting for the disk.

    A lease is soft state: were the newest ones lost in a power cut or a server crash, their slots
    would simply come free early, and a submission still checks its slot (``slot_free``), so k holds.
    Labels keep their full durability: this applies to this transaction only. SQLite (WAL) commits
    at synchronous=NORMAL, still atomic, and the next fully synced commit makes it durable too;
    PostgreSQL commits with ``synchronous_commit = off``.
    """
    with writer(engine) as conn:
        if conn.dialect.name != "sqlite":
            with conn.begin():
                conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
                yield conn
            return
        raw = conn.connection.driver_connection  # no transaction yet: the level may only change outside one
        level = raw.execute("PRAGMA synchronous").fetchone()[0]
        if level > 1:
            raw.execute("PRAGMA synchronous=NORMAL")
        try:
            with conn.begin():
                yield conn
        finally:
            if level > 1:
                try:
                    raw.execute(f"PRAGMA synchronous={int(level)}")
                except Exception:
                    conn.invalidate()  # never hand a connection back to the pool with less durability
                    raise


def claim_next_item(
    engine: Engine, annotator_id: int, after: tuple[int, int] | None = None, skip: Sequence[int] = ()
) -> QueueItem | None:
    """Atomically take a slot on the next comment for this annotator; returns it as a queue item (not
    answered by this annotator), or None when there is nothing left for them.

    With thread ordering the search starts after ``after`` (thread_id, position) and wraps round once.
    Comments in ``skip`` (those the annotator already holds, ahead of the one on screen) are passed over.

    On PostgreSQL the lease trigger also refuses a comment another transaction is claiming or answering
    at that moment, though a slot may be left on it. Saying "nothing left" then would let the last
    annotators stop with a comment short of k, so the claim is tried again in a new transaction until
    the search finds nothing or the refusals were for full comments (bounded: ``RETRY_SECONDS``).
    """
    deadline = time.monotonic() + RETRY_SECONDS
    pause = 0.001
    while True:
        item, refused = _claim_once(engine, annotator_id, after, skip)
        if item is not None or not refused or time.monotonic() > deadline:
            return item
        time.sleep(pause)  # the other transaction holds the comment for a few milliseconds
        pause = min(pause * 2, 0.05)


# How long a claim goes on trying comments that other transactions held while it searched.
RETRY_SECONDS = 10.0


def _claim_once(
    engine: Engine, annotator_id: int, after: tuple[int, int] | None, skip: Sequence[int]
) -> tuple[QueueItem | None, bool]:
    """One claiming transaction: the item taken, or None and whether the database refused a candidate."""
    with _lease_transaction(engine) as conn:
        config = claim_settings(conn)
        gold = take_gold(conn, annotator_id, config.lease_minutes)
        if gold is not None and _try_lease(conn, gold, annotator_id, config.lease_minutes):
            return _queue_item(conn.execute(_row_query().where(Comment.id == gold)).one()), False
        passed: list[int] = list(skip)
        refused = False
        for ordering, start in _search_plan(config.ordering, after):
            while rows := _find(conn, annotator_id, config, ordering, start, passed):
                for row in rows:
                    if _try_lease(conn, row[0], annotator_id, config.lease_minutes):
                        return _queue_item(row), False
                    passed.append(row[0])
                    refused = True
        return None, refused


def _queue_item(row) -> QueueItem:
    """A claimed comment as a queue item: not answered by the claimant, so no status."""
    return QueueItem(row[0], row[1], row[2], row[3], row[4], " ".join((row[5] or "").split()), None)


def _row_query():
    """(id, thread_id, position, depth, author, preview) of comments."""
    return select(
        Comment.id, Comment.thread_id, Comment.position, Comment.depth, Comment.author,
        func.substr(Comment.text, 1, PREVIEW_CHARS),
    )  # fmt: skip


def _try_lease(conn: Connection, comment_id: int, annotator_id: int, minutes: int) -> bool:
    """Take (or renew) the slot in one statement; False when the database finds none free.

    PostgreSQL's lease trigger counts again under the comment's row lock and, when the slot has gone
    since the search, stores nothing: no row comes back. SQLite's search ran under the write lock, so
    its slot is there.
    """
    insert_into = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    now = _now()
    expires = now + timedelta(minutes=minutes)
    statement = (
        insert_into(Assignment)
        .values(comment_id=comment_id, annotator_id=annotator_id, claimed_at=now, expires_at=expires)
        .on_conflict_do_update(index_elements=["comment_id", "annotator_id"], set_={"claimed_at": now, "expires_at": expires})
        .returning(Assignment.id)
    )
    return conn.scalar(statement) is not None


def _search_plan(ordering: str, after: tuple[int, int] | None) -> list[tuple[str, tuple[int, int] | None]]:
    """The searches to try in turn: thread order goes on from ``after`` and wraps round once; the
    score orderings come back to thread order for unscored comments."""
    thread = [("thread", after), ("thread", None)] if after is not None else [("thread", None)]
    if ordering == "thread":
        return thread
    if ordering in SCORED_ORDERINGS:
        return [(ordering, None)] + thread
    return [(ordering, None)]


@cache
def _taken_query():
    counted = answers_count() + _live_leases(bindparam("annotator_id"), bindparam("now"))
    return select(counted).select_from(Comment).where(Comment.id == bindparam("comment_id"))


def _taken(conn: Connection, comment_id: int, annotator_id: int) -> int:
    """Slots in use on a comment from this annotator's point of view: answers plus others' live leases."""
    return conn.scalar(_taken_query(), {"comment_id": comment_id, "annotator_id": annotator_id, "now": _now()}) or 0


@cache
def _find_query(ordering: str, has_after: bool, has_passed: bool):
    """The next-comment query, built once per shape; the annotator, time, k and start are parameters.

    Thread ordering walks the unique (thread_id, position) index from the start key, checking each
    candidate with index seeks (own status, answers, leases) until one qualifies: a seek, not a scan.
    """
    annotator_id = bindparam("annotator_id")
    query = _row_query().where(
        unanswered(my_status(annotator_id)),
        answers_count() + _live_leases(annotator_id, bindparam("now")) < bindparam("overlap"),
        Comment.thread_id.not_in(held_out_threads()),  # a gold file's items come only as gold
    )
    if has_passed:
        query = query.where(Comment.id.not_in(bindparam("passed", expanding=True)))
    if ordering == "thread":
        if has_after:
            query = query.where(
                tuple_(Comment.thread_id, Comment.position) > tuple_(bindparam("after_thread"), bindparam("after_position"))
            )
        query = query.order_by(Comment.thread_id, Comment.position)
    elif ordering in SCORED_ORDERINGS:
        # Walk the score index from its best end: a finished comment's row is dropped at rescoring,
        # so the walk steps over only those answered since. comment_id breaks ties (a unique key).
        query = query.join(ModelScore, ModelScore.comment_id == Comment.id)
        if ordering == "toxic-first":
            query = query.order_by(ModelScore.score.desc(), ModelScore.comment_id.desc())
        else:
            query = query.order_by(ModelScore.uncertainty, ModelScore.comment_id)
    elif ordering == "least":
        query = query.order_by(answers_count(), Comment.thread_id, Comment.position)
    else:  # random, but stable per annotator: a multiplicative hash of the id, salted by the annotator
        salt = cast(bindparam("annotator_id"), BigInteger) * literal(40503, BigInteger)
        spread = cast(Comment.id, BigInteger) * literal(2654435761, BigInteger) + salt
        query = query.order_by(spread % literal(4294967291, BigInteger))
    return query.limit(bindparam("candidates"))


# How many comments one search offers. SQLite's search runs under the write lock: its first is free.
# On PostgreSQL annotators claiming at the same moment find the same first comment and the database
# gives it to one of them; the others go on to the next candidates without searching again.
CANDIDATES = {"sqlite": 1, "postgresql": 4}


def _find(
    conn: Connection, annotator_id: int, config: ClaimSettings, ordering: str, after: tuple[int, int] | None, passed: list[int]
):
    """(id, thread_id, position, depth, author, preview) of the next comments to offer, best first."""
    has_after = after is not None and ordering == "thread"
    query = _find_query(ordering, has_after, bool(passed))
    params = {"annotator_id": annotator_id, "now": _now(), "overlap": config.overlap,
              "candidates": CANDIDATES.get(conn.dialect.name, 1)}  # fmt: skip
    if passed:
        params["passed"] = list(passed)
    if has_after:
        params["after_thread"], params["after_position"] = after
    return conn.execute(query, params).all()


def slot_free(conn: Connection, comment_id: int, annotator_id: int) -> bool:
    """May this annotator add a new answer here without the comment going over k? (SQLite.)

    Call inside the writing transaction, which holds SQLite's write lock. On PostgreSQL the database
    answers this itself when the answer is inserted (the annotation trigger), and refuses with
    ``SLOT_TAKEN``.
    """
    now = _now()
    own_lease = conn.scalar(
        select(Assignment.id).where(
            Assignment.comment_id == comment_id, Assignment.annotator_id == annotator_id, Assignment.expires_at > now
        )
    )
    if own_lease is not None or is_gold(conn, comment_id):
        return True  # a gold item takes no slot: everyone may answer it once
    return _taken(conn, comment_id, annotator_id) < claim_settings(conn).overlap


def renew(engine: Engine, comment_id: int, annotator_id: int) -> bool:
    """Keep the slot while the comment is on screen (the GUI calls this every few minutes).

    False when the lease had lapsed and others have taken the slot meanwhile; answering will say so.
    """
    with _lease_transaction(engine) as conn:
        return _try_lease(conn, comment_id, annotator_id, claim_settings(conn).lease_minutes)


def release(engine: Engine, annotator_id: int, comment_id: int | None = None) -> None:
    """Give slots back at once (on quit, or after answering) instead of waiting for expiry."""
    with _lease_transaction(engine) as conn:
        clause = Assignment.annotator_id == annotator_id
        if comment_id is not None:
            clause = and_(clause, Assignment.comment_id == comment_id)
        conn.execute(delete(Assignment).where(clause))
