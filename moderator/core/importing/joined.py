"""Datasets shipped as several tables, imported together: texts, ratings per annotator, character spans.

A span corpus often comes as three files: the comments (id, text), the annotations (comment id, worker
id, labels — no text) and the spans (comment id, worker id, start, end). Given in one import (several
files in one command, or a folder), tables are told apart by their columns:

* text tables: an item id and a text, no annotator (several are merged: train and test files);
* rating tables: an item id and an annotator, no text — each read as a ratings table
  (``formats.ratings``) whose rows take their text from the text tables by item id;
* span tables: an item id, a start and an end offset (an annotator optional, a type optional).

Each rating becomes a prior label of ``"<dataset>/<annotator>"`` (the dataset named by the folder, else
by the text table's stem); each span joins that annotator's label on the item as a character span of the
question ``spans`` (a span by an annotator with no rating gets a label of its own; a span table without
annotators has one pseudo-annotator, ``"<dataset>/spans"``). Items in the text tables that nobody rated
are kept as comments, after the rated ones. A rating or span of an item no text table has is a quirk (a
warning, or refused with ``--strict``). Tables that do not join this way are imported one by one, as before.

The texts and spans wait on disk (``joined_scratch``) and the ratings are built an item at a time, so a
dataset of millions of comments (Civil Comments) is written in parts without being held in memory.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import label_types as types
from moderator.core.importing.formats.ratings_columns import detect, resolve
from moderator.core.importing.formats.ratings_reader import RatingsReader
from moderator.core.importing.joined_scratch import JoinScratch
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.tables import RowTable, open_table, sample
from moderator.core.progress import Progress

TABLE_SUFFIXES = (".csv", ".tsv", ".tab", ".parquet", ".jsonl", ".ndjson")
_START = ("start", "begin", "span_start", "char_start", "start_offset", "offset_start", "start_char", "from")
_END = ("end", "stop", "span_end", "char_end", "end_offset", "offset_end", "end_char", "to")
_TYPE = ("type", "span_type", "label", "category", "tag")
SPANS = "spans"
PART = 5000  # comments per draft of a long thread


def _squash(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    squashed = {_squash(c): i for i, c in reversed(list(enumerate(header)))}
    return next((squashed[_squash(n)] for n in names if _squash(n) in squashed), None)


@dataclass
class _Table:
    source: SourceText
    header: list[str]
    roles: dict[str, int]
    start: int | None = None
    end: int | None = None

    @property
    def kind(self) -> str:
        if self.start is not None and self.end is not None and "item" in self.roles:
            return "spans"
        if "item" in self.roles and "annotator" in self.roles and "text" not in self.roles:
            return "ratings"
        if "item" in self.roles and "text" in self.roles and "annotator" not in self.roles:
            return "texts"
        return "other"


def _classify(source: SourceText) -> _Table | None:
    if source.compressed not in ("", "parquet") or not source.name.lower().endswith(TABLE_SUFFIXES):
        return None
    try:
        found = sample(source, limit=50)
    except (ImportFailure, ValueError):  # not a table after all: imported on its own, its error named there
        return None
    if found is None:
        return None
    header = found[0]
    return _Table(source, header, detect(header).roles, _find(header, _START), _find(header, _END))


@dataclass
class JoinedTables:
    """Tables imported as one dataset: ``parse`` yields its threads (see the module's doc)."""

    texts: list[_Table]
    ratings: list[_Table]
    spans: list[_Table]
    dataset: str
    name: str = ""
    sha256: str = ""
    compressed: str = ""
    text: str = ""
    members: list[str] = field(default_factory=list)

    def parse(self, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
        """The texts and spans wait on disk (``JoinScratch``); each rating table's threads are then built an
        item at a time, in parts (its spans attached to each item as it is built), and the items nobody rated
        come last, after the last thread's comments: memory holds a part, not the tables."""
        options = options or ImportOptions()
        with JoinScratch() as scratch:
            _texts(self.texts, scratch, options)
            found_spans = sum(_spans(table, scratch, self.dataset, options) for table in self.spans)
            spans = [{"id": SPANS, "label": "Spans", "kind": "spans"}] if found_spans else []
            last: ThreadDraft | None = None
            for i, table in enumerate(self.ratings):
                part = (lambda f, i=i: progress((i + f) / max(1, len(self.ratings)))) if progress else None
                for draft in _ratings(table, scratch, self.dataset, options, part, spans):
                    last = draft
                    yield draft
            if last is None:
                schema = _empty_schema(self.dataset)
                last = ThreadDraft("ratings", title=self.dataset, metadata={"dataset": self.dataset})
                last.prior_schema = {**schema, "questions": [*schema["questions"], *spans]} if spans else None
                yield from _unrated(scratch, last, continues=False)
            else:
                yield from _unrated(scratch, last, continues=True)
            options.notes.items = scratch.count()


def _unrated(scratch: JoinScratch, thread: ThreadDraft, continues: bool) -> Iterator[ThreadDraft]:
    """The items nobody rated, as parts of ``thread`` (its next parts, or the thread itself when new)."""
    part = replace(thread, comments=[], continues=continues, metadata=dict(thread.metadata), annotator_profiles={})
    for key, text, line in scratch.unrated():
        comment = CommentDraft(text, external_id=key, line=line)
        _attach(scratch, key, comment)
        part.comments.append(comment)
        if len(part.comments) >= PART:
            yield part
            part = replace(part, comments=[], continues=True, metadata=dict(part.metadata))
    if part.comments:
        yield part


def _attach(scratch: JoinScratch, key: str, comment: CommentDraft) -> None:
    """The item's spans, each on its annotator's label (a label of its own for one who gave no rating)."""
    for person, span in scratch.spans(key):
        label = next((p for p in comment.prior_labels if p.annotator == person), None)
        if label is None:
            label = PriorLabel(person, {})
            comment.prior_labels.append(label)
        label.spans.append(span)


def _empty_schema(dataset: str) -> dict[str, Any]:
    return {"name": f"ratings-{dataset}", "version": 1, "description": f'Spans of "{dataset}"', "questions": []}


def join_tables(sources: Sequence[SourceText], fmt: str) -> list[Any]:
    """The sources to import: tables that join (a text table with rating or span tables) as one unit."""
    if fmt not in ("auto", "ratings") or len(sources) < 2:
        return list(sources)
    tables = {id(s): _classify(s) for s in sources}
    kinds: dict[str, list[_Table]] = {"texts": [], "ratings": [], "spans": []}
    for table in tables.values():
        if table is not None and table.kind in kinds:
            kinds[table.kind].append(table)
    if not kinds["texts"] or not (kinds["ratings"] or kinds["spans"]):
        return list(sources)
    members = [t.source for ts in kinds.values() for t in ts]
    joined = JoinedTables(kinds["texts"], kinds["ratings"], kinds["spans"], _dataset(members))
    joined.members = [s.name for s in members]
    joined.name = " + ".join(joined.members)
    joined.sha256 = hashlib.sha256("\n".join(sorted(s.sha256 for s in members)).encode()).hexdigest()
    taken = {id(s) for s in members}
    return [joined] + [s for s in sources if id(s) not in taken]


def _dataset(members: list[SourceText]) -> str:
    """The folder the tables share (a dataset's folder), else the first text table's stem."""
    folders = {PurePath(s.name).parent for s in members}
    if len(folders) == 1:
        folder = next(iter(folders)).name
        if folder and folder not in (".", ""):
            return folder
    return PurePath(members[0].name).stem


def _texts(tables: list[_Table], scratch: JoinScratch, options: ImportOptions) -> None:
    """Item id → text over every text table, on disk; a second, different text for an item is a quirk."""
    for table in tables:
        item, text = table.roles["item"], table.roles["text"]
        for where, row in open_table(table.source).rows():
            key, body = types.ident(row[item]), row[text]
            if key is None or not isinstance(body, str) or not body.strip():
                continue
            first = scratch.add_text(key, body, where)
            if first is not None and first != body:
                options.quirk(table.source.name, where, f"item {key!r} has another text in an earlier table; the first is kept")


class _WithText:
    """A rating table whose rows carry their item's text (a last column) from the text tables."""

    def __init__(self, table: RowTable, scratch: JoinScratch, options: ImportOptions):
        self.table, self.scratch, self.options = table, scratch, options
        self.source, self.kind, self.header_line, self.total = table.source, table.kind, table.header_line, table.total
        self.header = [*table.header, "text"]
        self.item = detect(table.header).roles["item"]
        self.warned: set[str] = set()

    def rows(self, progress: Progress | None = None) -> Iterator[tuple[int, list[Any]]]:
        for where, row in self.table.rows(progress):
            key = types.ident(row[self.item])
            found = self.scratch.text(key) if key is not None else None
            if found is None:
                if key is not None and key not in self.warned:
                    self.warned.add(key)
                    self.options.quirk(self.source.name, where, f"item {key!r} is in no text table; its ratings are left out")
                continue
            yield where, [*row, found]


def _ratings(
    table: _Table, scratch: JoinScratch, dataset: str, options: ImportOptions, progress: Progress | None,
    spans: list[dict[str, Any]],
) -> Iterator[ThreadDraft]:  # fmt: skip
    rows = _WithText(open_table(table.source), scratch, options)
    columns = resolve(table.source.name, rows.header_line, rows.header, {**options.mapping, "text": "text"})
    reader = RatingsReader(rows, columns, options)  # type: ignore[arg-type]  # a RowTable in all it reads
    reader.stem = dataset  # the pseudo-annotators are the dataset's, whichever of its tables names them
    reader.extra_questions = spans

    def built(key: str, comment: CommentDraft) -> None:
        _attach(scratch, key, comment)
        scratch.rated(key)

    reader.on_item = built
    return reader.threads(progress, part=PART)


def _spans(table: _Table, scratch: JoinScratch, dataset: str, options: ImportOptions) -> int:
    """Stage a span table's spans, checked against their items' texts; how many will be attached."""
    item, start, end = table.roles["item"], table.start, table.end
    annotator = table.roles.get("annotator")
    kind = _find(table.header, _TYPE)
    attached = 0
    name = table.source.name
    for where, row in open_table(table.source).rows():
        key = types.ident(row[item])
        text = scratch.text(key) if key is not None else None
        if text is None:
            options.quirk(name, where, f"item {key!r} is in no text table; its span is left out")
            continue
        first, last = _offset(row[start]), _offset(row[end])
        if first is None or last is None or not 0 <= first < last <= len(text):
            options.quirk(name, where, f"span {row[start]!r}–{row[end]!r} is not within item {key!r}'s text; left out")
            continue
        who = types.ident(row[annotator]) if annotator is not None else None
        person = f"{dataset}/{who}" if who is not None else f"{dataset}/spans"
        span: dict[str, Any] = {"start": first, "end": last, "question": SPANS}
        if kind is not None and types.ident(row[kind]) is not None:
            span["label"] = types.ident(row[kind])
        scratch.add_span(key, person, span)
        attached += 1
    if not attached:
        raise ImportFailure(name, None, "no span could be attached to an item of the text tables")
    return attached


def _offset(cell: Any) -> int | None:
    value = types.ident(cell)
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return int(number) if number is not None and number == int(number) else None
