"""Labels in a table's columns as prior labels: aggregated values (a majority vote, a mean score, a share) and rater arrays.

Label columns are found by name (``label_names``: ``is_toxic``, ``isHate``, ``toxicity_mean``,
``label_*``...), by their cells (a column of rater arrays of whole numbers; a table of only [0, 1]
shares) or given in ``ColumnMap.labels``. Each becomes a question of a schema made for the file:

* An aggregated column's values are one annotation per row by the pseudo-annotator
  ``<file>/aggregate`` (the source's aggregate, not a person).
* A rater-array column (``rater_arrays``) gives one annotation per rater with an answer, by
  ``<file>/rater<i+1>`` for position i.

Values: whole numbers (``1``, or ``1.0`` as a data frame writes them) make an ordinal question, 0/1 a
nominal yes/no; a few distinct words a nominal one. Fractions (means, shares) cannot be options (a
schema's options are strings or integers and it has no number question), so they are kept exactly as
written in a text question. A column of numbers with a stray word or two ("No" in a 0/1 column: at
most one cell in twenty) keeps its numbers; each stray cell is left out with a warning (``--strict``:
the file is refused). The columns also stay in the comment's metadata, as every unmapped column does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import Any

from moderator.core.importing.formats.label_names import (
    is_fraction_name,
    snake,
)
from moderator.core.importing.formats.rater_arrays import is_rater_array_column, parse_array
from moderator.core.importing.options import ImportOptions

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

Rows = Sequence[tuple[int, Sequence[str]]]  # (line, cells) of every row, in file order
Cell = tuple[int, str]  # (line, value)


def question_id(column: str) -> str:
    return snake(column) or "label"


def explicit_label_columns(header: Sequence[str], rows: Rows, columns: Sequence[int]) -> tuple[list[int], list[int], set[int]]:
    """Columns named as labels: rater arrays when their cells are, aggregated values otherwise."""
    arrays = [i for i in columns if is_rater_array_column((row[i] for _, row in rows), MAX_OPTIONS, numbers_only=False)]
    scalars = [i for i in columns if i not in arrays]
    return scalars, arrays, {i for i in scalars if is_fraction_name(header[i])}


def labels_schema(
    name: str, kept: list[str], raters: list[str], annotator: str, questions: list[dict[str, Any]]
) -> dict[str, Any]:
    stem = PurePath(name).stem or "csv"
    said = []
    if kept:
        said.append(f'aggregated labels from the columns {", ".join(map(repr, kept))}, by the pseudo-annotator "{annotator}"')
    if raters:
        said.append(
            f"one answer per rater from the columns {', '.join(map(repr, raters))}: position i of a cell's array is "
            f'the pseudo-annotator "{stem}/rater<i+1>"' + (" of that column" if len(raters) > 1 else "")
        )
    return {
        "name": f"{stem}-aggregate" if not raters else f"{stem}-labels",
        "version": 1,
        "description": f"Labels that {PurePath(name).name} carries",
        "guidelines": "Prior labels imported: " + "; ".join(said) + ".",
        "questions": questions,
    }


def rater_answers(
    name: str, column: str, cells: list[Cell], options: ImportOptions
) -> tuple[list[list[tuple[int, str]]], list[Cell]]:
    """Each row's (position, answer) pairs and every answer with its line; a cell that is no array is left out."""
    positions: list[list[tuple[int, str]]] = []
    tokens: list[Cell] = []
    for line, cell in cells:
        values = parse_array(cell) if cell.strip() else []
        if values is None:
            options.quirk(
                name,
                line,
                f"column {column!r}: {cell.strip()[:60]!r} is not a rater array like the column's other cells; left out",
            )
            values = []
        answers = [(at, v) for at, v in enumerate(values) if v is not None]
        positions.append(answers)
        tokens += [(line, v) for _, v in answers]
    return positions, tokens


def warn_strays(name: str, column: str, stray: list[Cell], like: str, options: ImportOptions) -> None:
    for line, cell in stray:
        options.quirk(name, line, f"column {column!r}: {cell[:60]!r} is not a number {like}; left out")


def _whole(value: str) -> bool:
    if not _NUMBER.match(value):
        return False
    number = float(value)
    return number.is_integer() and abs(number) < 1e15


def classify(
    column: str, cells: list[Cell], per_rater: bool = False, share: bool = False
) -> tuple[dict[str, Any] | None, Callable[[str], Any], list[Cell]]:
    """The question a column's filled cells answer, how a cell becomes its value, and the stray cells left out."""
    qid = question_id(column)
    label, names = _KNOWN.get(qid, (column, None))
    guideline = f'Column "{column}" of the imported file' + (
        ": one answer per rater (position in the cell's array)" if per_rater else ""
    )
    stray: list[Cell] = []
    numeric = [c for c in cells if _NUMBER.match(c[1])]
    if numeric and len(numeric) < len(cells):
        others = len(cells) - len(numeric)
        if others <= max(1, len(cells) // 20) and others < len(numeric):
            stray = [c for c in cells if not _NUMBER.match(c[1])]
            cells = numeric
    distinct = sorted({v for _, v in cells})
    if not distinct:
        return None, str, stray
    if not share and all(_whole(v) for v in distinct) and len({int(float(v)) for v in distinct}) <= MAX_OPTIONS:
        numbers = sorted({int(float(v)) for v in distinct} | (set(names) if names else set()))
        if len(numbers) == 1:
            numbers = sorted(set(numbers) | {0, 1})
        whole: Callable[[str], Any] = lambda v: int(float(v))  # noqa: E731
        if set(numbers) == {0, 1}:
            options = [{"value": 0, "label": "No (0)"}, {"value": 1, "label": "Yes (1)"}]
            question = {
                "id": qid,
                "label": label,
                "kind": "nominal",
                "guideline": guideline + ": 0 no, 1 yes.",
                "options": options,
            }
            return question, whole, stray
        options = [{"value": n, "label": (names or {}).get(n, str(n))} for n in numbers]
        return {"id": qid, "label": label, "kind": "ordinal", "guideline": guideline + ".", "options": options}, whole, stray
    if all(_NUMBER.match(v) for v in distinct):
        return {"id": qid, "label": label, "kind": "text", "guideline": guideline + ": a number, kept as written."}, str, stray
    if len(distinct) <= MAX_OPTIONS and all(len(v) <= MAX_OPTION_LENGTH for v in distinct):
        words = distinct if len(distinct) > 1 else distinct + ["(other)"]
        options = [{"value": w, "label": w} for w in words]
        return {"id": qid, "label": label, "kind": "nominal", "guideline": guideline + ".", "options": options}, str, stray
    return None, str, stray
