"""Reading a ratings table (``formats.ratings``): items, their ratings and their annotators' profiles.

Pass 1 (``ratings_columns.survey`` and ``judge``) decides what every column is; pass 2 reads the rows
again, converts each rating's answers and stages the row on disk keyed by its item (``ratings_rows``);
then the items come back one at a time and become comments (``ratings_items``), one prior label per
rating and one profile per annotator, reporting each quirk through ``ImportOptions.quirk``. Memory holds
an item, a part of a thread (or a thread with reply links) and the annotators' profiles, not the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import label_types as types
from moderator.core.importing.formats.ratings_columns import Columns, judge, survey
from moderator.core.importing.formats.ratings_items import ItemBuilder
from moderator.core.importing.formats.ratings_rows import RatingRows
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import paused_gc
from moderator.core.importing.sources.tables import RowTable
from moderator.core.progress import Progress, Stepped

NAME = "ratings"
SURVEY_SHARE, STAGE_SHARE = 0.3, 0.4  # of the import's progress: the rest is building and writing the threads
_MISSING = object()


class RatingsReader:
    """One table's reading: ``threads`` yields its threads (a long one in parts of ``part`` comments) and
    raises ImportFailure naming a line; ``read`` returns them all, as one draft per thread."""

    def __init__(self, table: RowTable, columns: Columns, options: ImportOptions):
        self.table = table
        self.name = table.source.name
        self.stem = PurePath(self.name).stem or "ratings"
        self.options = options
        self.columns = columns
        self.roles = roles = columns.roles
        self.attributes = columns.attributes
        if "annotator" not in roles or "text" not in roles:
            missing = "annotator" if "annotator" not in roles else "text"
            shown = ", ".join(repr(c) for c in table.header[:80])
            raise ImportFailure(
                self.name,
                table.header_line,
                f"no {missing} column (name it with --map {missing}=COLUMN); the header has: {shown}",
            )
        self.keys = unique_keys(table.header)
        used = set(roles.values()) | set(self.attributes)
        self.others = [i for i in range(len(table.header)) if i not in used]
        self.norm = types.normalizer()
        self.metadata: list[int] = []
        self.answers: list[tuple[int, str, str, dict[Any, Any]]] = []  # (column, question, kind, answer by raw cell)
        self.profiles: dict[str, tuple[dict[str, Any], int, tuple]] = {}  # name → (attributes, line, raw cells)
        self.warned: set[tuple[str, str]] = set()  # ("attributes", annotator) warned about once
        self._mark = len(options.notes.warnings)
        self._lines: list[int | None] = []  # the line of each warning of this reading
        # What the joined tables add: questions of their own (spans), and a look at each item's comment once built.
        self.extra_questions: list[dict[str, Any]] = []
        self.on_item: Callable[[str, CommentDraft], None] | None = None
        # The cells a comment is made of, kept raw: converted (and any error raised) for an item's first row only.
        self.made_of = [roles.get(role) for role in ("author", "created_at", "parent", "parent_text")]

    def read(self, progress: Progress | None = None) -> list[ThreadDraft]:
        """Every thread whole (the joined tables add to them before they are written)."""
        return list(self.threads(progress, part=None))

    def threads(self, progress: Progress | None = None, part: int | None = 5000) -> Iterator[ThreadDraft]:
        first = (lambda f: progress(SURVEY_SHARE * f)) if progress is not None else None
        second = (lambda f: progress(SURVEY_SHARE + STAGE_SHARE * f)) if progress is not None else None
        stats = survey(self.table, self.columns, self.others, first)
        labels, self.metadata = judge(self.table, self.columns.labels, stats, self.stem, self.options.notes)
        self.answers = [(i, q["id"], kind, {}) for i, kind, q in labels]
        with RatingRows() as staged:
            with paused_gc():  # many small objects, no cycles
                rows = self._stage(staged, second)
            questions = [q for _, _, q in labels]
            questions += [q for q in self.extra_questions if q not in questions]
            builder = ItemBuilder(self, questions, part)
            report = Stepped(progress, rows, SURVEY_SHARE + STAGE_SHARE, 1 - SURVEY_SHARE - STAGE_SHARE)
            yield from builder.threads(staged, report)

    def quirk(self, where: int | None, message: str) -> None:
        self.options.quirk(self.name, where, message)
        self._lines.append(where)

    def in_file_order(self) -> None:
        """This reading's warnings in the order of their lines (the items come back grouped, not in file order)."""
        warnings = self.options.notes.warnings
        added = warnings[self._mark :]
        if len(added) == len(self._lines):  # no one else warned in between (the joined tables' own warnings)
            order = sorted(range(len(added)), key=lambda k: self._lines[k] or 0)
            warnings[self._mark :] = [added[k] for k in order]

    def _stage(self, staged: RatingRows, progress: Progress | None) -> int:
        """Pass 2: each rating's row, checked and converted, on disk by item; how many were staged."""
        item_at, text_at, annotator_at = self.roles.get("item"), self.roles["text"], self.roles["annotator"]
        thread_at = self.roles.get("thread")
        metadata = [(i, self.keys[i]) for i in self.metadata]
        count = 0
        for where, row in self.table.rows(progress):
            key = types.ident(row[item_at if item_at is not None else text_at])
            annotator = types.ident(row[annotator_at])
            if key is None or annotator is None:
                missing = "annotator id" if key else "item id" if item_at is not None else "text"
                self.quirk(where, f"no {missing}: this rating is left out")
                continue
            text = self.text_of(where, row[text_at])
            person = f"{self.stem}/{annotator}"
            self._profile(where, person, row)
            meta = [(k, self._stored(where, row[i])) for i, k in metadata if self.norm(row[i]) is not None]
            made_of = [None if i is None else row[i] for i in self.made_of]
            group = (types.ident(row[thread_at]) or "") if thread_at is not None else ""
            staged.add(key, group, bool(text.strip()), where, (where, annotator, text, self._answers(where, row), meta, made_of))
            count += 1
        return count

    def _answers(self, where: int, row: list[Any]) -> dict[str, Any]:
        """The rating's answer to each label question it answers (each distinct raw cell converted once)."""
        values = {}
        for i, qid, kind, cache in self.answers:
            cell = row[i]
            try:
                answer = cache.get(cell, _MISSING)
            except TypeError:  # a list or an object from JSON or Parquet
                answer = _MISSING
            if answer is _MISSING:
                value = self.norm(cell)
                answer = None if value is None else self._stored(where, types.label_value(kind, cell, value))
                if len(cache) < 4096 and type(cell) not in (list, dict):
                    cache[cell] = answer
            if answer is not None:
                values[qid] = answer
        return values

    def _profile(self, where: int, person: str, row: list[Any]) -> None:
        """The annotator's attributes from their first row; other values later are a quirk (warned once)."""
        if not self.attributes:
            return
        raw = tuple(row[i] for i in self.attributes)
        first = self.profiles.get(person)
        if first is None:
            self.profiles[person] = (self._attributes(where, row), where, raw)
        elif raw != first[2] and ("attributes", person) not in self.warned and self._attributes(where, row) != first[0]:
            self.warned.add(("attributes", person))
            self.quirk(where, f"annotator {person!r} has other attributes than on line {first[1]}; the first are kept")

    def _attributes(self, where: int, row: list[Any]) -> dict[str, Any]:
        answers = {}
        for i in self.attributes:
            value = self.norm(row[i])
            if value is not None:
                answers[self.keys[i]] = self._stored(where, value)
        return answers

    def text_of(self, where: int, cell: Any) -> str:
        if type(cell) is str:
            return self._stored(where, cell)
        value = self.norm(cell)
        return "" if value is None else self._stored(where, types.canonical(value))

    def _stored(self, where: int, value: Any) -> Any:
        """A value to store: Parquet strings may hold a NUL, which no database stores; other values are made
        JSON (a date as ISO text, a Parquet list as JSON text; a JSON line's list or object stays as it is)."""
        kind = type(value)
        if kind is str:
            if "\x00" in value:
                raise ImportFailure(self.name, where, "a NUL character cannot be stored; remove it")
            return value
        if kind in (bool, int, float) or (kind in (list, dict) and self.table.kind == "jsonl"):
            return value
        return self.norm(value)


def unique_keys(header: list[str]) -> list[str]:
    keys: list[str] = []
    for i, column in enumerate(header):
        key = column.strip() or f"column_{i + 1}"
        while key in keys:
            key += "_2"
        keys.append(key)
    return keys
