"""A table's prior labels in two streamed passes, without holding every row's: first each label column is judged from a digest of its cells (counts, distinct values, the
few stray cells), then each row's labels are made from its cells as its thread is built (``TableLabels.row``).

The questions, values, warnings and refusals are those of reading every cell at once (the tests hold it
to that): the digest is handed to ``csv_labels.classify``, which decides from distinct values once stray
cells are set aside.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import PriorLabel
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.csv_labels import MAX_OPTIONS, classify, labels_schema, rater_answers, warn_strays
from moderator.core.importing.formats.rater_arrays import parse_array
from moderator.core.importing.options import ImportOptions

Rows = Iterable[tuple[int, Sequence[str]]]  # (line, cells) of every row, in file order; read once per column
Cell = tuple[int, str]

_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")  # csv_labels' test of a number
DISTINCT = 1000  # distinct values kept per kind: past a dozen no label has options, so more decide nothing


class _Digest:
    """What the classifier needs of a column's filled cells: counts, distinct values, and the cells that
    are no number while they may still be strays (one in twenty at most)."""

    def __init__(self, most_strays: int):
        self.most_strays = most_strays
        self.numbers = 0
        self.words: list[Cell] | None = []  # None: too many to be strays
        self.word_count = 0
        self.distinct: dict[bool, dict[str, None]] = {True: {}, False: {}}  # is a number -> values, first seen first

    def add(self, line: int, value: str) -> None:
        number = bool(_NUMBER.match(value))
        if number:
            self.numbers += 1
        else:
            self.word_count += 1
            if self.words is not None:
                self.words.append((line, value))
                if len(self.words) > self.most_strays:
                    self.words = None
        seen = self.distinct[number]
        if len(seen) <= DISTINCT:
            seen.setdefault(value, None)

    def classify(self, column: str, **kind: bool) -> tuple[dict[str, Any] | None, Callable[[str], Any], list[Cell]]:
        total, words = self.numbers + self.word_count, self.word_count
        if self.numbers and words and words <= max(1, total // 20) and words < self.numbers:
            assert self.words is not None  # words <= total // 20 <= most_strays
            question, convert, _ = classify(column, [(0, v) for v in self.distinct[True]], **kind)
            return question, convert, self.words
        cells = [(0, v) for v in (*self.distinct[True], *self.distinct[False])]
        if self.distinct[False]:  # as many words as values, so the classifier sets none aside as strays here either
            cells += [(0, next(iter(self.distinct[False])))] * len(cells)
        question, convert, _ = classify(column, cells, **kind)
        return question, convert, []


class TableLabels:
    """The label columns kept and how a row's cells become its prior labels."""

    def __init__(self, stem: str):
        self.annotator = f"{stem}/aggregate"
        self.schema: dict[str, Any] | None = None
        # (column, question id, convert, lines of stray cells) of each aggregated column kept
        self.scalars: list[tuple[int, str, Callable[[str], Any], set[int]]] = []
        # (column, question id, convert, stray (line, answer), pseudo-annotator prefix) of each rater-array column kept
        self.arrays: list[tuple[int, str, Callable[[str], Any], set[Cell], str]] = []

    def row(self, line: int, row: Sequence[str]) -> list[PriorLabel]:
        labels: list[PriorLabel] = []
        values = {}
        for i, qid, convert, bad in self.scalars:
            cell = row[i].strip()
            if cell and line not in bad:
                values[qid] = convert(cell)
        if values:
            labels.append(PriorLabel(self.annotator, values))
        for i, qid, convert, stray, prefix in self.arrays:
            answers = parse_array(row[i]) if row[i].strip() else None
            for at, token in enumerate(answers or ()):
                if token is not None and (line, token) not in stray:
                    labels.append(PriorLabel(f"{prefix}rater{at + 1}", {qid: convert(token)}))
        return labels


def plan_labels(
    name: str, line: int, header: Sequence[str], rows: Rows, count: int, columns: tuple[list[int], list[int], set[int]],
    explicit: bool, options: ImportOptions,
) -> TableLabels | None:  # fmt: skip
    """The label columns' questions (None if none holds labels), judged from ``count`` rows read once per column.

    A detected column of free text is left as metadata only; one named explicitly
    must hold labels, or the file is refused at the header's ``line``.
    """
    scalars, arrays, shares = columns
    stem = PurePath(name).stem or name
    plan = TableLabels(stem)
    questions: list[dict[str, Any]] = []
    most_strays = max(1, count // 20)

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

    kept: list[str] = []
    for i in scalars:
        column = header[i].strip()
        digest = _Digest(most_strays)
        for ln, row in rows:
            cell = row[i].strip()
            if cell:
                digest.add(ln, cell)
        question, convert, stray = digest.classify(column, share=i in shares)
        if claim(question, column) is None:
            continue
        assert question is not None
        kept.append(column)
        warn_strays(name, column, stray, "like the column's other values", options)
        plan.scalars.append((i, question["id"], convert, {ln for ln, _ in stray}))

    raters: list[str] = []
    for i in arrays:
        column = header[i].strip()
        digest = _Digest(max(1, _answers(rows, i) // 20))
        for ln, row in rows:
            _, tokens = rater_answers(name, column, [(ln, row[i])], options)  # a cell that is no array: a quirk, now
            for token_line, token in tokens:
                digest.add(token_line, token)
        question, convert, stray = digest.classify(column, per_rater=True)
        if claim(question, column) is None:
            continue
        assert question is not None
        raters.append(column)
        warn_strays(name, column, stray, "like the other raters' answers", options)
        prefix = f"{stem}/" if len(arrays) == 1 else f"{stem}/{question['id']}/"
        plan.arrays.append((i, question["id"], convert, set(stray), prefix))
    if not questions:
        return None
    plan.schema = labels_schema(name, kept, raters, plan.annotator, questions)
    return plan


def _answers(rows: Rows, at: int) -> int:
    """How many answers a column of rater arrays holds (a row has several)."""
    count = 0
    for _, row in rows:
        cell = row[at]
        values = parse_array(cell) if cell.strip() else None
        count += sum(1 for v in values or () if v is not None)
    return count
