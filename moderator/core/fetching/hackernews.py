"""A Hacker News thread from its address, through Algolia's items API: the whole tree in one request.

``news.ycombinator.com/item?id=N`` becomes ``<hn_api>/items/N``, a story with nested ``children``.
The story's title is the thread's title, its text (HTML) the article and its link kept as metadata;
each comment's HTML becomes plain text with its ``>`` quotes, linked to what they quote. A comment
with neither author nor text was deleted: it is kept as ``[deleted]`` and marked, as dead comments are.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from moderator.core.fetching.addresses import HACKERNEWS, hackernews_item_id, host_of, is_hackernews
from moderator.core.fetching.client import JSON, Client, parse_json
from moderator.core.fetching.comment_text import plain_text
from moderator.core.fetching.result import FetchedThread
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.linking.quote_links import Marked, link_quotes
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.progress import Progress

ITEM = "https://news.ycombinator.com/item?id={}"
_MARKERS = {"[deleted]": "deleted", "[dead]": "dead", "[flagged]": "flagged"}


def fetch(client: Client, address: str, progress: Progress) -> FetchedThread:
    api = client.settings.hn_api.rstrip("/")
    if is_hackernews(host_of(address)):
        item_id = hackernews_item_id(address)
        if item_id is None:
            raise client.fail("not a Hacker News item address (expected news.ycombinator.com/item?id=N)")
        url = f"{api}/items/{item_id}"
    else:
        url = address  # forced (--format hackernews): a mirror or a saved copy serving the item's JSON
    response = client.get(url, JSON)
    item = _item(client, parse_json(client, response, "a Hacker News item"), response.url)
    body = response.body
    story_id = item.get("story_id")
    if item.get("type") == "comment" and type(story_id) is int and story_id != item["id"]:
        progress(0.4)  # the address of a comment: its whole thread is imported
        response = client.get(f"{api}/items/{story_id}", JSON)
        item = _item(client, parse_json(client, response, "a Hacker News item"), response.url)
        body = response.body
    progress(0.8)
    try:
        draft = _draft(address, item)
    except ImportFailure as failure:  # a duplicate id or a reply cycle: a broken answer, named by the address
        raise client.fail(f"not a Hacker News thread: {failure.reason}", url) from None
    progress(1.0)
    return FetchedThread(address, HACKERNEWS, [draft], hashlib.sha256(body).hexdigest())


def _item(client: Client, data: Any, url: str) -> dict[str, Any]:
    if type(data) is not dict or type(data.get("id")) is not int or type(data.get("type")) is not str:
        raise client.fail('not a Hacker News item: expected a JSON object with an "id" and a "type"', url)
    return data


def _draft(address: str, story: dict[str, Any]) -> ThreadDraft:
    ident = story["id"]
    title = story.get("title")
    article, _ = plain_text(story["text"]) if type(story.get("text")) is str else ("", [])
    draft = ThreadDraft(
        source=HACKERNEWS,
        title=(title.strip() or None) if type(title) is str else None,
        external_id=str(ident),
        url=ITEM.format(ident),
        article=article,
        published_at=_when(story),
        metadata={"address": address},
    )
    for key, field in (("author", "author"), ("points", "score"), ("url", "link_url")):
        if story.get(key) not in (None, ""):
            draft.metadata[field] = story[key]
    if story["type"] != "story":
        draft.metadata["item_type"] = story["type"]
    thread = PendingThread(draft)
    marked: Marked = {}
    # Depth-first in the API's order, without recursion: a long reply chain must not overflow the stack.
    stack: list[tuple[Any, str | None]] = [(c, None) for c in reversed(_children(story))]
    while stack:
        child, parent = stack.pop()
        if type(child) is not dict or type(child.get("id")) is not int:
            continue
        comment, spans = _comment(child)
        if spans:
            marked[len(draft.comments)] = spans
        thread.add(address, 1, comment, parent)
        stack.extend((c, comment.external_id) for c in reversed(_children(child)))
    link_replies(address, thread)
    link_quotes(draft, marked)
    return draft


def _comment(item: dict[str, Any]) -> tuple[CommentDraft, list[tuple[int, int]]]:
    html, author = item.get("text"), item.get("author")
    metadata: dict[str, Any] = {}
    if type(html) is str and html.strip():
        text, spans = plain_text(html)
    else:
        text, spans = "[deleted]", []
    marker = _MARKERS.get(text.strip())
    if marker:
        metadata[marker] = True
    for flag in ("deleted", "dead"):
        if item.get(flag) is True:
            metadata[flag] = True
    if type(item.get("points")) is int:
        metadata["score"] = item["points"]
    who = author if type(author) is str and author else None
    return CommentDraft(text, who, str(item["id"]), created_at=_when(item), metadata=metadata), spans


def _children(item: dict[str, Any]) -> list[Any]:
    children = item.get("children")
    return children if type(children) is list else []


def _when(item: dict[str, Any]) -> datetime | None:
    seconds = item.get("created_at_i", item.get("time"))
    if type(seconds) in (int, float):
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    stamp = item.get("created_at")
    if type(stamp) is str:
        try:
            when = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            return None
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    return None
