"""The JSON a Reddit thread's ``.json`` URL returns: ``[Listing of the t3 post, Listing of t1 comments]``.

Comments nest through ``replies`` (a Listing, or ``""`` when there are none); ``kind: "more"`` stubs
stand for comments the page did not load: they are skipped and counted in the thread's metadata.
"""

from __future__ import annotations

import json
import re
from typing import Any

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.reddit.threads import Threads, bare
from moderator.core.importing.sources.json_lines import kind_of
from moderator.core.importing.sources.reading import SourceText

_SHAPE = "expected the JSON of a Reddit thread: a list of two Listings (the post, then its comments)"


def read(source: SourceText) -> list[ThreadDraft]:
    name, text = source.name, source.text
    try:
        data = json.loads(text)
    except ValueError as exc:
        reason = f"invalid JSON at column {getattr(exc, 'colno', '?')} ({getattr(exc, 'msg', exc)})"
        if getattr(exc, "pos", 0) >= len(text.rstrip()):
            reason += "; the file ends early, it looks cut off"
        raise ImportFailure(name, getattr(exc, "lineno", None), reason) from None
    except RecursionError:
        raise ImportFailure(name, 1, "invalid JSON (nested too deeply)") from None
    if type(data) is not list or len(data) != 2 or not all(_children(x) is not None for x in data):
        raise ImportFailure(name, 1, _SHAPE)
    threads = Threads(name)
    line_of = _Lines(text)
    posts = [c for c in _children(data[0]) if type(c) is dict and c.get("kind") == "t3" and type(c.get("data")) is dict]
    if len(posts) != 1:
        raise ImportFailure(name, 1, f"{_SHAPE}; the first Listing holds {len(posts)} posts (t3), not 1")
    post = posts[0]["data"]
    threads.submission(line_of(post.get("name")), post)
    sid = bare(post.get("id") or post.get("name")) or ""
    more = 0
    # Depth-first, in page order, without recursion: a deep reply chain must not overflow the stack.
    stack = list(reversed(_children(data[1]) or []))
    while stack:
        child = stack.pop()
        if type(child) is not dict or type(child.get("data")) is not dict:
            raise ImportFailure(name, 1, f"a comment Listing holds {kind_of(child)}, not a {{kind, data}} object")
        kind, body = child.get("kind"), child["data"]
        if kind == "more":
            count = body.get("count")
            more += count if type(count) is int and count > 0 else len(body.get("children") or [])
            continue
        if kind != "t1":
            raise ImportFailure(name, line_of(body.get("name")), f'expected a comment (kind "t1") or "more", found kind {kind!r}')
        line = line_of(body.get("name"))
        threads.comment(line, body, sid)
        replies = body.get("replies")
        if replies not in ("", None):
            children = _children(replies)
            if children is None:
                raise ImportFailure(
                    name, line, f'"replies" of comment {body.get("id")!r} must be a Listing or "", found {kind_of(replies)}'
                )
            stack.extend(reversed(children))
    drafts = threads.finish()
    if more:
        drafts[0].metadata["more_comments_not_loaded"] = more
    return drafts


def _children(listing: Any) -> list[Any] | None:
    if type(listing) is not dict or listing.get("kind") != "Listing" or type(listing.get("data")) is not dict:
        return None
    children = listing["data"].get("children")
    return children if type(children) is list else None


_NAME = re.compile(r'"name":\s*("(?:[^"\\]|\\.)*")')  # an object's own "name", not a reply's "parent_id"


class _Lines:
    """The line of each object's ``"name"`` in the file (pretty-printed files have many lines), found in one
    pass over the text when first asked (a search per comment from the start was quadratic: 100,000
    comments took half an hour); a name's first place counts; None if absent."""

    def __init__(self, text: str):
        self.text = text
        self.lines: dict[str, int] | None = None

    def __call__(self, fullname: Any) -> int | None:
        if type(fullname) is not str:
            return None
        if self.lines is None:
            self.lines = {}
            line, last = 1, 0
            for found in _NAME.finditer(self.text):
                line += self.text.count("\n", last, found.start())
                last = found.start()
                try:
                    self.lines.setdefault(json.loads(found.group(1)), line)
                except ValueError:  # not a string after all (an escape json.loads refuses): not a name
                    continue
        return self.lines.get(fullname)
