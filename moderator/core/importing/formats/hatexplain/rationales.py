"""HateXplain's token rationales: whose each one is, and the character spans it marks in the joined text."""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

TOXIC = frozenset({"offensive", "hatespeech"})
QUESTION = "rationale"
_NUMBERS = frozenset({int, float})
_MARKS = frozenset({0, 1})
_RUNS = re.compile(rb"\x01+")


def token_ends(tokens: list[str]) -> list[int]:
    """Where every token ends in the post's text (the tokens joined by single spaces)."""
    return [end + i for i, end in enumerate(accumulate(map(len, tokens)))]


def owners(count: int, labels: list[str]) -> tuple[list[int], bool] | None:
    """The annotator (by index) of each of ``count`` rationales, and whether that was a guess.

    One per annotator: in order. Else one per annotator who labelled the post offensive or hatespeech:
    theirs, in order (how HateXplain's README and most of its posts give them). Else, fewer than the
    annotators: the first ``count`` annotators (how HateXplain built its newer posts' rationales), a guess.
    None when there are more rationales than annotators.
    """
    if count == 0 or count == len(labels):
        return list(range(count)), False
    toxic = [i for i, label in enumerate(labels) if label in TOXIC]
    if count == len(toxic):
        return toxic, False
    if count < len(labels):
        return list(range(count)), True
    return None


def spans(marks: list[Any], tokens: list[str], ends: list[int]) -> list[dict[str, Any]]:
    """Runs of marked tokens as character spans of the text (the spaces between them included); empty
    tokens at the edges of a run are left out of it."""
    out: list[dict[str, Any]] = []
    if 1 not in marks:
        return out
    for run in _RUNS.finditer(bytes(map(int, marks))):
        first, last = run.start(), run.end() - 1
        while first <= last and not tokens[first]:
            first += 1
        while last >= first and not tokens[last]:
            last -= 1
        if first <= last:
            out.append({"start": ends[first] - len(tokens[first]), "end": ends[last], "question": QUESTION})
    return out


def bad_marks(marks: Any) -> bool:
    return type(marks) is not list or not set(map(type, marks)) <= _NUMBERS or not set(marks) <= _MARKS
