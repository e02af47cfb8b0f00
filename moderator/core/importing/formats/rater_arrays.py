"""Cells that hold one answer per rater: ``[0. 1. 0.]`` (NumPy's print), ``[0, 1, 0]``, ``["yes", "no"]`` (JSON).

Position i of the array is rater i: the pseudo-annotator ``<file>/rater<i+1>`` (``<file>/<question>/rater<i+1>``
when a table has more than one such column, as its columns' raters need not be the same people).
Every position with a value is one answer of that rater; ``nan``, ``None``, ``null`` and an empty
position are no answer. Positions only say which answers came from one rater within a row: rater 1
of one row and rater 1 of the next need not be one person, which Krippendorff's α does not ask.

Numbers written as floats (``1.``, ``0.0``: NumPy writes floats when a row has a NaN) that are whole
are whole numbers, so ``[0. 1. nan]`` is the answers 0 and 1.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

NO_ANSWER = frozenset({"", "nan", "none", "null", "na", "n/a", "-"})
MAX_RATERS = 200  # a longer array is not one row's raters (an embedding, a list of ids)
_ARRAY = re.compile(r"^\s*\[(.*)\]\s*$", re.DOTALL)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")


def parse_array(cell: str) -> list[str | None] | None:
    """The positions of a rater array as text (None: no answer); None if the cell is not an array.

    ``"[0. 1. nan]"`` is ``["0", "1", None]``, ``'["a", null]'`` is ``["a", None]``. Whole floats are
    written as whole numbers; other values as they stand.
    """
    match = _ARRAY.match(cell)
    if match is None:
        return None
    inner = match.group(1).strip()
    if not inner:
        return []
    if '"' in inner:
        try:
            values = json.loads(f"[{inner}]")
        except ValueError:
            values = None
        if isinstance(values, list) and all(v is None or isinstance(v, (str, int, float)) for v in values):
            return [_token(str(v)) if v is not None else None for v in values]
    if "[" in inner or "{" in inner:
        return None  # nested: not one answer per position
    parts = inner.split(",") if "," in inner else inner.split()
    return [_token(p.strip().strip("'\"")) for p in parts]


def _token(text: str) -> str | None:
    text = text.strip()
    if text.lower() in NO_ANSWER:
        return None
    if _NUMBER.match(text):
        number = float(text)
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
    return text


def is_rater_array_column(cells: Iterable[str], max_options: int, numbers_only: bool) -> bool:
    """Whether the filled cells are rater arrays with at most ``max_options`` distinct answers in all.

    A stray cell that is not an array (one in twenty at most) does not change that: reading the
    labels warns about it. ``numbers_only``: the column is recognised by its cells alone (not its
    name), so the answers must be whole numbers: a column of tag lists or token ids is not ratings.
    """
    arrays = strays = 0
    answers: set[str] = set()
    for cell in cells:
        if not cell.strip():
            continue
        values = parse_array(cell)
        if values is None or len(values) > MAX_RATERS:
            strays += 1
            continue
        arrays += 1
        answers.update(v for v in values if v is not None)
        if len(answers) > max_options:
            return False
    if not answers or strays > max(1, (arrays + strays) // 20) or strays >= arrays:
        return False
    return not numbers_only or all(_whole(v) for v in answers)


def _whole(text: str) -> bool:
    return text.lstrip("+-").isdigit()
