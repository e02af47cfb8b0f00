"""Pushshift-style NDJSON: one submission or comment per line, plain text or streamed from ``.zst``.

A dump is in time order, so a thread's comments are scattered through it and may come before its post.
Each line is checked and staged on disk by thread (``Spill``: only the fields a thread draft uses),
then the threads are built and yielded one at a time, in order of first appearance: memory holds one
thread, not the dump.
"""

from __future__ import annotations

from collections.abc import Iterator

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.reddit.threads import USED, Threads, ident, is_comment, is_submission, link_of, unwrap
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.spill import Spill
from moderator.core.importing.sources.streams import stream_objects
from moderator.core.progress import Progress, Stepped

READ_SHARE = 0.25  # reading and staging the lines: the rest is building (and writing) the threads
_COMMENT, _SUBMISSION = 0, 1


def read(source: SourceText, progress: Progress | None = None) -> Iterator[ThreadDraft]:
    name = source.name
    reading = (lambda f: progress(READ_SHARE * f)) if progress is not None else None
    with Spill() as spill:
        with paused_gc():  # many small objects, none in a cycle
            for lineno, obj in stream_objects(source, reading):
                data = unwrap(obj)
                if type(data) is not dict:
                    raise ImportFailure(
                        name, lineno, f"expected a JSON object (a Reddit submission or comment), found {kind_of(data)}"
                    )
                if is_comment(data):
                    kind, sid = _COMMENT, link_of(name, lineno, data)
                elif is_submission(data):
                    kind, sid = _SUBMISSION, ident(name, lineno, data, "id")
                else:
                    raise ImportFailure(
                        name, lineno, 'neither a Reddit comment ("body", "link_id") nor a submission ("title", "selftext")'
                    )
                spill.add(sid, lineno, (kind, {k: data[k] for k in USED if k in data}))
        if not spill.count:
            raise ImportFailure(name, 1, "no Reddit submission or comment in the file")
        yield from _threads(name, spill, progress)


def _threads(name: str, spill: Spill, progress: Progress | None) -> Iterator[ThreadDraft]:
    """Each staged thread replayed line by line, as the whole dump used to be."""
    done = 0
    report = Stepped(progress, spill.count, READ_SHARE, 1 - READ_SHARE)
    for _key, _first, _skipped, items in spill.threads():
        threads = Threads(name)
        with paused_gc():
            for lineno, (kind, data) in items:
                if kind == _COMMENT:
                    threads.comment(lineno, data)
                else:
                    threads.submission(lineno, data)
            (draft,) = threads.finish()
        done += len(items)
        del items, threads
        yield draft
        report(done)
