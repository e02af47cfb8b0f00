"""Disqus XML exports: ``<disqus>`` with ``<category>``, ``<thread dsq:id>`` and ``<post dsq:id>`` elements.

Each ``<thread>`` (link, title, message, createdAt) is a thread; each ``<post>`` names its thread
(``<thread dsq:id>``) and, for a reply, its ``<parent dsq:id>``. Messages are HTML: they become plain
text, and a ``<blockquote>`` a quote span. Deleted and spam posts are kept and marked in the comment's
metadata. Commenters' e-mail and IP addresses are never read into the database.

The file is parsed as a stream (no DOM) by defusedxml's parser: a DTD, and with it entity expansion
("billion laughs") or external entities, is refused at its line before anything is expanded.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.linking.quote_links import Marked, link_quotes
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.html_text import html_to_text
from moderator.core.importing.sources.json_lines import paused_gc
from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Progress

NAME = "disqus"
EXTENSIONS = (".xml",)

_DSQ_ID = "{http://disqus.com/disqus-internals}id"
_CHUNK = 1 << 20
_POSITION = re.compile(r": line \d+, column \d+$")


def sniff(source: SourceText) -> float:
    head = source.text[:2048]
    return 0.99 if re.search(r"<disqus[\s>]", head) else 0.0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


class _Export:
    """Parser target: collects categories, threads and posts as flat records while the file streams by."""

    def __init__(self, name: str):
        self.name = name
        self.parser: Any = None
        self.path: list[str] = []
        self.record: dict[str, Any] | None = None
        self.text: list[str] = []
        self.categories: dict[str, str] = {}
        self.threads: dict[str, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []

    def line(self) -> int:
        return self.parser.parser.CurrentLineNumber

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = _local(tag)
        depth = len(self.path)
        self.path.append(tag)
        if depth == 0 and tag != "disqus":
            raise ImportFailure(self.name, self.line(), f"not a Disqus export: the root element is <{tag}>, not <disqus>")
        if depth == 1:
            self.record = {"kind": tag, "id": attrib.get(_DSQ_ID), "line": self.line()}
        elif depth == 2 and self.record is not None and _DSQ_ID in attrib:
            self.record[f"{tag}_ref"] = attrib[_DSQ_ID]  # <thread dsq:id>, <parent dsq:id>, <category dsq:id>
        self.text = []

    def data(self, text: str) -> None:
        self.text.append(text)

    def end(self, tag: str) -> None:
        self.path.pop()
        depth = len(self.path)
        record = self.record
        if record is None:
            return
        if depth in (2, 3):  # a field, or a field of <author>
            key = _local(tag) if depth == 2 else f"{self.path[-1]}_{_local(tag)}"
            key = "id_text" if key == "id" else key  # <id> is the site's identifier, not the dsq:id
            record.setdefault(key, "".join(self.text).strip())
        elif depth == 1:
            kind = record["kind"]
            if kind == "category" and record["id"]:
                self.categories[record["id"]] = record.get("title", "")
            elif kind == "thread" and record["id"]:
                self.threads.setdefault(record["id"], record)
            elif kind == "post":
                self.posts.append(record)
            self.record = None
        self.text = []

    def close(self) -> None:
        pass


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    name = source.name
    export = _Export(name)
    parser = DefusedXMLParser(target=export, encoding="utf-8", forbid_dtd=True)
    export.parser = parser
    text = source.text
    try:
        for at in range(0, len(text), _CHUNK):
            parser.feed(text[at : at + _CHUNK].encode("utf-8"))
            if progress is not None:
                progress(0.8 * at / len(text))
        parser.close()
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        reason = _POSITION.sub("", str(exc))
        if "no element found" in reason or "unclosed token" in reason:
            reason += "; the file ends early, it looks cut off"
        raise ImportFailure(name, line, f"malformed XML: {reason}") from None
    except DefusedXmlException as exc:
        reason = (
            "the file declares a DTD or entities (<!DOCTYPE>, <!ENTITY>); a Disqus export has none, and they are "
            f"refused so that entity expansion cannot blow up ({type(exc).__name__})"
        )
        raise ImportFailure(name, export.line(), reason) from None
    with paused_gc():
        drafts = _drafts(name, export)
    if progress is not None:
        progress(1.0)
    yield from drafts


def _drafts(name: str, export: _Export) -> list[ThreadDraft]:
    pending: dict[str, PendingThread] = {}
    marked: dict[str, Marked] = {}
    for post in export.posts:
        line = post["line"]
        pid, tid = post.get("id"), post.get("thread_ref")
        if not pid:
            raise ImportFailure(name, line, "a <post> without its dsq:id attribute")
        if not tid:
            raise ImportFailure(name, line, f"post {pid!r} names no thread (<thread dsq:id=...>)")
        thread = pending.get(tid)
        if thread is None:
            thread = pending[tid] = PendingThread(_thread(name, tid, export.threads.get(tid), export.categories, line))
            marked[tid] = {}
        text, quotes = html_to_text(post.get("message", ""))
        metadata: dict[str, Any] = {}
        for flag, key in (("isDeleted", "deleted"), ("isSpam", "spam")):
            if post.get(flag, "").lower() == "true":
                metadata[key] = True
        username = post.get("author_username")
        if username:
            metadata["username"] = username
        author = post.get("author_name") or username or None
        if quotes:
            marked[tid][len(thread.draft.comments)] = quotes
        comment = CommentDraft(text, author, pid, None, _when(name, line, post.get("createdAt")), metadata=metadata, line=line)
        thread.add(name, line, comment, post.get("parent_ref") or None)
    if not pending:
        raise ImportFailure(name, 1, "no <post> in the export: there is nothing to label")
    drafts = []
    for tid, thread in pending.items():
        link_replies(name, thread)
        link_quotes(thread.draft, marked[tid])
        drafts.append(thread.draft)
    return drafts


def _thread(name: str, tid: str, record: dict[str, Any] | None, categories: dict[str, str], line: int) -> ThreadDraft:
    if record is None:  # posts of a thread the export does not describe
        return ThreadDraft(source=NAME, external_id=tid, line=line, metadata={"thread_missing": True})
    article, _ = html_to_text(record.get("message", ""))
    draft = ThreadDraft(
        source=NAME,
        external_id=tid,
        title=record.get("title") or None,
        url=record.get("link") or None,
        article=article,
        published_at=_when(name, record["line"], record.get("createdAt")),
        line=record["line"],
    )
    meta = {"identifier": record.get("id_text")} if record.get("id_text") else {}
    if record.get("category_ref") in categories:
        meta["category"] = categories[record["category_ref"]]
    for flag, key in (("isDeleted", "deleted"), ("isClosed", "closed")):
        if record.get(flag, "").lower() == "true":
            meta[key] = True
    draft.metadata = meta
    return draft


def _when(name: str, line: int, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ImportFailure(name, line, f"<createdAt> {value[:60]!r} is not an ISO 8601 date") from None
    return moment if moment.tzinfo is None else moment.astimezone(UTC)
