"""The extended report as text: each question's own α with its interval, and a competence table."""

from __future__ import annotations

from typing import Any

ALPHA_HEADS = ("α", "95% CI")
ALPHA_NOTE = (
    "α: the question's own α (ordinal for ordinal questions, MASI over whole sets for multi questions, "
    "characters for spans); 95% CI: bootstrap over comments"
)
MODELS = (("dawid_skene", "Dawid–Skene"), ("mace", "MACE"))


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def alpha_cells(entry: dict[str, Any]) -> tuple[str, str]:
    interval = entry.get("alpha_ci95")
    shown = "-" if interval is None else f"[{interval[0]:.3f}, {interval[1]:.3f}]"
    return _number(entry.get("alpha")), shown


def competence_lines(report: dict[str, dict]) -> list[str]:
    """Per question with models: each annotator's competence, most competent by Dawid–Skene first."""
    out: list[str] = []
    for qid, entry in report.items():
        found = {key: (entry.get(key) or {}).get("competence", {}) for key, _ in MODELS}
        people = sorted(set().union(*found.values()), key=lambda p: (-found["dawid_skene"].get(p, -1.0), p))
        if not people:
            continue
        width = max(len(p) for p in [*people, "annotator"])
        out += ["", f"{qid}: competence (Dawid–Skene: expected accuracy; MACE: probability of not answering at random)"]
        out.append(f"  {'annotator'.ljust(width)}  {'Dawid–Skene':>11}  {'MACE':>6}")
        for p in people:
            ds, mace = found["dawid_skene"].get(p), found["mace"].get(p)
            out.append(f"  {p.ljust(width)}  {_number(ds):>11}  {_number(mace):>6}")
    return out
