"""Charts of a project as PNG bytes: label distribution, progress, agreement, time per item.

matplotlib with the Agg canvas and its object API (no pyplot state, no Qt), imported only when a chart
is drawn so the command line starts lean. Blind labelling holds: an annotator's charts show only their
own labels, and agreement (everyone's answers compared) is for reviewers and admins only.
"""

from __future__ import annotations

import io
import json
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import Engine, Text, cast, func, select

from moderator.core.export.layout import label_columns
from moderator.core.labelling.log import current_rows_clause
from moderator.core.store.tables import Annotation, Annotator
from moderator.core.team.accounts import Account, AuthError

CHARTS = ("labels", "progress", "agreement", "time")
TITLES = {"labels": "Labels per question", "progress": "Progress", "agreement": "Agreement", "time": "Time per item"}
MAX_PANELS = 6
MAX_POINTS = 2000  # per annotator line: enough for the eye, light for the renderer


def render(engine: Engine, kind: str, viewer: Account | None = None, question: str | None = None) -> bytes:
    """The chart ``kind`` (one of CHARTS) as PNG bytes; ``question`` narrows labels/agreement to one question.

    Raises AuthError when an annotator asks for agreement; a database without labels gives a chart
    that says so.
    """
    if kind not in CHARTS:
        raise ValueError(f"unknown chart {kind!r} (known: {', '.join(CHARTS)})")
    if kind == "agreement" and viewer is not None and not viewer.sees_all:
        raise AuthError("agreement compares everyone's answers: reviewers and admins only (labelling is blind)")
    mine = None if viewer is None or viewer.sees_all else viewer.id
    draw = {"labels": _labels, "progress": _progress, "agreement": _agreement, "time": _time}[kind]
    return draw(engine, mine, question)


def _current(mine: int | None):
    clause = [current_rows_clause(), Annotation.status == "submitted"]
    if mine is not None:
        clause.append(Annotation.annotator_id == mine)
    return clause


def new_figure(width: float = 8.0, height: float = 4.5):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def png_bytes(figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def empty_chart(kind: str, message: str = "No labels yet") -> bytes:
    figure = new_figure()
    axes = figure.add_subplot()
    axes.set_axis_off()
    axes.set_title(TITLES[kind])
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=16, color="0.4", transform=axes.transAxes)
    return png_bytes(figure)


def label_counts(engine: Engine, mine: int | None = None) -> dict[str, Counter]:
    """Submitted answers in force per choice question and option (a multi answer counts each option)."""
    with engine.connect() as conn:
        columns = [c for c in label_columns(conn) if c.choice]
        rows = conn.execute(
            select(Annotation.schema_id, cast(Annotation.values, Text), func.count())
            .where(*_current(mine))
            .group_by(Annotation.schema_id, cast(Annotation.values, Text))
        ).all()
    counts: dict[str, Counter] = {c.id: Counter({o: 0 for o in c.options}) for c in columns}
    for schema_id, raw, n in rows:  # one row per distinct answer combination
        values = json.loads(raw) if raw else {}
        for c in columns:
            fitted = c.fit(values.get(c.id), schema_id in c.schemas)
            for v in fitted if isinstance(fitted, list) else [fitted]:
                if v is not None:
                    counts[c.id][v] += n
    return counts


def _labels(engine: Engine, mine: int | None, question: str | None) -> bytes:
    counts = label_counts(engine, mine)
    if question is not None:
        counts = {question: counts.get(question, Counter())}
    shown = [(q, c) for q, c in counts.items() if sum(c.values())][:MAX_PANELS]
    if not shown:
        return empty_chart("labels")
    cols = min(3, len(shown))
    rows = (len(shown) + cols - 1) // cols
    figure = new_figure(4.0 * cols, 3.2 * rows)
    for i, (qid, counter) in enumerate(shown, 1):
        axes = figure.add_subplot(rows, cols, i)
        names = [str(v) for v in counter]
        bars = axes.bar(names, list(counter.values()), color="#4C72B0")
        axes.bar_label(bars, fontsize=8)
        axes.set_title(qid)
        axes.tick_params(axis="x", labelrotation=30 if max(map(len, names)) > 6 else 0, labelsize=8)
        axes.set_ylabel("answers")
    figure.suptitle(TITLES["labels"])
    return png_bytes(figure)


