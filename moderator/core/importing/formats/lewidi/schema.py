"""The label schema of a LeWiDi file's prior labels: one question per task and ``other_info`` label."""

from __future__ import annotations

from typing import Any

# ConvAbuse's severity scale, harmless first.
SEVERITY = (
    (1, "Not abusive"),
    (0, "Ambiguous"),
    (-1, "Mildly abusive"),
    (-2, "Strongly abusive"),
    (-3, "Very strongly abusive"),
)


class Question:
    __slots__ = ("id", "label", "source", "values")

    def __init__(self, qid: str, label: str, source: str):
        self.id = qid
        self.label = label
        self.source = source  # the task or other_info key it comes from
        self.values: set[int] = set()


def lewidi_schema(dataset: str, main: Question, others: list[Question], severity: bool) -> dict[str, Any]:
    """``"lewidi-<dataset>"`` version 1; ``severity``: the main question is ConvAbuse's abuse severity."""
    origin = f"the LeWiDi 2023 harmonised {dataset} data"
    questions = [_question(main, True, severity, origin, 'field "annotations"')]
    for q in others:
        questions.append(_question(q, False, False, origin, f'field other_info "{q.source}"'))
    return {
        "name": f"lewidi-{dataset}",
        "version": 1,
        "description": f"Per-annotator labels of {dataset} as released for LeWiDi 2023 (SemEval-2023 Task 11)",
        "guidelines": (
            f"Prior labels imported from {origin}: one annotation per original annotator, named "
            f'"{dataset}/<annotator>" (e.g. "{dataset}/Ann1").'
        ),
        "questions": questions,
    }


def _question(q: Question, main: bool, severity: bool, origin: str, field: str) -> dict[str, Any]:
    if severity:
        present = {v for v, _ in SEVERITY}
        options = [{"value": v, "label": f"{label} ({v})"} for v, label in SEVERITY]
        options += [{"value": v, "label": str(v)} for v in sorted(q.values - present)]
        kind = "ordinal"
        meaning = "abuse severity of the user turn: 1 not abusive, 0 ambiguous, -1 mildly, -2 strongly, -3 very strongly abusive"
    elif q.values <= {0, 1}:
        options = [{"value": 0, "label": "No (0)"}, {"value": 1, "label": "Yes (1)"}]
        kind = "nominal"
        meaning = "0 no, 1 yes"
    else:
        values = sorted(q.values if len(q.values) > 1 else q.values | {0, 1})
        options = [{"value": v, "label": str(v)} for v in values]
        kind = "ordinal"
        meaning = f"an integer scale from {values[0]} to {values[-1]}"
    source = f'"{q.source}"' if q.source else "the annotation task"
    return {
        "id": q.id,
        "label": q.label,
        "kind": kind,
        "required": main,
        "guideline": f"{source}, as each annotator answered it in {origin} ({field}): {meaning}.",
        "options": options,
    }
