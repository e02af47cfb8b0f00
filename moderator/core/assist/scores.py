"""The assist model against the database: train on the labels in force, write one score per comment.

Everything is read keyset-paged (by annotation id, by comment id) and written in short transactions
of ``BATCH`` rows, so a retraining running beside annotators holds the write lock for milliseconds at
a time. Comments that already have their k answers are dropped from ``model_scores``: the claim
search walks that table in score order, and finished comments would only be stepped over.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select

from moderator.core.assist import model as assist
from moderator.core.labelling.claims import answers_count
from moderator.core.labelling.log import current_rows_clause
from moderator.core.progress import Cancelled, Progress
from moderator.core.store.engine import writer
from moderator.core.store.settings import (
    AssistModelInfo,
    assist_model_info,
    claim_settings,
    hint_mode,
    set_assist_model_info,
    set_hint_mode,
)
from moderator.core.store.tables import Annotation, Comment, ModelScore

BATCH = 2000
# The newest labelled comments a model learns from: a few thousand already rank well (see bench
# --assist), and character n-grams over a million texts would need gigabytes.
TRAIN_COMMENTS = 10_000
# Comments (re)scored per training pass; the next pass goes on where this one stopped, so a large
# corpus is covered over several passes and no pass keeps a core busy for minutes.
SCORE_PER_PASS = 50_000


def model_info(engine: Engine) -> AssistModelInfo | None:
    """The newest model's facts, or None before the first model."""
    with engine.connect() as conn:
        return assist_model_info(conn)


def activity_mark(engine: Engine) -> int:
    """The newest annotation id: it grows by one with every answer, skip, edit or undo.

    What ``assist.retrain_due`` compares: a primary-key lookup, where counting the labels in force
    takes seconds at a million rows.
    """
    with engine.connect() as conn:
        return conn.scalar(select(func.max(Annotation.id))) or 0


def training_votes(engine: Engine, limit: int | None = None) -> dict[int, list[bool]]:
    """Comment id → its annotators' targets (``assist.is_positive``) over submitted labels in force,
    for the ``limit`` (default ``TRAIN_COMMENTS``) most recently labelled comments, newest first.

    Blind labelling: a comment still short of k answers is open to someone, and a model that learned
    its labels would hand them back as a hint or an order. So the project's own answers count only on
    comments that have all k; labels imported with a dataset (prior labels) count everywhere.
    """
    limit = TRAIN_COMMENTS if limit is None else limit
    votes: dict[int, list[tuple[bool, bool]]] = {}  # comment → (target, imported)
    last = None
    query = (
        select(Annotation.id, Annotation.comment_id, Annotation.values, Annotation.action)
        .where(Annotation.status == "submitted", current_rows_clause())
        .order_by(Annotation.id.desc())
        .limit(BATCH * 5)
    )
    with engine.connect() as conn:
        while rows := conn.execute(query if last is None else query.where(Annotation.id < last)).all():
            for _id, comment_id, values, action in rows:
                target = assist.is_positive(values or {})
                if target is None or (comment_id not in votes and len(votes) >= limit):
                    continue
                votes.setdefault(comment_id, []).append((target, action == "import"))
            last = rows[-1][0]
            if len(votes) >= limit:
                break  # labels still further back belong to comments already counted, or to none we take
        still_open = _still_open(conn, [c for c, v in votes.items() if not all(imported for _t, imported in v)])
    kept: dict[int, list[bool]] = {}
    for comment_id, found in votes.items():
        targets = [t for t, imported in found if imported or comment_id not in still_open]
        if targets:
            kept[comment_id] = targets
    return kept


def _still_open(conn: Connection, ids: list[int]) -> set[int]:
    """Those of ``ids`` still short of the project's k answers (of its own annotators)."""
    k = claim_settings(conn).overlap
    found: set[int] = set()
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        found.update(conn.scalars(select(Comment.id).where(Comment.id.in_(chunk), answers_count() < k)))
    return found


