"""Comments a page declares in schema.org JSON-LD: the one form of a page's comments read reliably.

A page may carry ``<script type="application/ld+json">`` with an Article (or a DiscussionForumPosting…)
whose ``comment`` holds ``Comment`` objects, each with ``text``, ``author``, ``dateCreated`` and replies
in its own ``comment``. Comments drawn by scripts, or only in the page's markup, are not guessed at.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from moderator.core.fetching.comment_text import plain_text
from moderator.core.importing.drafts import CommentDraft

MAX_COMMENTS = 100_000


@dataclass
class DeclaredComments:
    comments: list[CommentDraft] = field(default_factory=list)
    quotes: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # by comment index
    declared_count: int | None = None  # the page's own commentCount, when it gives one
    headline: str | None = None


class _Scripts(HTMLParser):
    """The text of every ``<script type="application/ld+json">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        kind = dict(attrs).get("type") or ""
        if tag == "script" and kind.split(";")[0].strip().lower() == "application/ld+json":
            self._inside = True
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._inside:
            self.blocks[-1] += data


def json_ld(html: str) -> list[Any]:
    """Every JSON-LD object of the page; a block that does not parse is skipped, as browsers do."""
    parser = _Scripts()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:  # Python's parser on a marked section it does not know
        pass
    found = []
    for block in parser.blocks:
        try:
            found.append(json.loads(block))
        except (ValueError, RecursionError):
            continue
    return found


def declared_comments(html: str) -> DeclaredComments:
    result = DeclaredComments()
    values = json_ld(html)
    roots: list[tuple[dict[str, Any], str | None]] = []  # (Comment object, parent's key)
    seen: set[str] = set()
    for node in _every_object(values):
        if _is_comment(node):
            continue  # reached through the post it belongs to (or below, when no post lists it)
        count = node.get("commentCount")
        if type(count) is int and result.declared_count is None:
            result.declared_count = count
        if result.headline is None and type(node.get("headline")) is str and node["headline"].strip():
            result.headline = node["headline"].strip()
        for c in _as_list(node.get("comment")):
            if _is_comment(c):
                shape = json.dumps(c, sort_keys=True)  # the same post may be given twice (a page and its graph)
                if shape not in seen:
                    seen.add(shape)
                    roots.append((c, None))
    if not roots:  # Comments standing alone in a graph: each a top-level comment
        roots = [(n, None) for n in _top_objects(values) if _is_comment(n)]
    _read(roots, result)
    return result


def _read(roots: list[tuple[dict[str, Any], str | None]], result: DeclaredComments) -> None:
    keys: dict[str, int] = {}
    used: Counter[str] = Counter()
    stack = list(reversed(roots))
    while stack and len(result.comments) < MAX_COMMENTS:
        node, parent = stack.pop()
        text, spans = _text(node)
        if not text:  # a comment without words is nothing to label; its replies answer its parent
            stack.extend((reply, parent) for reply in reversed(_as_list(node.get("comment"))) if _is_comment(reply))
            continue
        author = _author(node.get("author"))
        created = _when(node.get("dateCreated") or node.get("datePublished"))
        ident = _ident(node)
        key = (
            ident
            or "ld-"
            + hashlib.blake2b(
                "\x1f".join((author or "", created.isoformat() if created else "", text)).encode(), digest_size=8
            ).hexdigest()
        )
        used[key] += 1
        if used[key] > 1:  # the same words by the same person at the same time: told apart by their order
            key = f"{key}-{used[key]}"
        index = len(result.comments)
        keys[key] = index
        if spans:
            result.quotes[index] = spans
        result.comments.append(
            CommentDraft(
                text, author, key, keys.get(parent) if parent is not None else None, created, metadata={"from": "json-ld"}
            )
        )
        stack.extend((reply, key) for reply in reversed(_as_list(node.get("comment"))) if _is_comment(reply))


def _every_object(values: list[Any]) -> list[dict[str, Any]]:
    """Every JSON object, however deep (a WebPage's ``mainEntity`` may be the Article), without recursion."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(values))
    while stack:
        value = stack.pop()
        if type(value) is list:
            stack.extend(reversed(value))
        elif type(value) is dict:
            found.append(value)
            stack.extend(reversed(list(value.values())))
    return found


def _top_objects(values: list[Any]) -> list[dict[str, Any]]:
    """Top-level JSON-LD objects: a block's object, a list's items, and the items of an ``@graph``."""
    found: list[dict[str, Any]] = []
    stack = list(reversed(values))
    while stack:
        value = stack.pop()
        if type(value) is list:
            stack.extend(reversed(value))
        elif type(value) is dict:
            graph = value.get("@graph")
            if type(graph) is list:
                stack.extend(reversed(graph))
            found.append(value)
    return found


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if type(kind) is list else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if type(k) is str}


def _is_comment(node: Any) -> bool:
    return type(node) is dict and "Comment" in _types(node)


def _as_list(value: Any) -> list[Any]:
    if type(value) is list:
        return value
    return [] if value is None else [value]


def _text(node: dict[str, Any]) -> tuple[str, list[tuple[int, int]]]:
    for key in ("text", "commentText", "articleBody"):
        value = node.get(key)
        if type(value) is str and value.strip():
            return plain_text(value)
    return "", []


def _author(value: Any) -> str | None:
    value = value[0] if type(value) is list and value else value
    if type(value) is dict:
        value = value.get("name") or value.get("alternateName")
    return (value.strip() or None) if type(value) is str else None


def _ident(node: dict[str, Any]) -> str | None:
    for key in ("@id", "identifier", "url"):
        value = node.get(key)
        if type(value) in (str, int) and str(value).strip():
            return str(value).strip()
    return None


def _when(value: Any) -> datetime | None:
    if type(value) is not str or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
