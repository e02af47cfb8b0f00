"""The HateXplain importer's entry points: sniff a file, and read it into one thread (see the package's docstring).

A file keyed by post id is read post by post, twice (``object_items``): first for every post's line and
the schema of all the labels, then into the thread, yielded in parts (``ThreadDraft.continues``) so that
memory holds a part, not the file. A list of posts, or a file the streamed reading cannot judge exactly,
is read whole as before.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePath
from typing import Any

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.hatexplain.posts import PostReader
from moderator.core.importing.formats.hatexplain.schema import hatexplain_schema
from moderator.core.importing.formats.member_lines import MemberLines
from moderator.core.importing.formats.object_items import Irregular, located, members
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import loads
from moderator.core.progress import Progress

NAME = "hatexplain"
EXTENSIONS = (".json",)
STREAMS = True  # a file keyed by post id is read post by post (``object_items``), in two readings like LeWiDi's
PART = 5000  # comments per draft of the one thread
SURVEY_SHARE = 0.3  # of the progress: the first reading; the second, written as it goes, has the rest

_BLANKS = re.compile(r"\s*")
_PLAIN = json.JSONDecoder()
# The start of a file keyed by post id, up to its first post; or of a list of posts.
_FIRST_KEYED = re.compile(r'\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*')
_FIRST_LISTED = re.compile(r"\s*\[\s*")


def sniff(source: SourceText) -> float:
    """Sure when the first post has ``post_tokens`` and ``annotators`` as a list of objects (only that post
    is decoded: a flaw further on is for ``parse`` to report at its line)."""
    text = source.text
    head = text[:20000]
    if '"post_tokens"' not in head or '"annotators"' not in head:
        return 0.0
    start = _FIRST_KEYED.match(text) or _FIRST_LISTED.match(text)
    if start is None:
        return 0.0
    try:
        first = _PLAIN.raw_decode(text, start.end())[0]
    except (ValueError, RecursionError):
        return 0.0
    if type(first) is not dict or type(first.get("post_tokens")) is not list:
        return 0.0
    annotators = first.get("annotators")
    return 0.99 if type(annotators) is list and annotators and all(type(a) is dict for a in annotators) else 0.0


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    """Yield the file's one thread, in parts of ``PART`` comments when read post by post (a bad post fails
    the file)."""
    options = options or ImportOptions()
    try:
        survey = _survey(source, progress)
    except Irregular:  # a list of posts, or a file the streamed reading cannot judge: read whole, as before
        survey = None
    if survey is None:
        with paused_gc():
            thread = _read_whole(source, progress, options)
        if progress is not None:
            progress(1.0)
        yield thread
        return
    yield from _stream(source, survey, progress, options)
    if progress is not None:
        progress(1.0)


def _thread(name: str, posts: int) -> ThreadDraft:
    stem = PurePath(name).stem
    title = stem if stem and not stem.startswith("<") else "HateXplain"
    thread = ThreadDraft(source=NAME, title=title, external_id=f"hatexplain/{title}", line=1)
    thread.metadata = {"dataset": "HateXplain", "posts": posts}
    return thread


def _survey(source: SourceText, progress: Progress | None) -> tuple[array, dict[str, Any] | None]:
    """The first reading of a file keyed by post id: every post's line, and the schema (None when a post
    is wrong: the second reading says which, at its line)."""
    name = source.name
    lines = array("q")
    reader: PostReader | None = PostReader(name, ImportOptions())  # warnings: the second reading's
    for key, post, _offset, line in located(source, progress, SURVEY_SHARE):
        lines.append(line)
        if reader is not None:
            try:
                reader.post(key, post, line)
            except ImportFailure:
                reader = None
    return lines, None if reader is None else hatexplain_schema(reader.targets)


def _stream(
    source: SourceText, survey: tuple[array, dict[str, Any] | None], progress: Progress | None, options: ImportOptions
) -> Iterator[ThreadDraft]:
    name = source.name
    lines, schema = survey
    total = len(lines)
    part = _thread(name, total)
    part.prior_schema = schema
    reader = PostReader(name, options)
    seen: dict[str | None, int] = {}
    step = max(1, total // 100)
    for n, (key, post) in enumerate(members(source, checked=True)):
        if progress is not None and n % step == 0:
            progress(SURVEY_SHARE + (1 - SURVEY_SHARE) * n / total)
        line = lines[n]
        comment = reader.post(key, post, line)
        _once(name, seen, comment.external_id, line)
        part.comments.append(comment)
        if len(part.comments) >= PART and n + 1 < total:
            yield part
            part = replace(part, comments=[], continues=True)
    _guessed(name, reader, options)
    yield part


def _once(name: str, seen: dict[str | None, int], post_id: str | None, line: int) -> None:
    if post_id in seen:
        raise ImportFailure(name, line, f"post {post_id!r} is listed twice (first at line {seen[post_id]})")
    seen[post_id] = line


def _guessed(name: str, reader: PostReader, options: ImportOptions) -> None:
    if reader.guessed:
        options.notes.warnings.append(
            f"{name}:{reader.guessed[0]}: {len(reader.guessed)} post(s) have fewer rationales than annotators, and not one "
            "per offensive or hatespeech label: given to their first annotators in order"
        )


def _read_whole(source: SourceText, progress: Progress | None, options: ImportOptions) -> ThreadDraft:
    """The whole document at once: a list of posts, or a file the streamed reading leaves (``Irregular``)."""
    name = source.name
    data = loads(name, source.text)  # strict: no NaN, no NUL or unpaired surrogate to store
    if type(data) is dict:
        keys: list[str | None] = list(data)
        posts = list(data.values())
        lines = _keyed_lines(source.text, list(data))
    elif type(data) is list:
        keys, posts = [None] * len(data), data
        lines = _listed_lines(source.text)
    else:
        raise ImportFailure(name, 1, f"expected a JSON object keyed by post id (HateXplain), found {kind_of(data)}")
    if not posts:
        raise ImportFailure(name, 1, "no posts: the file is empty")

    thread = _thread(name, len(posts))
    reader = PostReader(name, options)
    seen: dict[str | None, int] = {}
    total = len(posts)
    step = max(1, total // 100)
    for n, (key, post) in enumerate(zip(keys, posts)):
        if progress is not None and n % step == 0:
            progress(n / total)
        line = next(lines)
        comment = reader.post(key, post, line)
        _once(name, seen, comment.external_id, line)
        thread.comments.append(comment)
    _guessed(name, reader, options)
    thread.prior_schema = hatexplain_schema(reader.targets)
    return thread


def _keyed_lines(text: str, keys: list[str]) -> Iterator[int]:
    """Line of every ``"<post id>": {``, in file order."""
    members = MemberLines(text)
    last = 1
    for key in keys:
        found = members.seek(key)
        last = found[1] if found is not None else last
        yield last


def _listed_lines(text: str) -> Iterator[int]:
    """Line of where every element of a (checked) top-level list starts: each element decoded in turn."""
    at = _BLANKS.match(text).end() + 1  # past "["
    line, last = 1, 0
    while True:
        at = _BLANKS.match(text, at).end()
        line += text.count("\n", last, at)
        last = at
        yield line
        at = _BLANKS.match(text, _PLAIN.raw_decode(text, at)[1]).end() + 1  # past the "," after it
