"""Review and adjudication: comments whose answers disagree, every answer side by side, gold labels.

Only reviewers and admins may see other annotators' answers: the check is here, in the core, so no
window or command can show an annotator someone else's labels.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from moderator.core.labelling.context import CommentContext, comment_context
from moderator.core.labelling.log import active_schema, current_rows_clause
from moderator.core.schema.definition import validate_values
from moderator.core.store.engine import insert_or_find, writer
from moderator.core.store.tables import Annotation, Annotator, Comment, GoldLabel
from moderator.core.team.accounts import Account, AuthError


@dataclass(frozen=True)
class Disagreement:
    comment_id: int
    answers: int
    majority_share: float  # share of the most common answer; lower means more disagreement
    values: dict[Any, int]  # answer → how many gave it


@dataclass(frozen=True)
class Answer:
    annotator: str
    values: dict[str, Any]
    status: str
    submitted_at: datetime


@dataclass(frozen=True)
class ReviewItem:
    """One disputed comment as the review window shows it: in context, every answer, its gold label."""

    comment_id: int
    context: CommentContext
    answers: list[Answer]
    gold: dict[str, Any] | None


def _require_reviewer(viewer: Account) -> None:
    if not viewer.sees_all:
        raise AuthError("only reviewers and admins see other annotators' labels (labelling is blind)")


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def disagreements(engine: Engine, viewer: Account, question: str = "toxicity", limit: int = 200) -> list[Disagreement]:
    """Comments with two or more answers to ``question`` that are not all the same, most disputed first."""
    _require_reviewer(viewer)
    answers: dict[int, Counter] = defaultdict(Counter)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Annotation.comment_id, Annotation.values).where(current_rows_clause(), Annotation.status == "submitted")
        )
        for comment_id, values in rows:
            if question in values and values[question] is not None:
                answers[comment_id][_hashable(values[question])] += 1
    found = []
    for comment_id, counts in answers.items():
        total = sum(counts.values())
        if total >= 2 and len(counts) > 1:
            found.append(Disagreement(comment_id, total, max(counts.values()) / total, dict(counts)))
    found.sort(key=lambda d: (d.majority_share, -d.answers, d.comment_id))
    return found[:limit]


def answers(engine: Engine, comment_id: int, viewer: Account) -> list[Answer]:
    """Every annotator's answer in force on a comment (reviewers only)."""
    _require_reviewer(viewer)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Annotator.name, Annotation.values, Annotation.status, Annotation.submitted_at)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotation.comment_id == comment_id, current_rows_clause())
            .order_by(Annotator.name)
        ).all()
    return [Answer(*row) for row in rows]


def decide(
    engine: Engine, comment_id: int, reviewer: Account, values: dict[str, Any], note: str | None = None,
    client_id: str | None = None,
) -> int:  # fmt: skip
    """Store the reviewer's decision as the comment's gold label (a new row; earlier ones stay).

    A decision sent again with its ``client_id`` (from the outbox) is stored once: its row's id comes back.
    """
    _require_reviewer(reviewer)
    schema_id, schema = active_schema(engine)
    clean = validate_values(schema, values, complete=True)
    sent_before = select(GoldLabel.id).where(GoldLabel.client_id == client_id)
    with writer(engine) as conn, conn.begin():
        if client_id is not None and (stored := conn.scalar(sent_before)) is not None:
            return stored
        if conn.scalar(select(Comment.id).where(Comment.id == comment_id)) is None:
            raise ValueError(f"no comment with id {comment_id}")
        made = insert(GoldLabel).values(
            comment_id=comment_id, reviewer_id=reviewer.id, schema_id=schema_id, values=clean, note=note, client_id=client_id
        )
        return (
            insert_or_find(conn, sent_before, made.returning(GoldLabel.id))
            if client_id
            else conn.scalar(made.returning(GoldLabel.id))
        )


def gold_labels(conn: Connection, comment_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The latest gold label of each comment that has one."""
    latest: dict[int, dict[str, Any]] = {}
    rows = conn.execute(
        select(GoldLabel.comment_id, GoldLabel.values).where(GoldLabel.comment_id.in_(comment_ids)).order_by(GoldLabel.id)
    )
    for comment_id, values in rows:
        latest[comment_id] = values
    return latest


def gold_for(engine: Engine, comment_ids: list[int]) -> dict[int, dict[str, Any]]:
    with engine.connect() as conn:
        return gold_labels(conn, comment_ids)


def review_list(engine: Engine, reviewer: Account, question: str) -> tuple[list[Disagreement], set[int]]:
    """The comments disputed on ``question``, most disputed first, and which of them have a gold label."""
    found = disagreements(engine, reviewer, question)
    return found, set(gold_for(engine, [d.comment_id for d in found]))


def review_item(engine: Engine, comment_id: int, reviewer: Account) -> ReviewItem:
    """A disputed comment in context with every answer in force and its latest gold label (reviewers only)."""
    given = answers(engine, comment_id, reviewer)
    return ReviewItem(comment_id, comment_context(engine, comment_id), given, gold_for(engine, [comment_id]).get(comment_id))


def aggregate(answer_values: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """Majority and soft labels for each question, over all the annotators who answered the comment.

    Soft label: the share of annotators who chose each option. Majority: the option chosen by more
    than half of them, else None — so one annotator's lone answer to an optional question is no
    majority. A multiple-choice answer counts once for each option chosen; its majority is the list of
    options chosen by more than half.
    """
    per_question: dict[str, Counter] = defaultdict(Counter)
    n = len(answer_values)
    for values in answer_values:
        for qid, value in values.items():
            if value is None or value == "" or value == []:
                continue
            for v in value if isinstance(value, list) else [value]:
                per_question[qid][v] += 1
    majority: dict[str, Any] = {}
    soft: dict[str, dict[str, float]] = {}
    for qid, counts in per_question.items():
        soft[qid] = {str(v): round(c / n, 6) for v, c in sorted(counts.items(), key=lambda kv: str(kv[0]))}
        if any(isinstance(values.get(qid), list) for values in answer_values):
            majority[qid] = [v for v, c in counts.items() if c * 2 > n]
        else:
            value, count = counts.most_common(1)[0]
            majority[qid] = value if count * 2 > n else None
    return majority, soft
