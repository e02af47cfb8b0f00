"""Disqus XML exports: ``<disqus>`` with ``<category>``, ``<thread dsq:id>`` and ``<post dsq:id>`` elements.

Each ``<thread>`` (link, title, message, createdAt) is a thread; each ``<post>`` names its thread
(``<thread dsq:id>``) and, for a reply, its ``<parent dsq:id>``. Messages are HTML: they become plain
text, and a ``<blockquote>`` a quote span. Deleted and spam posts are kept and marked in the comment's
metadata. Commenters' e-mail and IP addresses are never read into the database.

The file is parsed as a stream (no DOM) by defusedxml's parser: a DTD, and with it entity expansion
("billion laughs") or external entities, is refused at its line before anything is expanded. A thread's
posts may be anywhere in the export, so each post is staged on disk by its thread (``Spill``) as it ends,
then the threads are built and yielded one at a time, in order of first post; the thread and category
records wait on disk too (``Records``): memory holds one thread's posts, not the export.
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
from moderator.core.importing.sources.records import Records
from moderator.core.importing.sources.spill import Spill
from moderator.core.progress import Progress, Stepped

NAME = "disqus"
EXTENSIONS = (".xml",)
STREAMS = True  # threads are yielded one by one, and ``progress`` covers the whole import (see writer)
READ_SHARE = 0.25  # parsing the XML and staging the posts: the rest is building (and writing) the threads

_DSQ_ID = "{http://disqus.com/disqus-internals}id"
_CHUNK = 1 << 20
_POSITION = re.compile(r": line \d+, column \d+$")


def sniff(source: SourceText) -> float:
    head = source.head(2048)  # not the whole text of a large file
    return 0.99 if re.search(r"<disqus[\s>]", head) else 0.0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# What a thread's draft is made of (``_thread``): a record keeps these fields only.
_THREAD_FIELDS = frozenset(
    {"id", "line", "id_text", "category_ref", "title", "link", "message", "createdAt", "isDeleted", "isClosed"}
)


class _Export:
    """Parser target: keeps category and thread records in ``records`` (keys ``category <id>``, ``thread <id>``)
    and stages each post in ``spill`` by its thread, while the file streams by."""

    def __init__(self, name: str, spill: Spill, records: Records):
        self.name = name
        self.spill = spill
        self.records = records
        self.parser: Any = None
        self.path: list[str] = []
        self.record: dict[str, Any] | None = None
        self.text: list[str] = []
        self.failure: ImportFailure | None = None  # the first bad post, raised once the XML is known to be well formed

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
                self.records.put(f"category {record['id']}", record.get("title", ""), replace=True)  # the last one
            elif kind == "thread" and record["id"]:
                self.records.put(f"thread {record['id']}", {k: v for k, v in record.items() if k in _THREAD_FIELDS})
            elif kind == "post":
                self._post(record)
            self.record = None
        self.text = []

    def _post(self, post: dict[str, Any]) -> None:
        line = post["line"]
        pid, tid = post.get("id"), post.get("thread_ref")
        if self.failure is None and not pid:
            self.failure = ImportFailure(self.name, line, "a <post> without its dsq:id attribute")
        elif self.failure is None and not tid:
            self.failure = ImportFailure(self.name, line, f"post {pid!r} names no thread (<thread dsq:id=...>)")
        if self.failure is not None:
            return  # the file is refused: nothing more to stage
        fields = ("parent_ref", "message", "isDeleted", "isSpam", "author_name", "author_username", "createdAt")
        self.spill.add(tid, line, (pid, *(post.get(f) for f in fields)))

    def close(self) -> None:
        pass


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    name = source.name
    # A thread's posts may be anywhere in the export, and it may describe many threads: all wait on disk.
    with Spill() as spill, Records() as records:
        export = _Export(name, spill, records)
        _read(source, export, progress)
        if export.failure is not None:
            raise export.failure
        if not spill.count:
            raise ImportFailure(name, 1, "no <post> in the export: there is nothing to label")
        yield from _threads(name, export, progress)
    if progress is not None:
        progress(1.0)


def _read(source: SourceText, export: _Export, progress: Progress | None) -> None:
    """Feed the export to the parser a piece at a time (never the whole text), posts staged as they end."""
    name = source.name
    parser = DefusedXMLParser(target=export, encoding="utf-8", forbid_dtd=True)
    export.parser = parser
    size = max(1, source.size)
    done = 0
    try:
        with paused_gc():  # many small objects, none in a cycle
            for chunk in source.chunks():
                for at in range(0, len(chunk), _CHUNK):
                    parser.feed(chunk[at : at + _CHUNK].encode("utf-8"))
                done += len(chunk)
                if progress is not None:
                    progress(READ_SHARE * min(1.0, done / size))
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


def _threads(name: str, export: _Export, progress: Progress | None) -> Iterator[ThreadDraft]:
    """Each thread's draft, built from its staged posts, in order of its first post."""
    spill = export.spill
    done = 0
    report = Stepped(progress, spill.count, READ_SHARE, 1 - READ_SHARE)
    for tid, first, _skipped, posts in spill.threads():
        with paused_gc():
            draft = _draft(name, tid, first, posts, export)
        done += len(posts)
        del posts
        yield draft
        report(done)


def _draft(name: str, tid: str, first: int, posts: list[tuple[int, Any]], export: _Export) -> ThreadDraft:
    thread = PendingThread(_thread(name, tid, export.records, first))
    marked: Marked = {}
    for line, (pid, parent, message, deleted, spam, author_name, username, created) in posts:
        text, quotes = html_to_text(message or "")
        metadata: dict[str, Any] = {}
        for flag, key in ((deleted, "deleted"), (spam, "spam")):
            if (flag or "").lower() == "true":
                metadata[key] = True
        if username:
            metadata["username"] = username
        author = author_name or username or None
        if quotes:
            marked[len(thread.draft.comments)] = quotes
        comment = CommentDraft(text, author, pid, None, _when(name, line, created), metadata=metadata, line=line)
        thread.add(name, line, comment, parent or None)
    link_replies(name, thread)
    link_quotes(thread.draft, marked)
    return thread.draft


def _thread(name: str, tid: str, records: Records, line: int) -> ThreadDraft:
    record = records.get(f"thread {tid}")
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
    category = records.get(f"category {record['category_ref']}") if record.get("category_ref") else None
    if category is not None:
        meta["category"] = category
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
