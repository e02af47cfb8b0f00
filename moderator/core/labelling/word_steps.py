"""Selecting a comment's words from the keyboard, for rationale spans: one word at a time.

A selection is (start, end) in character offsets of the comment text; start == end is a caret (nothing
selected, e.g. after a span was marked). Words are runs of letters and digits, with inner apostrophes
and hyphens ("don't", "so-called"); punctuation is never part of a step.
"""

from __future__ import annotations

import re

WORD = re.compile(r"\w+(?:['’\-]\w+)*")
MOVES = ("next", "previous", "grow", "shrink")


def words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in WORD.finditer(text)]


def step(text: str, start: int, end: int, move: str) -> tuple[int, int]:
    """The selection after one keyboard step from (start, end).

    next / previous: the word after / before the selection, alone. grow: the selection plus the next
    word. shrink: the selection without its last word (never less than one word).
    """
    spans = words(text)
    if move == "next":
        return next(((a, b) for a, b in spans if a >= end and (a, b) != (start, end)), (start, end))
    if move == "previous":
        return next(((a, b) for a, b in reversed(spans) if b <= start), (start, end))
    if move == "grow":
        if start == end:
            return step(text, start, end, "next")
        return next(((start, b) for a, b in spans if a >= end), (start, end))
    if move == "shrink":
        inside = [(a, b) for a, b in spans if a >= start and b <= end]
        return (start, inside[-2][1]) if len(inside) > 1 else (start, end)
    raise ValueError(f"move must be one of {', '.join(MOVES)}")
