"""Agreement on rationale spans: character-level Krippendorff's α.

Every character of a comment is a unit; an annotator's value for it is 1 inside one of their spans for
the question, else 0 (so a submitted answer with no span says "no character is a reason"). Only
comments with two or more submitted answers in force (from schema versions that ask the question)
count. Characters, not tokens: spans are stored as character offsets and need no tokenizer to agree on.
The interval resamples whole comments, since a comment's characters are not independent units.

Computed from span boundaries, never character by character: between two boundaries every character
has the same number k of annotators inside, which is all α's coincidences need.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from moderator.core.agreement.bootstrap import interval_from_units
from moderator.core.agreement.extended import Extended
from moderator.core.agreement.metrics import alpha_from_coincidences
from moderator.core.labelling.log import current_rows_clause
from moderator.core.store.tables import Annotation, Comment

NOMINAL = 1.0 - np.eye(2)


@dataclass
class SpanQuestion:
    id: str
    label: str
    schemas: set[int] = field(default_factory=set)  # schema versions that ask it


def span_questions(definitions: Iterable[tuple[int, dict[str, Any]]]) -> dict[str, SpanQuestion]:
    """The spans questions of every stored schema version; the newest version gives the label."""
    found: dict[str, SpanQuestion] = {}
    for schema_id, definition in sorted(definitions, key=lambda d: -d[0]):
        for q in definition.get("questions", []):
            if q.get("kind") == "spans":
                found.setdefault(q["id"], SpanQuestion(q["id"], q.get("label") or q["id"])).schemas.add(schema_id)
    return found


def span_agreement(
    engine: Engine, questions: list[SpanQuestion], options: Extended, left_out: frozenset[int] = frozenset()
) -> dict[str, dict[str, Any]]:
    """One report entry per spans question: character-level α, its interval and how much it rests on;
    comments in ``left_out`` (gold items) do not count."""
    if not questions:
        return {}
    stmt = (
        select(Annotation.comment_id, Annotation.annotator_id, Annotation.schema_id, Annotation.spans, func.length(Comment.text))
        .join(Comment, Comment.id == Annotation.comment_id)
        .where(current_rows_clause(), Annotation.status == "submitted")
        .order_by(Annotation.comment_id, Annotation.annotator_id)
    )
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return {q.id: _entry(q, [r for r in rows if r[2] in q.schemas and r[0] not in left_out], options) for q in questions}


def _entry(question: SpanQuestion, rows: list, options: Extended) -> dict[str, Any]:
    answers = Counter(r[0] for r in rows)
    kept = [r for r in rows if answers[r[0]] >= 2 and (r[4] or 0) > 0]
    marginals, observed = _contributions(question.id, kept)
    n_v = marginals.sum(axis=0)
    pairs = observed.sum() / 2.0  # o(0,1) = o(1,0): the disagreeing pairs of values
    alpha = alpha_from_coincidences(np.array([[n_v[0] - pairs, pairs], [pairs, n_v[1] - pairs]]), NOMINAL)
    interval = None
    if alpha is not None and options.resamples > 0:
        interval = interval_from_units(marginals, observed, NOMINAL, resamples=options.resamples, seed=options.seed)
    return {
        "kind": "spans",
        "label": question.label,
        "unit": "character",
        "items": len(observed),
        "characters": sum({r[0]: r[4] for r in kept}.values()),
        "annotations": len(kept),
        "annotators": len({r[1] for r in kept}),
        "alpha": alpha,
        "alpha_level": "nominal",
        "alpha_ci95": interval,
    }


def _contributions(qid: str, rows: list) -> tuple[np.ndarray, np.ndarray]:
    """Per comment: pairable values (characters × answers outside, inside) and Σ o·δ (disagreeing pairs)."""
    if not rows:
        return np.zeros((0, 2)), np.zeros(0)
    comments, first = np.unique([r[0] for r in rows], return_index=True)
    length = np.array([rows[i][4] for i in first], dtype=np.int64)
    answers = np.diff(np.append(first, len(rows)))  # rows come ordered by comment
    offset = np.concatenate([[0], np.cumsum(length)[:-1]])
    position, step = [], []
    for r in rows:
        start = offset[np.searchsorted(comments, r[0])]
        for lo, hi in _merged(s for s in r[3] or [] if isinstance(s, dict) and s.get("question") == qid):
            lo, hi = max(0, lo), min(r[4], hi)
            if lo < hi:
                position += [start + lo, start + hi]
                step += [1, -1]
    order = np.argsort(position, kind="stable")
    position, step = np.asarray(position, dtype=np.int64)[order], np.asarray(step, dtype=np.int64)[order]
    inside = np.cumsum(step)[:-1]  # answers inside each stretch between two boundaries
    stretch = np.diff(position)
    comment = np.searchsorted(offset, position[:-1], side="right") - 1
    m = answers[comment]
    n_inside = np.bincount(comment, weights=stretch * inside, minlength=len(comments))
    disagreeing = np.bincount(comment, weights=stretch * 2.0 * inside * (m - inside) / (m - 1), minlength=len(comments))
    marginals = np.column_stack([answers * length - n_inside, n_inside]).astype(np.float64)
    return marginals, disagreeing


def _merged(spans: Iterable[dict[str, Any]]) -> list[tuple[int, int]]:
    """One annotator's spans as disjoint [start, end) stretches: overlapping spans count once."""
    merged: list[list[int]] = []
    for lo, hi in sorted((int(s["start"]), int(s["end"])) for s in spans):
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]
