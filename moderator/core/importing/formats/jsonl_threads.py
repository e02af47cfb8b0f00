"""JSON Lines of one thread per line (``{"id", "title", "url", "article", "comments": [...]}``): each line's
thread checked, linked and yielded as it is read, so memory holds one line's thread."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.jsonl_fields import checked_time, expect_object, ident, text_field
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.sources.json_lines import kind_of, paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.importing.sources.streams import stream_objects
from moderator.core.progress import Progress

THREAD_KEYS = frozenset({"id", "title", "url", "article", "comments"})
COMMENT_KEYS = frozenset({"id", "parent_id", "author", "text", "created_at"})


def read_threads(source: SourceText, progress: Progress | None, fmt: str) -> Iterator[ThreadDraft]:
    """A file of one thread per line (the first line has ``"comments"``): each thread's draft (its source
    ``fmt``) as its line is read; reading the file is the whole import's progress (``STREAMS``)."""
    name = source.name
    for lineno, obj in stream_objects(source, progress):
        with paused_gc():  # a line's many small objects, none in a cycle; not while the writer runs
            expect_object(name, lineno, obj)
            if "comments" not in obj:
                raise ImportFailure(
                    name, lineno, 'no "comments": this file has one thread per line, a line cannot be a single comment'
                )
            thread = _thread_line(name, lineno, obj, fmt)
            link_replies(name, thread)
        yield thread.draft


def _thread_line(name: str, lineno: int, obj: dict[str, Any], fmt: str) -> PendingThread:
    draft = ThreadDraft(source=fmt, line=lineno)
    tid = obj.get("id")
    if tid is not None:
        draft.external_id = ident(name, lineno, "id", tid)
    for key in ("title", "url"):
        if obj.get(key) is not None:
            setattr(draft, key, text_field(name, lineno, key, obj[key]))
    if obj.get("article") is not None:
        draft.article = text_field(name, lineno, "article", obj["article"])
    draft.metadata = {k: obj[k] for k in obj.keys() - THREAD_KEYS}
    comments = obj["comments"]
    if type(comments) is not list:
        raise ImportFailure(name, lineno, f'"comments" must be a list, found {kind_of(comments)}')
    thread = PendingThread(draft)
    for i, comment in enumerate(comments, 1):
        where = f"comment {i}: "
        if type(comment) is not dict:
            raise ImportFailure(name, lineno, f"{where}expected a JSON object, found {kind_of(comment)}")
        # In the line's order, as the bulk shape's: what the metadata bound keeps is the first keys.
        metadata = {} if COMMENT_KEYS.issuperset(comment) else {k: v for k, v in comment.items() if k not in COMMENT_KEYS}
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
        ext = ident(name, lineno, "id", ext, where)
    parent = obj.get("parent_id")
    if parent is not None and type(parent) is not str:
        parent = ident(name, lineno, "parent_id", parent, where)
    author = obj.get("author")
    if author is not None and type(author) is not str:
        raise ImportFailure(name, lineno, f'{where}"author" must be a string or null, found {kind_of(author)}')
    created = obj.get("created_at")
    if created is not None:
        created = checked_time(name, lineno, where, created)
    comment = CommentDraft(text, author or None, ext, None, created, metadata=metadata, line=lineno)
    thread.add(name, lineno, comment, parent, where)
