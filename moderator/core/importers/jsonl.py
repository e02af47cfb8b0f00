"""JSON Lines importer: one thread per line, or the bulk shape with one comment per line.

The shape is decided by the first non-blank line: an object with ``"comments"`` is a thread per line
(shape a), anything else must be one comment per line with a ``"thread_id"`` (shape b). Every line is
parsed and validated before the first thread is yielded, so a bad line anywhere fails the whole file
with ``path:line: reason`` and the caller never sees half of it.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any

from ..drafts import CommentDraft, ThreadDraft
from .errors import ImportFailure
from .reading import SourceText

NAME = "jsonl"
EXTENSIONS = (".jsonl", ".ndjson")

_THREAD_KEYS = frozenset({"id", "title", "url", "article", "comments"})
_COMMENT_KEYS = frozenset({"id", "parent_id", "author", "text", "created_at"})
_BULK_KEYS = _COMMENT_KEYS | {"thread_id", "thread_title", "title", "url", "article"}


def _first_object(text: str) -> Any:
    start = 0
    while start < len(text):  # find() rather than split(): sniffing must not copy a 60 MB file
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if not text[start:end].isspace() and end > start:
            try:
                return json.loads(text[start:end])
            except (ValueError, RecursionError):
                return None
        start = end + 1
    return None


def sniff(source: SourceText) -> float:
    first = _first_object(source.text)
    return 0.95 if isinstance(first, dict) and ("comments" in first or "text" in first) else 0.0


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cycle collector while building many small objects that hold no cycles.

    Hundreds of thousands of drafts trigger repeated full collections that would otherwise take
    about 40% of the parse time; nothing collectable is created, so pausing loses nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class PendingThread:
    """A thread being assembled, with each comment's external parent id until all ids are known.

    ``csv_table`` builds the same structure so both formats share one reply-linking rule.
    """

    __slots__ = ("draft", "parents", "lines", "ids")

    def __init__(self, draft: ThreadDraft):
        self.draft = draft
        self.parents: list[str | None] = []
        self.lines: list[int] = []
        self.ids: dict[str, int] = {}

    def add(self, name: str, lineno: int, comment: CommentDraft, parent: str | None, where: str = "") -> None:
        """Append a comment, refusing a duplicate id or a comment that names itself as parent."""
        ext = comment.external_id
        if ext is not None:
            first = self.ids.get(ext)
            if first is not None:
                raise ImportFailure(
                    name, lineno, f"{where}duplicate comment id {ext!r} in this thread (first on line {self.lines[first]})"
                )
            if parent == ext:
                raise ImportFailure(name, lineno, f"{where}comment {ext!r} is its own parent")
            self.ids[ext] = len(self.draft.comments)
        self.draft.comments.append(comment)
        self.parents.append(parent)
        self.lines.append(lineno)


def parse(source: SourceText, progress: Callable[[float], None] | None = None) -> Iterator[ThreadDraft]:
    with paused_gc():
        threads = _read(source, progress)
        for thread in threads:
            link_replies(source.name, thread)
    if progress is not None:
        progress(1.0)
    for thread in threads:
        yield thread.draft


def _read(source: SourceText, progress: Callable[[float], None] | None) -> list[PendingThread]:
    name = source.name
    lines = source.text.split("\n")
    total = len(lines)
    step = max(1, total // 100)  # report about every 1%: a callback per line would cost more than parsing
    next_report = step
    loads = json.loads
    shape: str | None = None
    threads: dict[str, PendingThread] = {}  # by thread id (shape b) or by line (shape a), in first-appearance order
    for lineno, raw in enumerate(lines, 1):
        if progress is not None and lineno >= next_report:
            progress(lineno / total)
            next_report += step
        if not raw or raw.isspace():
            continue
        try:
            obj = loads(raw)
        except ValueError as exc:
            reason = f"invalid JSON at column {getattr(exc, 'colno', '?')} ({getattr(exc, 'msg', exc)})"
            if not any(rest.strip() for rest in lines[lineno:]):
                reason += "; the last line is cut off, the file looks half-written"
            raise ImportFailure(name, lineno, reason) from None
        except RecursionError:
            raise ImportFailure(name, lineno, "invalid JSON (nested too deeply)") from None
        if type(obj) is not dict:
            raise ImportFailure(name, lineno, f"expected a JSON object, found {_kind(obj)}")
        if shape is None:
            shape = "thread" if "comments" in obj else "comment"
        if shape == "comment":
            _bulk_line(name, lineno, obj, threads)
        elif "comments" in obj:
            _thread_line(name, lineno, obj, threads)
        else:
            raise ImportFailure(
                name, lineno, 'no "comments": this file has one thread per line, a line cannot be a single comment'
            )
    return list(threads.values())


def _bulk_line(name: str, lineno: int, obj: dict[str, Any], threads: dict[str, PendingThread]) -> None:
    if "comments" in obj:
        raise ImportFailure(name, lineno, 'a whole thread ("comments") in a file of one comment per line: the two shapes are mixed')
    tid = obj.get("thread_id")
    if tid is None:
        raise ImportFailure(name, lineno, 'missing "thread_id" (every line of a one-comment-per-line file needs one)')
    key = tid if type(tid) is str else _ident(name, lineno, "thread_id", tid)
    thread = threads.get(key)
    if thread is None:
        thread = threads[key] = PendingThread(ThreadDraft(source=NAME, external_id=key, line=lineno))
    draft = thread.draft
    # Thread fields may sit on any line of the thread; the first value given wins.
    title = obj.get("thread_title", obj.get("title"))
    if title is not None and draft.title is None:
        draft.title = _text(name, lineno, "thread_title", title)
    url = obj.get("url")
    if url is not None and draft.url is None:
        draft.url = _text(name, lineno, "url", url)
    article = obj.get("article")
    if article is not None and not draft.article:
        draft.article = _text(name, lineno, "article", article)
    metadata = {} if _BULK_KEYS.issuperset(obj) else {k: obj[k] for k in obj.keys() - _BULK_KEYS}
    _add_comment(name, lineno, obj, thread, metadata, "")


def _thread_line(name: str, lineno: int, obj: dict[str, Any], threads: dict[str, PendingThread]) -> None:
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
        raise ImportFailure(name, lineno, f'"comments" must be a list, found {_kind(comments)}')
    thread = threads[str(lineno)] = PendingThread(draft)
    for i, comment in enumerate(comments, 1):
        where = f"comment {i}: "
        if type(comment) is not dict:
            raise ImportFailure(name, lineno, f"{where}expected a JSON object, found {_kind(comment)}")
        metadata = {} if _COMMENT_KEYS.issuperset(comment) else {k: comment[k] for k in comment.keys() - _COMMENT_KEYS}
        _add_comment(name, lineno, comment, thread, metadata, where)


def _add_comment(name: str, lineno: int, obj: dict[str, Any], thread: PendingThread, metadata: dict[str, Any], where: str) -> None:
    text = obj.get("text")
    if type(text) is not str:
        what = 'missing "text"' if text is None else f'"text" must be a string, found {_kind(text)}'
        raise ImportFailure(name, lineno, where + what)
    # Calls only for what is not already a string: this runs once per comment of a big file.
    ext = obj.get("id")
    if ext is not None and type(ext) is not str:
        ext = _ident(name, lineno, "id", ext, where)
    parent = obj.get("parent_id")
    if parent is not None and type(parent) is not str:
        parent = _ident(name, lineno, "parent_id", parent, where)
    author = obj.get("author")
    if author is not None and type(author) is not str:
        raise ImportFailure(name, lineno, f'{where}"author" must be a string or null, found {_kind(author)}')
    created = obj.get("created_at")
    if created is not None:
        created = _when(name, lineno, where, created)
    comment = CommentDraft(text, author or None, ext, None, created, metadata=metadata, line=lineno)
    thread.add(name, lineno, comment, parent, where)


def link_replies(name: str, thread: PendingThread) -> None:
    """Resolve parent ids to indexes (a parent may come later), count orphans and refuse reply cycles."""
    comments = thread.draft.comments
    ids = thread.ids
    orphans = 0
    for comment, parent in zip(comments, thread.parents):
        if parent is None:
            continue
        index = ids.get(parent)
        if index is None:
            comment.metadata["missing_parent_id"] = parent
            orphans += 1
        else:
            comment.parent_index = index
    if orphans:
        thread.draft.metadata["orphans"] = orphans
    # Walk up from every comment; "done" marks chains already known to end at a top-level comment.
    state = [0] * len(comments)  # 0 unseen, 1 on the current walk, 2 done
    for start in range(len(comments)):
        walk = []
        j: int | None = start
        while j is not None and state[j] == 0:
            state[j] = 1
            walk.append(j)
            j = comments[j].parent_index
        if j is not None and state[j] == 1:
            cycle = walk[walk.index(j):]
            chain = " -> ".join(repr(comments[k].external_id) for k in cycle + [j])
            first = min(cycle, key=thread.lines.__getitem__)
            raise ImportFailure(name, thread.lines[first], f"reply cycle: {chain}")
        for k in walk:
            state[k] = 2


def _ident(name: str, lineno: int, key: str, value: Any, where: str = "") -> str:
    # bool is an int subclass, but true/false is never meant as an id
    if type(value) is str or type(value) is int:
        return str(value)
    raise ImportFailure(name, lineno, f'{where}"{key}" must be a string or an integer, found {_kind(value)}')


def _text(name: str, lineno: int, key: str, value: Any) -> str:
    if type(value) is not str:
        raise ImportFailure(name, lineno, f'"{key}" must be a string, found {_kind(value)}')
    return value


def _when(name: str, lineno: int, where: str, value: Any) -> datetime:
    """ISO 8601 text or unix seconds; an offset or epoch gives aware UTC, a naive ISO time stays naive."""
    try:
        if type(value) is str:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo is None else moment.astimezone(timezone.utc)
        if type(value) is int or type(value) is float:
            return datetime.fromtimestamp(value, timezone.utc)
    except (ValueError, OverflowError, OSError):
        pass
    raise ImportFailure(name, lineno, f'{where}"created_at" is not an ISO 8601 date or a unix time: {json.dumps(value)[:60]}')


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )
