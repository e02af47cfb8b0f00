"""The LeWiDi importer's entry points: sniff a file, and read it into threads (see the package's docstring).

A file is read item by item, twice (``object_items``): first for what every thread needs before any is
written (the item count, the schema of all the labels, where each item starts), then into drafts, the
one-thread file's comments yielded a part at a time (``ThreadDraft.continues``), so memory holds a part,
not the file. A file the streaming reading cannot judge exactly (invalid, or oddly written) is read
whole as before, so it is imported, or refused, with the same messages.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.lewidi.conversations import conversation, is_conversation
from moderator.core.importing.formats.lewidi.items import ItemReader
from moderator.core.importing.formats.lewidi.lines import ItemLines, Lines, NoLines, StreamedLines
from moderator.core.importing.formats.lewidi.naming import dataset_and_split, question_id, task_label
from moderator.core.importing.formats.lewidi.schema import Question, lewidi_schema
from moderator.core.importing.formats.object_items import Irregular, located, members
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import loads
from moderator.core.progress import Progress

NAME = "lewidi"
EXTENSIONS = (".json",)
STREAMS = True  # threads are yielded as they are read, and ``progress`` covers the whole import (see writer)
PART = 5000  # comments of the one-thread file per draft
SURVEY_SHARE = 0.3  # of the progress: the first reading; the second, written as it goes, has the rest


def sniff(source: SourceText) -> float:
    text = source.text
    head = text[:20000]
    if not text.lstrip().startswith("{") or '"annotators"' not in head or '"annotations"' not in head:
        return 0.0
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return 0.0
    if type(data) is not dict or not data:
        return 0.0
    first = next(iter(data.values()))
    if type(first) is not dict or "annotators" not in first or "annotations" not in first:
        return 0.0
    return 0.0 if "post_tokens" in first else 0.95  # HateXplain's posts are not LeWiDi items


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    options = options or ImportOptions()
    try:
        survey = _survey(source, progress)
    except Irregular:
        survey = None
    if survey is None:
        with paused_gc():
            threads = _read_whole(source, progress, options)
        if progress is not None:
            progress(1.0)
        yield from threads
        return
    yield from _stream(source, survey, progress, options)
    if progress is not None:
        progress(1.0)


@dataclass
class _File:
    """What the first item tells of the whole file."""

    dataset: str
    split: str | None
    task: str | None
    conversations: bool
    main: Question


def _begin(name: str, lines: Lines, key: str, first: Any) -> _File:
    if type(first) is not dict:
        raise lines.fail(f"item {key!r}: expected an object, found {kind_of(first)}")
    task = first.get("annotation task")
    if task is not None and type(task) is not str:
        raise lines.fail(f'item {key!r}: "annotation task" must be a string, found {kind_of(task)}', "annotation task")
    dataset, stem_split = dataset_and_split(name, task)
    split = first.get("split")
    split = split if type(split) is str and split.strip() else stem_split
    task_key = (task or "").strip().lower()
    conversations = dataset.lower().startswith("convabuse") or "abusiv" in task_key or is_conversation(first.get("text"))
    main = Question(question_id(task_key) if task_key else "label", task_label(task_key), task or "annotations")
    return _File(dataset, split, task, conversations, main)


def _flat_thread(file: _File, total: int) -> ThreadDraft:
    """The one thread of a file of flat items (its comments added by the caller)."""
    dataset, split = file.dataset, file.split
    return ThreadDraft(
        source=NAME,
        title=f"{dataset} ({split})" if split else dataset,
        external_id=f"{dataset}/{split}" if split else dataset,
        line=1,
        metadata={"dataset": dataset, "split": split, "annotation_task": file.task, "items": total},
    )


def _schema(file: _File, items: ItemReader) -> dict[str, Any]:
    return lewidi_schema(file.dataset, file.main, list(items.others.values()), severity=file.main.id == "abuse")


@dataclass
class _Survey:
    """The first reading: how many items, where each starts, and the schema of all their labels."""

    total: int
    offsets: array
    lines: array
    schema: dict[str, Any] | None  # None when an item is wrong: the second reading says which, and where


def _survey(source: SourceText, progress: Progress | None) -> _Survey:
    """Read every item for the count and the schema; errors are left to the second reading, which
    names their lines (a later item cannot make it fail first: only an ``Irregular`` file could)."""
    name = source.name
    offsets, lines = array("q"), array("q")
    file: _File | None = None
    items: ItemReader | None = None
    wrong = False
    for key, item, offset, line in located(source, progress, SURVEY_SHARE):
        offsets.append(offset)
        lines.append(line)
        if wrong:
            continue
        try:
            if file is None:
                file = _begin(name, NoLines(name), key, item)
                items = ItemReader(NoLines(name), ImportOptions(), file.dataset, file.task, file.main)  # warnings: later
            assert items is not None
            items.item(key, item)
        except ImportFailure:
            wrong = True
    schema = None if wrong or file is None or items is None else _schema(file, items)
    return _Survey(len(offsets), offsets, lines, schema)


def _stream(source: SourceText, survey: _Survey, progress: Progress | None, options: ImportOptions) -> Iterator[ThreadDraft]:
    name, total = source.name, survey.total
    lines = StreamedLines(name, source, survey.offsets, survey.lines)
    file: _File | None = None
    items: ItemReader | None = None
    part: ThreadDraft | None = None
    step = max(1, total // 100)
    for n, (key, item) in enumerate(members(source, checked=True)):
        if progress is not None and n % step == 0:
            progress(SURVEY_SHARE + (1 - SURVEY_SHARE) * n / total)
        lines.seek(n)
        if file is None:
            file = _begin(name, lines, key, item)
            items = ItemReader(lines, options, file.dataset, file.task, file.main)
            if not file.conversations:
                part = _flat_thread(file, total)
                part.prior_schema = survey.schema
        assert items is not None
        comment = items.item(key, item)
        if part is None:
            thread = conversation(lines, NAME, file.dataset, file.split, key, item, comment)
            thread.prior_schema = survey.schema
            yield thread
            continue
        part.comments.append(comment)
        if len(part.comments) >= PART and n + 1 < total:
            yield part
            part = replace(part, comments=[], continues=True)
    if part is not None:
        yield part


def _read_whole(source: SourceText, progress: Progress | None, options: ImportOptions) -> list[ThreadDraft]:
    """The whole document at once: for a file the streaming reading leaves (``Irregular``)."""
    name = source.name
    data = loads(name, source.text)  # strict: no NaN, no NUL or unpaired surrogate to store
    if type(data) is not dict:
        raise ImportFailure(name, 1, f"expected a JSON object keyed by item id (LeWiDi), found {kind_of(data)}")
    if not data:
        raise ImportFailure(name, 1, "no items: the JSON object is empty")

    keys = list(data)
    total = len(keys)
    lines = ItemLines(name, source.text)
    lines.seek(keys[0], keys[1] if total > 1 else None)
    file = _begin(name, lines, keys[0], data[keys[0]])
    items = ItemReader(lines, options, file.dataset, file.task, file.main)

    threads: list[ThreadDraft] = []
    flat: ThreadDraft | None = None
    if not file.conversations:
        flat = _flat_thread(file, total)
        threads.append(flat)

    step = max(1, total // 100)
    for n, (key, item) in enumerate(data.items()):
        if progress is not None and n % step == 0:
            progress(n / total)
        if n:
            lines.seek(key, keys[n + 1] if n + 1 < total else None)
        comment = items.item(key, item)
        if flat is not None:
            flat.comments.append(comment)
        else:
            threads.append(conversation(lines, NAME, file.dataset, file.split, key, item, comment))

    schema = _schema(file, items)
    for thread in threads:
        thread.prior_schema = schema
    return threads
