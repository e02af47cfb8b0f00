"""Which table columns hold labels, judged by their names (and, for a bare table of shares, by their cells).

Names are compared in one normal form (``snake``): camelCase split, lower case, any run of other
characters one ``_``. So ``isHate``, ``IsHate``, ``is-hate`` and ``is_hate`` are one name, ``is_hate``.

An aggregated label column (``is_label_name``) is named

* by a label word, optionally with ``is_`` before and a known suffix after (``toxic``, ``is_toxic``,
  ``toxicity_mean``, ``hate_speech``, ``constructive_level``...);
* or ``label_<anything>`` / ``<anything>_label``;
* or ``<anything>_mean``, ``_avg``, ``_average``, ``_share`` or ``_proportion`` (a crowd's mean or
  share: ``violence_share``).

A column of rater arrays (one answer per rater in a cell, ``[0. 1. 0.]``) may also be named for the
answers themselves (``annotations``, ``ratings``, ``votes``, ``judgements``...: ``is_rater_array_name``);
as scalars such names are too often counts (a post's votes) to be taken for labels.

A table whose unmapped columns are all numbers in [0, 1] (the text, then one share per category, as
in ETHOS's multi-label file) has label columns whatever their names: ``share_columns``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_WORDS = (
    r"toxic|toxicity|severe_toxic|severe_toxicity|obscene|threat|insult|identity_attack|identity_hate|sexual_explicit"
    r"|hate|hateful|hate_speech|offensive|abusive|abuse|aggressive|aggression|dehumanizing|dehumanization"
    r"|constructive|constructiveness|label|labels|hard_label|soft_label|majority|majority_label|gold_label"
)
_SUFFIX = r"mean|avg|average|score|level|label|majority|prob|probability|proportion|share|popular_answer_1|confidence|confidence_answer1"
LABEL_NAME = re.compile(rf"^(?:is_)?(?:{_WORDS})(?:_(?:{_SUFFIX}))?$")
_AGGREGATE_ENDS = ("_mean", "_avg", "_average", "_share", "_proportion")
_ANSWER_WORDS = frozenset(
    {"label", "labels", "annotation", "annotations", "rating", "ratings", "vote", "votes", "judgment", "judgments", "judgement", "judgements",
     "rater", "raters", "codes", "answers"}
)  # fmt: skip
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
# A pandas or R row index written with the table: "Unnamed: 0", or a column with no name at all.
_INDEX_NAME = re.compile(r"^(?:unnamed: ?\d+|index)?$", re.IGNORECASE)
_INT = re.compile(r"^\d+$")

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(column: str) -> str:
    """The normal form of a column name: ``"isHate"`` and ``"Is Hate"`` are ``"is_hate"``; ``""`` for no name."""
    return re.sub(r"[^0-9a-z]+", "_", _CAMEL.sub("_", column.strip()).lower()).strip("_")


def is_label_name(column: str) -> bool:
    key = snake(column)
    if not key:
        return False
    return bool(LABEL_NAME.match(key)) or key.startswith("label_") or key.endswith(("_label", *_AGGREGATE_ENDS))


_FRACTION_ENDS = (*_AGGREGATE_ENDS, "_prob", "_probability", "_confidence", "_fraction", "_ratio", "_pct")


def is_fraction_name(column: str) -> bool:
    """A name that says its numbers are shares or means, even those that happen to be whole (``hate_share``)."""
    return snake(column).endswith(_FRACTION_ENDS)


def is_rater_array_name(column: str) -> bool:
    return is_label_name(column) or bool(_ANSWER_WORDS & set(snake(column).split("_")))


def is_index_column(column: str, cells: Iterable[str]) -> bool:
    """A row index a data frame library wrote with the table: no name (or "Unnamed: 0") and whole numbers."""
    if not _INDEX_NAME.match(column.strip()):
        return False
    seen = False
    for cell in cells:
        cell = cell.strip()
        if cell and not _INT.match(cell):
            return False
        seen = seen or bool(cell)
    return seen


def is_share(cell: str) -> bool:
    """A number in [0, 1], as a share of raters or a mean of 0/1 answers is."""
    return bool(_NUMBER.match(cell)) and 0 <= float(cell) <= 1


def share_columns(candidates: Sequence[int], cells: Sequence[Sequence[str]]) -> list[int]:
    """``candidates`` (column indexes) when every one of them holds only numbers in [0, 1] (blanks aside), else none.

    ``cells[k]`` are the values of column ``candidates[k]``. It takes every candidate: one column of
    free text or counts among them says the table is not a bare table of label shares. A stray cell
    (one in twenty at most) does not.
    """
    if not candidates:
        return []
    for values in cells:
        filled = [v.strip() for v in values if v.strip()]
        stray = sum(1 for v in filled if not is_share(v))  # a stray word is warned about when the labels are read
        if not filled or stray > max(1, len(filled) // 20) or stray >= len(filled) - stray:
            return []
    return list(candidates)
