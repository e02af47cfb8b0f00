"""Reddit submissions and comments (API objects or dump lines) gathered into thread drafts.

Shared by the dump reader (``dump``) and the thread-page reader (``listing``).
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.linking.quote_links import Marked, link_quotes, markdown_quotes
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.sources.json_lines import kind_of

NAME = "reddit"
GONE = ("[deleted]", "[removed]")
# Fields of a comment or submission worth keeping beside the text (a dump line has dozens).
_KEEP = ("subreddit", "score", "controversiality", "distinguished", "stickied", "edited", "gilded", "link_title")
# Every field a comment or submission is read for (a dump's lines are staged with only these).
USED = frozenset(
    {"id", "parent_id", "link_id", "body", "author", "created_utc", "title", "selftext", "permalink", "url", "is_self"}
    | {"num_comments", *_KEEP}
)


def unwrap(obj: Any) -> Any:
    """The ``data`` of an API-style ``{"kind": "t1", "data": {...}}`` object; other values as they are."""
    if type(obj) is dict and type(obj.get("data")) is dict and obj.get("kind") in ("t1", "t3"):
        return obj["data"]
    return obj


def is_comment(obj: dict[str, Any]) -> bool:
    return "body" in obj and ("link_id" in obj or "parent_id" in obj)


def is_submission(obj: dict[str, Any]) -> bool:
    return "title" in obj and "body" not in obj and ("selftext" in obj or "subreddit" in obj or "num_comments" in obj)


def bare(fullname: Any) -> str | None:
    """``abc`` from ``t1_abc`` / ``t3_abc``."""
    if fullname is None:
        return None
    text = str(fullname)
    return text[3:] if len(text) > 3 and text[0] == "t" and text[2] == "_" else text


class Threads:
    """Threads keyed by submission id, in order of first appearance (a comment may come before its post)."""

    def __init__(self, name: str):
        self.name = name
        self.pending: dict[str, PendingThread] = {}
        self.marked: dict[str, Marked] = {}
        self.with_post: set[str] = set()

    def thread(self, sid: str, lineno: int | None) -> PendingThread:
        thread = self.pending.get(sid)
        if thread is None:
            thread = self.pending[sid] = PendingThread(ThreadDraft(source=NAME, external_id=sid, line=lineno))
            self.marked[sid] = {}
        return thread

    def submission(self, lineno: int | None, data: dict[str, Any]) -> None:
        sid = ident(self.name, lineno, data, "id")
        if sid in self.with_post:
            return  # dumps repeat a post now and then; the first copy is kept
        self.with_post.add(sid)
        draft = self.thread(sid, lineno).draft
        draft.title = _unescape(_text(self.name, lineno, data, "title", required=True)).strip() or None
        selftext = _unescape(_text(self.name, lineno, data, "selftext") or "")
        draft.article = selftext
        draft.published_at = _when(self.name, lineno, data.get("created_utc"))
        permalink = data.get("permalink")
        link = data.get("url")
        draft.url = f"https://www.reddit.com{permalink}" if type(permalink) is str and permalink.startswith("/") else link
        meta = {k: data[k] for k in _KEEP if data.get(k) is not None}
        author = data.get("author")
        if type(author) is str and author not in GONE:
            meta["author"] = author
        if type(link) is str and link != draft.url and not data.get("is_self"):
            meta["link_url"] = link
        if selftext in GONE:
            meta["article_" + selftext.strip("[]")] = True
        if type(data.get("num_comments")) is int:
            meta["num_comments"] = data["num_comments"]
        draft.metadata.update(meta)

    def comment(self, lineno: int | None, data: dict[str, Any], sid: str | None = None) -> None:
        name = self.name
        cid = ident(name, lineno, data, "id")
        parent_full = data.get("parent_id")
        link = sid or link_of(name, lineno, data)
        parent = None if parent_full is None or str(parent_full).startswith("t3_") else bare(parent_full)
        body = _text(name, lineno, data, "body", required=True)
        text = _unescape(body)
        metadata = {k: data[k] for k in _KEEP if data.get(k) is not None and k != "link_title"}
        if text.strip() in GONE:
            metadata[text.strip().strip("[]")] = True  # "deleted": True or "removed": True
        author = data.get("author")
        if type(author) is not str or author in GONE:
            author = None
        thread = self.thread(link, lineno)
        title = data.get("link_title")
        if thread.draft.title is None and type(title) is str and link not in self.with_post:
            thread.draft.title = _unescape(title).strip() or None
        spans = markdown_quotes(text) if ">" in text else []
        if spans:
            self.marked[link][len(thread.draft.comments)] = spans
        comment = CommentDraft(
            text, author, cid, None, _when(name, lineno, data.get("created_utc")), metadata=metadata, line=lineno
        )
        thread.add(name, lineno or 1, comment, parent)

    def finish(self) -> list[ThreadDraft]:
        drafts = []
        for sid, thread in self.pending.items():
            link_replies(self.name, thread)
            link_quotes(thread.draft, self.marked[sid])
            drafts.append(thread.draft)
        if not drafts:
            raise ImportFailure(self.name, 1, "no Reddit submission or comment in the file")
        return drafts


def _unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def link_of(name: str, lineno: int | None, data: dict[str, Any]) -> str:
    """The submission a comment belongs to: its ``link_id``, else a top-level comment's ``parent_id``."""
    parent_full = data.get("parent_id")
    link = bare(data.get("link_id"))
    if link is None and type(parent_full) is str and parent_full.startswith("t3_"):
        link = bare(parent_full)
    if link is None:
        cid = ident(name, lineno, data, "id")
        raise ImportFailure(name, lineno, f'comment {cid!r} has no "link_id": which submission it belongs to is unknown')
    return link


def ident(name: str, lineno: int | None, data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if type(value) is str and value:
        return bare(value) or value
    if type(value) is int:
        return str(value)
    what = f'missing "{key}"' if value is None else f'"{key}" must be a string, found {kind_of(value)}'
    raise ImportFailure(name, lineno, what)


def _text(name: str, lineno: int | None, data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None and not required:
        return None
    if type(value) is not str:
        what = f'missing "{key}"' if value is None else f'"{key}" must be a string, found {kind_of(value)}'
        raise ImportFailure(name, lineno, what)
    return value


def _when(name: str, lineno: int | None, value: Any) -> datetime | None:
    """``created_utc``: unix seconds, as a number or (in older dumps) a string."""
    if value is None:
        return None
    try:
        if type(value) is str:
            value = float(value)
        if type(value) is int or type(value) is float:
            return datetime.fromtimestamp(value, UTC)
    except (ValueError, OverflowError, OSError):
        pass
    raise ImportFailure(name, lineno, f'"created_utc" is not a unix time: {json.dumps(value)[:60]}')
