"""The HateXplain importer's entry points: sniff a file, and read it into one thread (see the package's docstring)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePath

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.hatexplain.posts import PostReader
from moderator.core.importing.formats.hatexplain.schema import hatexplain_schema
from moderator.core.importing.formats.member_lines import MemberLines
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.strict_json import loads
from moderator.core.progress import Progress

NAME = "hatexplain"
EXTENSIONS = (".json",)

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
    """Read and check the whole file, then yield its one thread (a bad post fails the file)."""
    options = options or ImportOptions()
    with paused_gc():
        thread = _read(source, progress, options)
    if progress is not None:
        progress(1.0)
    yield thread


def _read(source: SourceText, progress: Progress | None, options: ImportOptions) -> ThreadDraft:
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

    stem = PurePath(name).stem
    title = stem if stem and not stem.startswith("<") else "HateXplain"
    thread = ThreadDraft(source=NAME, title=title, external_id=f"hatexplain/{title}", line=1)
    thread.metadata = {"dataset": "HateXplain", "posts": len(posts)}
    reader = PostReader(name, options)
    seen: dict[str, int] = {}
    total = len(posts)
    step = max(1, total // 100)
    for n, (key, post) in enumerate(zip(keys, posts)):
        if progress is not None and n % step == 0:
            progress(n / total)
        line = next(lines)
        comment = reader.post(key, post, line)
        if comment.external_id in seen:
            raise ImportFailure(
                name, line, f"post {comment.external_id!r} is listed twice (first at line {seen[comment.external_id]})"
            )
        seen[comment.external_id] = line
        thread.comments.append(comment)
    if reader.guessed:
        options.notes.warnings.append(
            f"{name}:{reader.guessed[0]}: {len(reader.guessed)} post(s) have fewer rationales than annotators, and not one "
            "per offensive or hatespeech label: given to their first annotators in order"
        )
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
