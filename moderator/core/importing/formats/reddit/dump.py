"""Pushshift-style NDJSON: one submission or comment per line, plain text or streamed from ``.zst``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.reddit.threads import Threads, is_comment, is_submission, unwrap
from moderator.core.importing.sources.json_lines import json_objects, kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.streams import json_line, zstd_lines
from moderator.core.progress import Progress


def _lines(source: SourceText, progress: Progress | None) -> Iterator[tuple[int, Any]]:
    if source.compressed == "zstd":
        for lineno, raw in zstd_lines(source, progress):
            if raw.strip():
                yield lineno, json_line(source.name, lineno, raw)
    else:
        yield from json_objects(source, progress)


def read(source: SourceText, progress: Progress | None = None) -> list[ThreadDraft]:
    name = source.name
    threads = Threads(name)
    with paused_gc():  # many small objects, none in a cycle
        for lineno, obj in _lines(source, progress):
            data = unwrap(obj)
            if type(data) is not dict:
                raise ImportFailure(
                    name, lineno, f"expected a JSON object (a Reddit submission or comment), found {kind_of(data)}"
                )
            if is_comment(data):
                threads.comment(lineno, data)
            elif is_submission(data):
                threads.submission(lineno, data)
            else:
                raise ImportFailure(
                    name, lineno, 'neither a Reddit comment ("body", "link_id") nor a submission ("title", "selftext")'
                )
        return threads.finish()
