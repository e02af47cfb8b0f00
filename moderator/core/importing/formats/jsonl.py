"""JSON Lines importer: one thread per line, or the bulk shape with one comment per line.

The shape is decided by the first non-blank line: an object with ``"comments"`` is a thread per line
(shape a), anything else must be one comment per line with a ``"thread_id"`` (shape b). Every line is
parsed and validated before the first thread is yielded, so a bad line anywhere fails the whole file
with ``path:line: reason`` and the caller never sees half of it.

The bulk shape is read into compact ``BulkThread`` records (a tuple per comment, no draft objects):
``read_bulk`` is what the database's fast bulk path consumes, and ``parse`` turns the same records
into drafts, so both apply exactly the same checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import chain
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.linking.reply_tree import PendingThread, ReplyCycle, cycle_failure, link_replies, reply_depths
from moderator.core.importing.sources.json_lines import first_object, json_objects, kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Cancelled, Progress

NAME = "jsonl"
EXTENSIONS = (".jsonl", ".ndjson")

_THREAD_KEYS = frozenset({"id", "title", "url", "article", "comments"})
_COMMENT_KEYS = frozenset({"id", "parent_id", "author", "text", "created_at"})
_BULK_KEYS = _COMMENT_KEYS | {"thread_id", "thread_title", "title", "url", "article"}
# A bulk line with only these keys carries no thread fields and no extra metadata (the common case).
_PLAIN_KEYS = _COMMENT_KEYS | {"thread_id"}


def sniff(source: SourceText) -> float:
    first = first_object(source.text)
    return 0.95 if isinstance(first, dict) and ("comments" in first or "text" in first) else 0.0


# ------------------------------------------------------------------------------------ lines


def _expect_object(name: str, lineno: int, obj: Any) -> None:
    if type(obj) is not dict:
        raise ImportFailure(name, lineno, f"expected a JSON object, found {kind_of(obj)}")


# ------------------------------------------------------------------------------ reply trees


# -------------------------------------------------------------------------------- bulk shape


# One line of a bulk file, checked, as a plain tuple (a million of them are built, so no class):
# (external_id, parent_id, author, text, created_at, line, metadata). ``created_at`` is the raw JSON
# value, already validated (``when`` turns it into a datetime); metadata holds the keys the format
# does not know, or is None.
BulkComment = tuple[str | None, str | None, str | None, str, str | int | float | None, int, dict[str, Any] | None]


class BulkThread:
    """The comments of one ``thread_id`` in file order, with the thread fields first given."""

    __slots__ = ("external_id", "line", "title", "url", "article", "comments", "ids", "unresolved")

    def __init__(self, external_id: str, line: int):
        self.external_id = external_id
        self.line = line  # first line of the thread
        self.title: str | None = None
        self.url: str | None = None
        self.article = ""
        self.comments: list[BulkComment] = []
        self.ids: dict[str, int] = {}  # external id -> index in comments
        self.unresolved: list[int] = []  # comments whose parent had not been seen when they were read

    def link(self, name: str) -> tuple[list[int | None], list[int]]:
        """Parent index (None for top level or an orphan) and depth of every comment; refuses cycles."""
        ids = self.ids
        parents = [None if c[1] is None else ids.get(c[1]) for c in self.comments]
        try:
            return parents, reply_depths(parents)
        except ReplyCycle as cycle:
            comments = self.comments
            raise cycle_failure(name, cycle.cycle, [c[0] for c in comments], [c[5] for c in comments]) from None

    def orphans(self) -> int:
        """Replies whose parent id is not in the thread (kept at top level)."""
        ids = self.ids
        comments = self.comments
        return sum(1 for k in self.unresolved if comments[k][1] not in ids)


def read_bulk(
    source: SourceText, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> list[BulkThread] | None:
    """The threads of a one-comment-per-line file in first-appearance order; None for a thread-per-line file.

    Every line is checked, so a bad line anywhere raises ``ImportFailure`` before anything is
    returned; reply cycles are found by ``BulkThread.link``.
    """
    name = source.name
    lines = json_objects(source, progress, cancelled)
    first = next(lines, None)
    if first is None:
        return []
    _expect_object(name, first[0], first[1])
    if "comments" in first[1]:
        return None
    threads: dict[str, BulkThread] = {}
    plain_keys = _PLAIN_KEYS.issuperset
    bulk_keys = _BULK_KEYS.issuperset
    iso = datetime.fromisoformat
    same_author = {}.setdefault
    for lineno, obj in chain((first,), lines):
        if type(obj) is not dict:
            _expect_object(name, lineno, obj)
        plain = plain_keys(obj)
        if not plain and "comments" in obj:
            raise ImportFailure(
                name, lineno, 'a whole thread ("comments") in a file of one comment per line: the two shapes are mixed'
            )
        tid = obj.get("thread_id")
        if type(tid) is not str:
            if tid is None:
                raise ImportFailure(name, lineno, 'missing "thread_id" (every line of a one-comment-per-line file needs one)')
            tid = str(tid) if type(tid) is int else _ident(name, lineno, "thread_id", tid)
        thread = threads.get(tid)
        if thread is None:
            thread = threads[tid] = BulkThread(tid, lineno)
        metadata = None
        if not plain:
            # Thread fields may sit on any line of the thread; the first value given wins.
            title = obj.get("thread_title", obj.get("title"))
            if title is not None and thread.title is None:
                thread.title = _text(name, lineno, "thread_title", title)
            url = obj.get("url")
            if url is not None and thread.url is None:
                thread.url = _text(name, lineno, "url", url)
            article = obj.get("article")
            if article is not None and not thread.article:
                thread.article = _text(name, lineno, "article", article)
            if not bulk_keys(obj):
                metadata = {k: obj[k] for k in obj.keys() - _BULK_KEYS}
        # Calls only for what is unusual: this runs once per comment of a big file. (Integer ids are
        # common; type() rather than isinstance() keeps true/false out, which _ident refuses.)
        text = obj.get("text")
        if type(text) is not str:
            what = 'missing "text"' if text is None else f'"text" must be a string, found {kind_of(text)}'
            raise ImportFailure(name, lineno, what)
        ext = obj.get("id")
        if ext is not None and type(ext) is not str:
            ext = str(ext) if type(ext) is int else _ident(name, lineno, "id", ext)
        parent = obj.get("parent_id")
        if parent is not None and type(parent) is not str:
            parent = str(parent) if type(parent) is int else _ident(name, lineno, "parent_id", parent)
        author = obj.get("author")
        if author is not None:
            if type(author) is not str:
                raise ImportFailure(name, lineno, f'"author" must be a string or null, found {kind_of(author)}')
            author = same_author(author, author) or None  # one string per name: authors repeat a lot
        created = obj.get("created_at")
        if created is not None:
            if type(created) is str:
                try:
                    iso(created)
                except ValueError:
                    _when(name, lineno, "", created)
            else:
                _when(name, lineno, "", created)
        comments = thread.comments
        ids = thread.ids
        if ext is not None:
            index = len(comments)
            first_index = ids.setdefault(ext, index)
            if first_index != index:
                raise ImportFailure(
                    name, lineno, f"duplicate comment id {ext!r} in this thread (first on line {comments[first_index][5]})"
                )
            if parent == ext:
                raise ImportFailure(name, lineno, f"comment {ext!r} is its own parent")
        if parent is not None and parent not in ids:
            thread.unresolved.append(len(comments))
        comments.append((ext, parent, author, text, created, lineno, metadata))
    return list(threads.values())


def bulk_draft(name: str, thread: BulkThread) -> ThreadDraft:
    """The draft of a bulk thread (what ``parse`` yields); refuses a reply cycle."""
    parents, _ = thread.link(name)
    draft = ThreadDraft(
        source=NAME, external_id=thread.external_id, line=thread.line, title=thread.title, url=thread.url, article=thread.article
    )
    orphans = 0
    append = draft.comments.append
    for (ext, parent, author, text, created, line, extra), index in zip(thread.comments, parents):
        metadata = dict(extra) if extra else {}
        if parent is not None and index is None:
            metadata["missing_parent_id"] = parent
            orphans += 1
        moment = None if created is None else when(created)
        append(CommentDraft(text, author, ext, index, moment, metadata=metadata, line=line))
    if orphans:
        draft.metadata["orphans"] = orphans
    return draft


# ----------------------------------------------------------------------------------- parsing


def parse(source: SourceText, progress: Progress | None = None) -> Iterator[ThreadDraft]:
    with paused_gc():
        bulk = read_bulk(source, progress)
        if bulk is not None:
            drafts = [bulk_draft(source.name, thread) for thread in bulk]
        else:
            threads = _read_threads(source, progress)
            for thread in threads:
                link_replies(source.name, thread)
            drafts = [thread.draft for thread in threads]
    if progress is not None:
        progress(1.0)
    yield from drafts


def _read_threads(source: SourceText, progress: Progress | None) -> list[PendingThread]:
    """A file of one thread per line (the first line has ``"comments"``)."""
    name = source.name
    threads: list[PendingThread] = []
    for lineno, obj in json_objects(source, progress):
        _expect_object(name, lineno, obj)
        if "comments" not in obj:
            raise ImportFailure(
                name, lineno, 'no "comments": this file has one thread per line, a line cannot be a single comment'
            )
        threads.append(_thread_line(name, lineno, obj))
    return threads


def _thread_line(name: str, lineno: int, obj: dict[str, Any]) -> PendingThread:
    draft = ThreadDraft(source=NAME, line=lineno)
    tid = obj.get("id")
    if tid is not None:
        draft.external_id = _ident(name, lineno, "id", tid)
    for key in ("title", "url"):
        if obj.get(key) is not None:
            setattr(draft, key, _text(name, lineno, key, obj[key]))
    if obj.get("article") is not None:
        draft.article = _text(name, lineno, "article", obj["article"])
    draft.metadata = {k: obj[k] for k in obj.keys() - _THREAD_KEYS}
    comments = obj["comments"]
    if type(comments) is not list:
        raise ImportFailure(name, lineno, f'"comments" must be a list, found {kind_of(comments)}')
    thread = PendingThread(draft)
    for i, comment in enumerate(comments, 1):
        where = f"comment {i}: "
        if type(comment) is not dict:
            raise ImportFailure(name, lineno, f"{where}expected a JSON object, found {kind_of(comment)}")
        metadata = {} if _COMMENT_KEYS.issuperset(comment) else {k: comment[k] for k in comment.keys() - _COMMENT_KEYS}
        _add_comment(name, lineno, comment, thread, metadata, where)
    return thread


def _add_comment(
    name: str, lineno: int, obj: dict[str, Any], thread: PendingThread, metadata: dict[str, Any], where: str
) -> None:
    text = obj.get("text")
    if type(text) is not str:
        what = 'missing "text"' if text is None else f'"text" must be a string, found {kind_of(text)}'
        raise ImportFailure(name, lineno, where + what)
    ext = obj.get("id")
    if ext is not None and type(ext) is not str:
        ext = _ident(name, lineno, "id", ext, where)
    parent = obj.get("parent_id")
    if parent is not None and type(parent) is not str:
        parent = _ident(name, lineno, "parent_id", parent, where)
    author = obj.get("author")
    if author is not None and type(author) is not str:
        raise ImportFailure(name, lineno, f'{where}"author" must be a string or null, found {kind_of(author)}')
    created = obj.get("created_at")
    if created is not None:
        created = _when(name, lineno, where, created)
    comment = CommentDraft(text, author or None, ext, None, created, metadata=metadata, line=lineno)
    thread.add(name, lineno, comment, parent, where)


def _ident(name: str, lineno: int, key: str, value: Any, where: str = "") -> str:
    # bool is an int subclass, but true/false is never meant as an id
    if type(value) is str or type(value) is int:
        return str(value)
    raise ImportFailure(name, lineno, f'{where}"{key}" must be a string or an integer, found {kind_of(value)}')


def _text(name: str, lineno: int, key: str, value: Any) -> str:
    if type(value) is not str:
        raise ImportFailure(name, lineno, f'"{key}" must be a string, found {kind_of(value)}')
    return value


def when(value: str | int | float) -> datetime:
    """A ``created_at`` already checked by the reader, as a datetime (see ``_when``)."""
    return _when("", 0, "", value)


def _when(name: str, lineno: int, where: str, value: Any) -> datetime:
    """ISO 8601 text or unix seconds; an offset or epoch gives aware UTC, a naive ISO time stays naive."""
    try:
        if type(value) is str:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo is None else moment.astimezone(UTC)
        if type(value) is int or type(value) is float:
            return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise ImportFailure(name, lineno, f'{where}"created_at" is not an ISO 8601 date or a unix time: {json.dumps(value)[:60]}')