def _texts(engine: Engine, ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    with engine.connect() as conn:
        for i in range(0, len(ids), BATCH):
            chunk = ids[i : i + BATCH]
            out.update((r[0], r[1]) for r in conn.execute(select(Comment.id, Comment.text).where(Comment.id.in_(chunk))))
    return out


def train(engine: Engine, votes: dict[int, list[bool]] | None = None) -> tuple[assist.Model, dict[str, Any]] | None:
    """A model on the labels in force, with its facts; None while both classes are not present."""
    votes = training_votes(engine) if votes is None else votes
    ids = sorted(votes)
    targets = [assist.majority(votes[i]) for i in ids]
    if not assist.can_train(targets):
        return None
    texts = _texts(engine, ids)
    model = assist.fit([texts[i] for i in ids], targets)
    facts = {"labels_trained_on": _count(votes), "comments": len(ids), "positives": sum(targets)}
    return model, facts


def _count(votes: dict[int, list[bool]]) -> int:
    return sum(len(v) for v in votes.values())


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(ModelScore)
    stmt = stmt.on_conflict_do_update(
        index_elements=[ModelScore.comment_id],
        set_={c: stmt.excluded[c] for c in ("score", "uncertainty", "model_version", "scored_at")},
    )
    conn.execute(stmt, rows)


def write_scores(engine: Engine, scores: dict[int, float], version: int) -> None:
    """Store (or replace) the scores of the given comments, in short transactions."""
    now = datetime.now(UTC)
    items = sorted(scores.items())
    for i in range(0, len(items), BATCH):
        rows = [
            {"comment_id": cid, "score": s, "uncertainty": assist.uncertainty(s), "model_version": version, "scored_at": now}
            for cid, s in items[i : i + BATCH]
        ]  # fmt: skip
        with writer(engine) as conn, conn.begin():
            _upsert(conn, rows)


def score_comments(
    engine: Engine,
    model: assist.Model,
    version: int,
    progress: Progress | None = None,
    cancel: Cancelled | None = None,
    start_after: int = -1,
    budget: int | None = None,
) -> tuple[int, int]:
    """Score the comments still short of k answers after id ``start_after``, ``budget`` (default
    ``SCORE_PER_PASS``) comments at most; drop the scores of finished ones.

    Returns (scored, the last comment id looked at, or -1 when the pass reached the end).
    """
    budget = SCORE_PER_PASS if budget is None else budget
    with engine.connect() as conn:
        k = claim_settings(conn).overlap
    query = select(Comment.id, Comment.text, answers_count()).order_by(Comment.id)
    last, scored, seen = start_after, 0, 0
    while not (cancel and cancel()):
        if seen >= budget:
            return scored, last
        with engine.connect() as conn:
            rows = conn.execute(query.where(Comment.id > last).limit(min(BATCH, budget - seen))).all()
        if not rows:
            break
        last = rows[-1][0]
        seen += len(rows)
        open_rows = [(cid, text) for cid, text, answers in rows if (answers or 0) < k]
        done = [cid for cid, _text, answers in rows if (answers or 0) >= k]
        scores = model.score([text for _cid, text in open_rows])
        now = datetime.now(UTC)
        with writer(engine) as conn, conn.begin():
            if open_rows:
                _upsert(conn, [
                    {"comment_id": cid, "score": s, "uncertainty": assist.uncertainty(s), "model_version": version, "scored_at": now}
                    for (cid, _t), s in zip(open_rows, scores)
                ])  # fmt: skip
            if done:
                conn.execute(delete(ModelScore).where(ModelScore.comment_id.in_(done)))
        scored += len(open_rows)
        if progress is not None:
            progress(min(1.0, seen / budget))
    return scored, -1


def retrain(
    engine: Engine, force: bool = False, progress: Progress | None = None, cancel: Cancelled | None = None
) -> AssistModelInfo | None:
    """Train and rescore when ``RETRAIN_EVERY`` labels arrived since the last model (or ``force``).

    Returns the new model's facts, or None when nothing was due or both classes are not present yet.
    """
    info = model_info(engine) or AssistModelInfo()
    mark = activity_mark(engine)
    if not force and not assist.retrain_due(mark, info.mark):
        return None
    trained = train(engine)
    if trained is None:
        return None
    model, facts = trained
    version = info.version + 1
    scored, scored_through = score_comments(engine, model, version, progress, cancel, start_after=info.scored_through)
    if cancel is not None and cancel():
        return None  # unrecorded, so the next start trains again and finishes the scores
    new = AssistModelInfo(
        version=version, mark=mark, trained_at=datetime.now(UTC).isoformat(timespec="seconds"),
        scored=scored, scored_through=scored_through, **facts,
    )  # fmt: skip
    with writer(engine) as conn, conn.begin():
        set_assist_model_info(conn, new)
    return new


def configure_hint(engine: Engine, mode: str | None = None) -> str:
    """Set when annotators see the model's hint (None leaves it); the mode in force."""
    with writer(engine) as conn, conn.begin():
        return hint_mode(conn) if mode is None else set_hint_mode(conn, mode)


def hint_score(engine: Engine, comment_id: int, answered: bool) -> float | None:
    """The score to show an annotator as a hint, as the project's hint mode allows (None: show none)."""
    with engine.connect() as conn:
        mode = hint_mode(conn)
        if mode == "off" or (mode == "after-answer" and not answered):
            return None
        return conn.scalar(select(ModelScore.score).where(ModelScore.comment_id == comment_id))


def score_of(engine: Engine, comment_id: int) -> float | None:
    """The stored score of one comment (a primary-key read), or None if it has none."""
    with engine.connect() as conn:
        return conn.scalar(select(ModelScore.score).where(ModelScore.comment_id == comment_id))
