"""What the data statement says, read from the database: each function one section's figures.

Everything here is aggregated: no section names a person (annotators appear as counts and spreads),
so the statement can travel with the dataset. Figures are read from the labels in force (an edit
supersedes, an undo takes back), as the exports give them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date
from statistics import median, quantiles
from typing import Any

import numpy as np
from sqlalchemy import Engine, func, select

from moderator.core.agreement.metrics import krippendorff_alpha, reliability
from moderator.core.labelling.log import current_rows_clause
from moderator.core.store import settings as stored
from moderator.core.store.tables import Annotation, Annotator, Comment, GoldLabel, ImportBatch, LabelSchemaRow, Thread

SUBMITTED = ("submitted", "late")


def corpus(engine: Engine) -> dict[str, Any]:
    """Threads, comments and where they came from (one line per import)."""
    with engine.connect() as conn:
        threads = conn.scalar(select(func.count()).select_from(Thread)) or 0
        comments = conn.scalar(select(func.count()).select_from(Comment)) or 0
        first, last = conn.execute(select(func.min(Comment.created_at), func.max(Comment.created_at))).one()
        sources = [
            {"format": b.format, "file": b.path.rsplit("/", 1)[-1], "threads": b.threads_added, "comments": b.comments_added,
             "imported": b.imported_at.date().isoformat() if b.imported_at else None}
            for b in conn.execute(select(ImportBatch).order_by(ImportBatch.id))
        ]  # fmt: skip
    span = [d.date().isoformat() for d in (first, last) if d is not None]
    return {"threads": threads, "comments": comments, "posted": span, "sources": sources}


def labelling(engine: Engine) -> dict[str, Any]:
    """Answers in force by status, annotators, guideline versions, time per item and its spread."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Annotation.annotator_id, Annotation.status, Annotation.duration_ms, Annotation.schema_id,
                   Annotation.values, Annotation.submitted_at, Annotation.action)
            .where(current_rows_clause())
        ).all()  # fmt: skip
        schemas = {r.id: r for r in conn.execute(select(LabelSchemaRow.id, LabelSchemaRow.name, LabelSchemaRow.version,
                                                                 LabelSchemaRow.sha256))}  # fmt: skip
        people = conn.scalar(select(func.count()).select_from(Annotator)) or 0
    imported = sum(1 for r in rows if r.action == "import")  # carried in with a dataset: no time, no screen
    made = [r for r in rows if r.action != "import"]
    statuses = Counter(r.status for r in rows)
    wellbeing_skips = sum(1 for r in rows if r.status == "skipped" and (r.values or {}).get("_skip_reason") == "wellbeing")
    times = sorted(r.duration_ms / 1000 for r in made if r.status in SUBMITTED and r.duration_ms)
    per_person = Counter(r.annotator_id for r in rows if r.status in SUBMITTED)
    versions = Counter(r.schema_id for r in rows)
    return {
        "labels": sum(statuses[s] for s in SUBMITTED),
        "imported": imported,
        "statuses": dict(statuses),
        "wellbeing_skips": wellbeing_skips,
        "annotators": len(per_person),
        "accounts": people,
        "labels_per_annotator": _spread(sorted(per_person.values())),
        "seconds_per_item": _spread(times),
        "seconds_histogram": _histogram(times),
        "hours": sum(times) / 3600,
        "guideline_versions": [
            {"name": schemas[sid].name, "version": schemas[sid].version, "sha256": schemas[sid].sha256[:12], "labels": n}
            for sid, n in sorted(versions.items())
        ],
        "days": len({r.submitted_at.date() for r in made if r.submitted_at}),
    }


