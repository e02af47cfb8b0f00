"""LeWiDi files of a perspectivist export: one per single-choice question (ordinal or nominal), streamed.

The shape is the harmonised LeWiDi JSON that ``importing.formats.lewidi`` reads back: one object keyed by
item id (the comment id), each item with ``text``, ``"annotation task"`` (the question id, which the
importer turns back into the question id), ``"number of annotations"``, ``annotations`` ("1,3,1", aligned
with) ``annotators`` ("annotator_…,annotator_…"), ``hard_label``, ``soft_label`` and ``other_info`` (the
comment's ids in this project). An item is one comment with at least one answer to the question;
skips and flags answer nothing and are left out (labels_long.parquet has them).

LeWiDi labels are integers. A question whose options are all integers keeps its values; any other
question's label is its option's position, from 0, in the schema's order: ``questions.json`` beside the
files maps each label back to its value. ``hard_label`` is the most chosen label, a tie going to the
option listed first; ``soft_label`` is each option's share, every option listed.

Multi-choice and text questions have no single label per annotator, so no LeWiDi file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import IO, Any

from moderator.core.export.layout import LabelColumn

LEWIDI_KINDS = ("ordinal", "nominal")
SUFFIX = "_lewidi.json"


def lewidi_file_name(question_id: str, taken: set[str]) -> str:
    """``<question>_lewidi.json``, safe as a file name and distinct from the names in ``taken``."""
    stem = re.sub(r"[^0-9A-Za-z_-]+", "_", question_id).strip("_") or "question"
    name, n = f"{stem}{SUFFIX}", 2
    while name in taken:
        name, n = f"{stem}_{n}{SUFFIX}", n + 1
    return name


class LewidiQuestion:
    """One question's LeWiDi file: its labels, and the items written to it so far."""

    def __init__(self, column: LabelColumn, folder: Path, file_name: str):
        self.column = column
        self.path = folder / file_name
        self.integer = column.scalar == "int"
        # value → label; an integer question's value is its own label
        self.codes: dict[Any, int] = {v: v if self.integer else i for i, v in enumerate(column.options)}
        self.items = 0
        self._out: IO[str] | None = None  # opened at the first item: a question nobody answered gets no file

    def code(self, value: Any) -> int:
        found = self.codes.get(value)
        if found is None:  # an answer outside today's options (an old or hand-made row)
            found = self.codes[value] = value if self.integer else len(self.codes)
        return found

    def add(self, comment_id: int, text: str, answers: dict[str, Any], other_info: dict[str, Any]) -> None:
        """Write one item: ``answers`` is shown annotator id → value, in label order."""
        labels = [self.code(v) for v in answers.values()]
        item = {
            "text": text,
            "annotation task": self.column.id,
            "number of annotations": len(labels),
            "annotations": ",".join(map(str, labels)),
            "annotators": ",".join(answers),
            **self._summary(labels),
            "other_info": other_info,
        }
        if self._out is None:
            self._out = open(self.path, "w", encoding="utf-8")
            self._out.write("{\n")
        else:
            self._out.write(",\n")
        self._out.write(f"{json.dumps(str(comment_id))}: {json.dumps(item, ensure_ascii=False)}")
        self.items += 1

    def _summary(self, labels: list[int]) -> dict[str, Any]:
        counts = Counter(labels)
        order = list(dict.fromkeys([*self.codes.values(), *sorted(counts)]))  # options first, then any others
        hard = max(order, key=lambda code: counts[code])  # max keeps the first of equals: a tie goes to the first option
        return {"hard_label": str(hard), "soft_label": {str(code): counts[code] / len(labels) for code in order}}

    def close(self) -> None:
        if self._out is not None:
            self._out.write("\n}\n")
            self._out.close()
            self._out = None

    def describe(self) -> dict[str, Any]:
        """This file's entry in questions.json."""
        return {
            "file": self.path.name,
            "label": self.column.label,
            "kind": self.column.kind,
            "items": self.items,
            "labels": {str(code): value for value, code in self.codes.items()},
        }


def lewidi_questions(columns: list[LabelColumn], folder: Path) -> list[LewidiQuestion]:
    taken: set[str] = set()
    questions = []
    for column in columns:
        if column.kind in LEWIDI_KINDS:
            name = lewidi_file_name(column.id, taken)
            taken.add(name)
            questions.append(LewidiQuestion(column, folder, name))
    return questions


def lewidi_annotator(shown: str) -> str:
    """``shown`` as a LeWiDi annotator id, which a comma would split in two."""
    if "," in shown:
        raise ValueError(
            f"annotator {shown!r} has a comma, which LeWiDi's comma-separated annotators cannot hold; "
            "export with pseudonymous annotators instead"
        )
    return shown
