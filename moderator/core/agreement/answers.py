"""Stored answers to the choice questions, as integer codes: an option index, or a bitmask of options.

Shared by the report's two readers (report.py row by row, scan.py in one SQLite pass): a code is
the index of the value in the question's options (ordinal, nominal) or the bitmask of the selected
options (multi); an ordinal or nominal question absent, None or a list has no answer (NOT_ANSWERED).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

NOT_ANSWERED = -1


@dataclass
class Question:
    id: str
    kind: str
    label: str
    options: list[Any]
    schemas: set[int] = field(default_factory=set)  # schema versions that ask it


class Decoder(dict):
    """A row's answers (one value per question) → index of that combination in ``table``, memoised.

    Rows repeat a handful of answer combinations, so each distinct one is decoded once. A table row
    holds, per question, the option index (scalar question) or the bitmask of selected options (multi).
    On PostgreSQL the key is one JSON array text; on SQLite one value per question, where a multi
    question's list arrives as JSON text.
    """

    def __init__(self, questions: list[Question], one_json_array: bool):
        super().__init__()
        self.questions = questions
        self.one_json_array = one_json_array
        self.table: list[tuple[int, ...]] = []

    def __missing__(self, key: tuple) -> int:
        if self.one_json_array:
            answers = json.loads(key[0]) if key[0] else [None] * len(self.questions)
        else:
            answers = [sqlite_value(q, v) for q, v in zip(self.questions, key)]
        self.table.append(tuple(code(q, v) for q, v in zip(self.questions, answers)))
        self[key] = len(self.table) - 1
        return self[key]


def sqlite_value(q: Question, value: Any) -> Any:
    """An answer as SQLite's json_extract gives it: a multi question's list comes as JSON text."""
    return json.loads(value) if q.kind == "multi" and isinstance(value, str) else value


def code(q: Question, value: Any) -> int:
    """The answer's code; a value no option lists is appended to ``q.options`` (an old or hand-made row)."""
    if q.kind == "multi":
        picked = value if isinstance(value, list) else []
        return sum(1 << _index(q, v) for v in picked if isinstance(v, (str, int)))
    if value is None or isinstance(value, (list, dict)):
        return NOT_ANSWERED
    return _index(q, value)


def known_code(q: Question, value: Any) -> int | None:
    """The answer's code if every value in it is one of ``q.options`` already, else None (options unchanged)."""
    before = len(q.options)
    result = code(q, value)
    if len(q.options) == before:
        return result
    del q.options[before:]
    return None


def _index(q: Question, value: Any) -> int:
    if value not in q.options:  # a value no schema version lists (an old or hand-made row): keep it
        q.options.append(value)
    return q.options.index(value)
