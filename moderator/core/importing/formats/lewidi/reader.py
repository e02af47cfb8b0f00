"""The LeWiDi importer's entry points: sniff a file, and read it into threads (see the package's docstring)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.lewidi.conversations import conversation, is_conversation
from moderator.core.importing.formats.lewidi.items import ItemReader
from moderator.core.importing.formats.lewidi.lines import ItemLines
from moderator.core.importing.formats.lewidi.naming import dataset_and_split, question_id, task_label
from moderator.core.importing.formats.lewidi.schema import Question, lewidi_schema
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import loads
from moderator.core.progress import Progress

NAME = "lewidi"
EXTENSIONS = (".json",)


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
    """Read and check the whole file, then yield its threads (a bad item fails the file)."""
    with paused_gc():
        threads = _read(source, progress, options or ImportOptions())
    if progress is not None:
        progress(1.0)
    yield from threads


def _read(source: SourceText, progress: Progress | None, options: ImportOptions) -> list[ThreadDraft]:
    name = source.name
    data = loads(name, source.text)  # strict: no NaN, no NUL or unpaired surrogate to store
    if type(data) is not dict:
        raise ImportFailure(name, 1, f"expected a JSON object keyed by item id (LeWiDi), found {kind_of(data)}")
    if not data:
        raise ImportFailure(name, 1, "no items: the JSON object is empty")

    keys = list(data)
    total = len(keys)
    lines = ItemLines(name, source.text)
    first_key, first = keys[0], data[keys[0]]
    lines.seek(first_key, keys[1] if total > 1 else None)
    if type(first) is not dict:
        raise lines.fail(f"item {first_key!r}: expected an object, found {kind_of(first)}")
    task = first.get("annotation task")
    if task is not None and type(task) is not str:
        raise lines.fail(f'item {first_key!r}: "annotation task" must be a string, found {kind_of(task)}', "annotation task")
    dataset, stem_split = dataset_and_split(name, task)
    split = first.get("split")
    split = split if type(split) is str and split.strip() else stem_split
    task_key = (task or "").strip().lower()
    conversations = dataset.lower().startswith("convabuse") or "abusiv" in task_key or is_conversation(first.get("text"))
    main = Question(question_id(task_key) if task_key else "label", task_label(task_key), task or "annotations")
    items = ItemReader(lines, options, dataset, task, main)

    threads: list[ThreadDraft] = []
    flat: ThreadDraft | None = None
    if not conversations:
        flat = ThreadDraft(
            source=NAME,
            title=f"{dataset} ({split})" if split else dataset,
            external_id=f"{dataset}/{split}" if split else dataset,
            line=1,
            metadata={"dataset": dataset, "split": split, "annotation_task": task, "items": total},
        )
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
            threads.append(conversation(lines, NAME, dataset, split, key, item, comment))

    schema = lewidi_schema(dataset, main, list(items.others.values()), severity=main.id == "abuse")
    for thread in threads:
        thread.prior_schema = schema
    return threads
