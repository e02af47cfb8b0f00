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

from moderator.core.importing.drafts import PriorLabel
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.label_names import (
    is_fraction_name,
    is_label_name,
    is_rater_array_name,
    share_columns,
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


def detect_label_columns(header: Sequence[str], rows: Rows, skip: set[int]) -> tuple[list[int], list[int], set[int]]:
    """(aggregated label columns, rater-array columns, the aggregated ones that hold shares) among the
    columns not in ``skip``, as header indexes."""
    candidates = [i for i in range(len(header)) if i not in skip]
    scalars: list[int] = []
    arrays: list[int] = []
    for i in candidates:
        cells = (row[i] for _, row in rows)
        if is_rater_array_column(cells, MAX_OPTIONS, numbers_only=not is_rater_array_name(header[i])):
            arrays.append(i)
        elif is_label_name(header[i]):
            scalars.append(i)
    shares = {i for i in scalars if is_fraction_name(header[i])}
    if not scalars:
        rest = [i for i in candidates if i not in arrays]
        scalars = share_columns(rest, [[row[i] for _, row in rows] for i in rest])
        shares = set(scalars)
    return scalars, arrays, shares


def explicit_label_columns(header: Sequence[str], rows: Rows, columns: Sequence[int]) -> tuple[list[int], list[int], set[int]]:
    """Columns named as labels: rater arrays when their cells are, aggregated values otherwise."""
    arrays = [i for i in columns if is_rater_array_column((row[i] for _, row in rows), MAX_OPTIONS, numbers_only=False)]
    scalars = [i for i in columns if i not in arrays]
    return scalars, arrays, {i for i in scalars if is_fraction_name(header[i])}


def read_labels(
    name: str, line: int, header: Sequence[str], rows: Rows, columns: tuple[list[int], list[int], set[int]],
    explicit: bool, options: ImportOptions,
) -> tuple[dict[str, Any] | None, list[list[PriorLabel]]]:  # fmt: skip
    """The schema of the label columns (None if none holds labels) and each row's prior labels.

    ``columns``: the aggregated label columns, the rater-array ones, and the aggregated ones that hold
    shares (numbers kept as written even when all are whole). A detected column that holds free text
    is left as metadata only; a column named explicitly must hold labels, or the file is refused (at
    the header's ``line``).
    """
    scalars, arrays, shares = columns
    stem = PurePath(name).stem or name
    per_row: list[list[PriorLabel]] = [[] for _ in rows]
    questions: list[dict[str, Any]] = []

    def claim(question: dict[str, Any] | None, column: str) -> dict[str, Any] | None:
        if question is None:
            if explicit:
                raise ImportFailure(
                    name, line, f"the label column {column!r} holds free text, not labels (over {MAX_OPTIONS} distinct values)"
                )
            return None
        ids = {q["id"] for q in questions}
        while question["id"] in ids:
            question["id"] += "_2"
        questions.append(question)
        return question

    aggregate: list[dict[str, Any]] = [{} for _ in rows]
    kept: list[str] = []
    for i in scalars:
        column = header[i].strip()
        cells = [(ln, row[i].strip()) for ln, row in rows]
        question, convert, stray = _classify(column, [c for c in cells if c[1]], share=i in shares)
        if claim(question, column) is None:
            continue
        kept.append(column)
        _warn(name, column, stray, "like the column's other values", options)
        bad = {ln for ln, _ in stray}
        for k, (ln, cell) in enumerate(cells):
            if cell and ln not in bad:
                aggregate[k][question["id"]] = convert(cell)
    annotator = f"{stem}/aggregate"
    for k, values in enumerate(aggregate):
        if values:
            per_row[k].append(PriorLabel(annotator, values))

    raters: list[str] = []
    for i in arrays:
        column = header[i].strip()
        positions, tokens = _arrays(name, column, [(ln, row[i]) for ln, row in rows], options)
        question, convert, stray = _classify(column, tokens, per_rater=True)
        if claim(question, column) is None:
            continue
        raters.append(column)
        _warn(name, column, stray, "like the other raters' answers", options)
        bad = set(stray)
        prefix = f"{stem}/" if len(arrays) == 1 else f"{stem}/{question['id']}/"
        for k, answers in enumerate(positions):
            for at, token in answers:
                if (rows[k][0], token) not in bad:
                    per_row[k].append(PriorLabel(f"{prefix}rater{at + 1}", {question["id"]: convert(token)}))
    if not questions:
        return None, per_row
    return _schema(name, kept, raters, annotator, questions), per_row


def _schema(name: str, kept: list[str], raters: list[str], annotator: str, questions: list[dict[str, Any]]) -> dict[str, Any]:
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


def _arrays(name: str, column: str, cells: list[Cell], options: ImportOptions) -> tuple[list[list[tuple[int, str]]], list[Cell]]:
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


def _warn(name: str, column: str, stray: list[Cell], like: str, options: ImportOptions) -> None:
    for line, cell in stray:
        options.quirk(name, line, f"column {column!r}: {cell[:60]!r} is not a number {like}; left out")


def _whole(value: str) -> bool:
    if not _NUMBER.match(value):
        return False
    number = float(value)
    return number.is_integer() and abs(number) < 1e15


def _classify(
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
