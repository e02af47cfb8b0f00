"""Aggregated labels in a CSV (a majority vote, a mean toxicity score, a soft-label share) as prior labels.

Label columns are found by name (``is_toxic``, ``toxicity_mean``, ``label``, ``hate_speech``...) or
given in ``ColumnMap.labels``. Each becomes a question of a schema made for the file, and every row's
values one annotation by the pseudo-annotator ``<file>/aggregate`` (the source's aggregate, not a
person). Whole numbers make an ordinal question (0/1: yes/no), a few distinct words a nominal one;
fractions (means, shares) cannot be options, so they are kept exactly as written in a text question.
The columns also stay in the comment's metadata, as every unmapped column does.
"""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import PriorLabel, ThreadDraft
from moderator.core.importing.errors import ImportFailure

_WORDS = (
    r"toxic|toxicity|severe_toxic|severe_toxicity|obscene|threat|insult|identity_attack|identity_hate|sexual_explicit"
    r"|hate|hateful|hate_speech|offensive|abusive|abuse|aggressive|aggression|dehumanizing|dehumanization"
    r"|constructive|constructiveness|label|labels|hard_label|soft_label|majority|majority_label|gold_label"
)
_SUFFIX = r"mean|avg|average|score|level|label|majority|prob|probability|proportion|share|popular_answer_1|confidence|confidence_answer1"
LABEL_NAME = re.compile(rf"^(?:is_)?(?:{_WORDS})(?:_(?:{_SUFFIX}))?$")
_INT = re.compile(r"^[+-]?\d+$")
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
MAX_OPTIONS = 12  # more distinct words than this is free text, not a label
MAX_OPTION_LENGTH = 40

# Labels for the SFU Constructiveness and Toxicity Corpus's columns (its toxicity scale is the default schema's).
_SFU_TOXICITY = {1: "Not toxic (1)", 2: "Mildly toxic (2)", 3: "Toxic (3)", 4: "Very toxic (4)"}
_KNOWN = {
    "is_toxic_popular_answer_1": ("Toxicity (crowd majority)", _SFU_TOXICITY),
    "is_toxic_confidence_answer1": ("Toxicity: share of the crowd giving the majority answer", None),
    "is_constructive": ("Constructive (crowd majority)", None),
    "is_constructive_confidence": ("Constructive: share of the crowd giving the majority answer", None),
}


def question_id(column: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", column.strip().lower()).strip("_") or "label"


def detect_label_columns(header: list[str], mapped: set[int]) -> list[str]:
    """Unmapped header columns whose name says they hold an aggregated label."""
    return [c for i, c in enumerate(header) if i not in mapped and LABEL_NAME.match(question_id(c))]


def attach(name: str, line: int, drafts: list[ThreadDraft], columns: list[str], explicit: bool) -> None:
    """Add each comment's values in ``columns`` (metadata keys) as one prior label, and the schema to every thread.

    A detected column that holds free text is left as metadata only; a column named explicitly must
    hold labels, or the file is refused.
    """
    comments = [c for d in drafts for c in d.comments]
    questions = []
    kept = []
    for column in columns:
        key = column.strip()
        cells = [c.metadata.get(key, "").strip() for c in comments]
        question = _question(key, [v for v in cells if v])
        if question is None:
            if explicit:
                raise ImportFailure(
                    name, line, f"the label column {column!r} holds free text, not labels (over {MAX_OPTIONS} distinct values)"
                )
            continue
        ids = {q["id"] for q in questions}
        while question["id"] in ids:
            question["id"] += "_2"
        questions.append(question)
        kept.append((key, question))
    if not questions:
        return
    annotator = f"{PurePath(name).stem or name}/aggregate"
    for comment in comments:
        values: dict[str, Any] = {}
        for key, question in kept:
            cell = comment.metadata.get(key, "").strip()
            if cell:
                numeric = question["kind"] != "text" and type(question["options"][0]["value"]) is int
                values[question["id"]] = int(cell) if numeric else cell
        if values:
            comment.prior_labels.append(PriorLabel(annotator, values))
    schema = {
        "name": f"{PurePath(name).stem or 'csv'}-aggregate",
        "version": 1,
        "description": f"Aggregated labels that {PurePath(name).name} carries, one annotation per comment",
        "guidelines": f'Prior labels imported from the columns {", ".join(repr(k) for k, _ in kept)}, by the pseudo-annotator "{annotator}".',
        "questions": questions,
    }
    for draft in drafts:
        draft.prior_schema = schema


def _question(column: str, values: list[str]) -> dict[str, Any] | None:
    qid = question_id(column)
    label, names = _KNOWN.get(qid, (column, None))
    guideline = f'Column "{column}" of the imported file'
    distinct = sorted(set(values))
    if not distinct:
        return None
    if all(_INT.match(v) for v in distinct) and len(distinct) <= MAX_OPTIONS:
        numbers = sorted({int(v) for v in distinct} | (set(names) if names else set()))
        if len(numbers) == 1:
            numbers = sorted(set(numbers) | {0, 1})
        if set(numbers) == {0, 1}:
            options = [{"value": 0, "label": "No (0)"}, {"value": 1, "label": "Yes (1)"}]
            return {"id": qid, "label": label, "kind": "nominal", "guideline": guideline + ": 0 no, 1 yes.", "options": options}
        options = [{"value": n, "label": (names or {}).get(n, str(n))} for n in numbers]
        return {"id": qid, "label": label, "kind": "ordinal", "guideline": guideline + ".", "options": options}
    if all(_NUMBER.match(v) for v in distinct):
        return {"id": qid, "label": label, "kind": "text", "guideline": guideline + ": a number, kept as written."}
    if len(distinct) <= MAX_OPTIONS and all(len(v) <= MAX_OPTION_LENGTH for v in distinct):
        words = distinct if len(distinct) > 1 else distinct + ["(other)"]
        options = [{"value": w, "label": w} for w in words]
        return {"id": qid, "label": label, "kind": "nominal", "guideline": guideline + ".", "options": options}
    return None