def _by_annotator(engine: Engine, mine: int | None, column) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    with engine.connect() as conn:
        stmt = (
            select(Annotator.name, column)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(*_current(mine), column.is_not(None))
            .order_by(Annotation.submitted_at)
        )
        for name, value in conn.execute(stmt):
            found[name].append(value)
    return found


def _progress(engine: Engine, mine: int | None, question: str | None) -> bytes:
    import numpy as np

    times = _by_annotator(engine, mine, Annotation.submitted_at)
    if not times:
        return empty_chart("progress")
    figure = new_figure()
    axes = figure.add_subplot()
    for name, moments in sorted(times.items(), key=lambda kv: -len(kv[1]))[:12]:
        step = max(1, len(moments) // MAX_POINTS)
        picks = list(range(0, len(moments), step)) + [len(moments) - 1]
        axes.step([moments[i] for i in picks], np.array(picks) + 1, where="post", label=f"{name} ({len(moments):,})")
    axes.set_title("Submitted labels over time")
    axes.set_ylabel("labels in force (cumulative)")
    axes.legend(fontsize=8, loc="upper left")
    figure.autofmt_xdate()
    return png_bytes(figure)


def _agreement(engine: Engine, mine: int | None, question: str | None) -> bytes:
    from moderator.core.agreement.report import agreement_report

    report = agreement_report(engine, [question] if question else None)
    bars = []
    for qid, entry in report.items():
        alpha = (
            entry.get("krippendorff_alpha_ordinal")
            if entry.get("krippendorff_alpha_ordinal") is not None
            else entry.get("krippendorff_alpha_nominal")
        )
        if alpha is not None:
            bars.append((qid, alpha, entry.get("pairable_items", 0)))
    if not bars:
        return empty_chart("agreement", "No comment has two answers yet")
    figure = new_figure(max(7.0, 0.6 * len(bars) + 2), 4.5)
    axes = figure.add_subplot()
    colours = ["#55A868" if a >= 0.667 else "#DD8452" if a >= 0.4 else "#C44E52" for _, a, _ in bars]
    drawn = axes.bar([q for q, _, _ in bars], [a for _, a, _ in bars], color=colours)
    axes.bar_label(drawn, labels=[f"{a:.2f}\nn={n}" for _, a, n in bars], fontsize=8)
    axes.axhline(0.667, color="0.5", linestyle="--", linewidth=1)
    axes.text(1.0, 0.667, "0.667", color="0.4", fontsize=8, ha="right", va="bottom", transform=axes.get_yaxis_transform())
    axes.set_ylim(min(0.0, min(a for _, a, _ in bars) - 0.1), 1.1)
    axes.set_ylabel("Krippendorff's α")
    axes.set_title("Krippendorff's α per question (ordinal where the options are ordered)", fontsize=10)
    axes.tick_params(axis="x", labelrotation=30, labelsize=8)
    return png_bytes(figure)


def _time(engine: Engine, mine: int | None, question: str | None) -> bytes:
    durations = _by_annotator(engine, mine, Annotation.duration_ms)
    if not durations:
        return empty_chart("time", "No timed labels yet")
    names = sorted(durations)[:20]
    figure = new_figure(max(6.0, 0.5 * len(names) + 3), 4.5)
    axes = figure.add_subplot()
    axes.boxplot([[d / 1000 for d in durations[n]] for n in names], showfliers=False)
    axes.set_xticks(range(1, len(names) + 1), [f"{n}\n({len(durations[n]):,})" for n in names], fontsize=8)
    axes.set_ylabel("seconds per item")
    axes.set_title("Time per item, per annotator (outliers hidden)")
    return png_bytes(figure)
