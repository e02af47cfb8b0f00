"""The labels of a table judged from every row at once: the reference the streamed reading
(``table_columns``, ``table_labels``) must agree with, as the importers did it before they streamed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import PriorLabel
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.csv_labels import (
    MAX_OPTIONS,
    Rows,
    classify,
    labels_schema,
    rater_answers,
    warn_strays,
)
from moderator.core.importing.formats.label_names import is_fraction_name, is_label_name, is_rater_array_name, share_columns
from moderator.core.importing.formats.rater_arrays import is_rater_array_column
from moderator.core.importing.options import ImportOptions


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
        question, convert, stray = classify(column, [c for c in cells if c[1]], share=i in shares)
        if claim(question, column) is None:
            continue
        kept.append(column)
        warn_strays(name, column, stray, "like the column's other values", options)
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
        positions, tokens = rater_answers(name, column, [(ln, row[i]) for ln, row in rows], options)
        question, convert, stray = classify(column, tokens, per_rater=True)
        if claim(question, column) is None:
            continue
        raters.append(column)
        warn_strays(name, column, stray, "like the other raters' answers", options)
        bad = set(stray)
        prefix = f"{stem}/" if len(arrays) == 1 else f"{stem}/{question['id']}/"
        for k, answers in enumerate(positions):
            for at, token in answers:
                if (rows[k][0], token) not in bad:
                    per_row[k].append(PriorLabel(f"{prefix}rater{at + 1}", {question["id"]: convert(token)}))
    if not questions:
        return None, per_row
    return labels_schema(name, kept, raters, annotator, questions), per_row
