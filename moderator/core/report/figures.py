"""The statement's charts, as PNG bytes (matplotlib's Agg backend, no display)."""

from __future__ import annotations

from typing import Any

from moderator.core.export.charts import empty_chart, new_figure, png_bytes


def agreement_intervals(agreement: dict[str, dict[str, Any]]) -> bytes:
    """α per question with its bootstrap 95 % interval, one row each."""
    rows = [(entry.get("label", qid), entry["alpha"], entry.get("alpha_ci95")) for qid, entry in agreement.items()
            if entry.get("alpha") is not None and "." not in qid]  # fmt: skip
    if not rows:
        return empty_chart("agreement", "No question has two answers on one comment yet")
    figure = new_figure(8.0, 0.5 + 0.45 * len(rows))
    axes = figure.add_subplot()
    for y, (_label, alpha, interval) in enumerate(rows):
        low, high = interval if interval else (alpha, alpha)
        axes.errorbar(alpha, y, xerr=[[alpha - low], [high - alpha]], fmt="o", color="#1f5f99", capsize=4)
    axes.set_yticks(range(len(rows)), [label for label, _, _ in rows])
    axes.invert_yaxis()
    axes.axvline(0.667, color="0.6", linestyle=":", linewidth=1)
    axes.axvline(0.8, color="0.6", linestyle="--", linewidth=1)
    axes.set_xlim(min(-0.1, min(r[1] for r in rows) - 0.1), 1.02)
    axes.set_xlabel("Krippendorff's α with bootstrap 95 % interval (dotted 0.667, dashed 0.8)")
    return png_bytes(figure)


def _horizontal() -> dict:
    """A horizontal box: ``orientation`` since matplotlib 3.10, ``vert`` (deprecated there) before."""
    import matplotlib

    newer = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 10)
    return {"orientation": "horizontal"} if newer else {"vert": False}


def exposure(per_person_day: dict[str, Any], cap: int) -> bytes:
    """A box of severe comments per person per day, against the daily cap."""
    if not per_person_day["n"]:
        return empty_chart("time", "No severe comment was labelled")
    figure = new_figure(8.0, 2.2)
    axes = figure.add_subplot()
    spread = per_person_day
    axes.bxp([{"med": spread["median"], "q1": spread["q1"], "q3": spread["q3"], "whislo": spread["min"],
               "whishi": spread["max"], "label": "per person-day"}], showfliers=False, **_horizontal())  # fmt: skip
    if cap:
        axes.axvline(cap, color="#b03030", linestyle="--", linewidth=1, label=f"daily cap {cap}")
        axes.legend(loc="lower right")
    axes.set_xlabel("severe comments labelled by one person in one day")
    return png_bytes(figure)


def time_per_item(histogram: dict[str, list[float]]) -> bytes:
    """How long items took, all annotators together (the card's chart names them; a statement does not)."""
    if not histogram["counts"]:
        return empty_chart("time", "No time recorded")
    figure = new_figure(8.0, 3.2)
    axes = figure.add_subplot()
    edges = histogram["edges"]
    axes.bar(edges[:-1], histogram["counts"], width=[b - a for a, b in zip(edges, edges[1:], strict=False)], align="edge",
             color="#1f5f99", edgecolor="white")  # fmt: skip
    axes.set_xlabel("seconds per item (the last bar holds the slowest 5 %)")
    axes.set_ylabel("labels")
    return png_bytes(figure)