def adjudication(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        decisions = conn.scalar(select(func.count()).select_from(GoldLabel)) or 0
        comments = conn.scalar(select(func.count(func.distinct(GoldLabel.comment_id)))) or 0
        reviewers = conn.scalar(select(func.count(func.distinct(GoldLabel.reviewer_id)))) or 0
    return {"decisions": decisions, "comments": comments, "reviewers": reviewers}


def provenance(engine: Engine) -> dict[str, Any]:
    """How the labels were made: shares of labels with the context, the hint, a blur on screen; first keys."""
    with engine.connect() as conn:
        facts = conn.scalars(
            select(Annotation.provenance).where(
                current_rows_clause(), Annotation.status.in_(SUBMITTED), Annotation.action != "import"
            )
        ).all()
    recorded = [f for f in facts if f]
    share = {
        name: sum(1 for f in recorded if f.get(name)) / len(recorded) if recorded else None
        for name in (
            "article_shown",
            "parent_shown",
            "named_parent_shown",
            "siblings_opened",
            "hint_shown",
            "blurred",
            "revealed",
        )
    }
    first_keys = sorted(f["first_key_ms"] / 1000 for f in recorded if isinstance(f.get("first_key_ms"), int))
    return {"labels": len(facts), "recorded": len(recorded), "share": share, "seconds_to_first_key": _spread(first_keys)}


def conditions(engine: Engine) -> dict[str, Any]:
    """Labels per experimental arm, with each arm's answer distribution per choice question."""
    with engine.connect() as conn:
        experiment = stored.experiment(conn)
        rows = conn.execute(
            select(Annotation.comment_id, Annotation.annotator_id, Annotation.values, Annotation.provenance).where(
                current_rows_clause(), Annotation.status.in_(SUBMITTED)
            )
        ).all()
    arms: dict[str, dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    ratings: dict[str, dict[str, list[tuple[int, int, Any]]]] = defaultdict(lambda: defaultdict(list))
    sizes: Counter = Counter()
    for comment_id, annotator_id, values, facts in rows:
        condition = (facts or {}).get("condition")
        if not condition:
            continue
        arm = f"{condition['factor']} {condition['arm']}"
        sizes[arm] += 1
        for qid, value in (values or {}).items():
            if not qid.startswith("_") and isinstance(value, str | int | float) and not isinstance(value, bool):
                arms[arm][qid][value] += 1
                ratings[arm][qid].append((comment_id, annotator_id, value))
    where = None if experiment is None else {"factor": experiment.factor, "unit": experiment.unit, "seed": experiment.seed}
    return {
        "experiment": where,
        "labels": dict(sizes),
        "distributions": {arm: {q: dict(c) for q, c in qs.items()} for arm, qs in arms.items()},
        "alpha": {arm: {q: _nominal_alpha(r) for q, r in qs.items()} for arm, qs in ratings.items()},
    }


def _nominal_alpha(ratings: list[tuple[int, int, Any]]) -> float | None:
    """Krippendorff's α (nominal) of one arm's answers to one question: agreement within the condition."""
    domain = sorted({value for _, _, value in ratings}, key=str)
    items, annotators, values = zip(*((c, a, domain.index(v)) for c, a, v in ratings), strict=True)
    return krippendorff_alpha(reliability(items, annotators, values, list(range(len(domain)))), "nominal")


def wellbeing(engine: Engine, level_of) -> dict[str, Any]:
    """The measures in place, and exposure: severe comments each person answered per day (a spread)."""
    severe: dict[int, bool] = {}  # per labelled comment: judged once, however many labels it has
    per_day: Counter[tuple[int, date]] = Counter()
    with engine.connect() as conn:
        config = stored.wellbeing_config(conn)
        rows = conn.execution_options(stream_results=True, yield_per=2000).execute(
            select(Annotation.annotator_id, Annotation.submitted_at, Comment.id, Comment.text)
            .join(Comment, Comment.id == Annotation.comment_id)
            .where(current_rows_clause(), Annotation.action != "import")  # read in this app, by these people
        )
        for row in rows:
            if row.id not in severe:
                severe[row.id] = level_of(row.text)
            if severe[row.id] and row.submitted_at is not None:
                per_day[(row.annotator_id, row.submitted_at.date())] += 1
    return {"config": asdict(config), "severe_comments": sum(severe.values()),
            "severe_per_person_day": _spread(sorted(per_day.values()))}  # fmt: skip


def _histogram(values: list[float], bins: int = 20) -> dict[str, list[float]]:
    """Counts of ``values`` in equal bins up to the 95th percentile (the rest in the last bin)."""
    if not values:
        return {"edges": [], "counts": []}
    top = float(np.percentile(values, 95)) or max(values) or 1.0
    counts, edges = np.histogram(np.minimum(values, top), bins=bins, range=(0.0, top))
    return {"edges": edges.tolist(), "counts": counts.tolist()}


def _spread(values: list[float]) -> dict[str, Any]:
    """n, median, quartiles and the extremes of sorted ``values`` (None each when there are none)."""
    if not values:
        return {"n": 0, "median": None, "q1": None, "q3": None, "min": None, "max": None}
    q1, _, q3 = quantiles(values, n=4, method="inclusive") if len(values) > 1 else (values[0],) * 3
    return {"n": len(values), "median": median(values), "q1": q1, "q3": q3, "min": values[0], "max": values[-1]}
