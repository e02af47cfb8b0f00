"""A Reddit thread from its address: its ``.json``, the comments behind "more" links, then the Reddit importer.

The fetched JSON (with the loaded comments spliced in) is read by the same importer as a saved
``.json`` file, so quotes, ``[deleted]``/``[removed]`` and entities map exactly as they do from a file.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from moderator.core.fetching.addresses import REDDIT, host_of, is_reddit, origin, reddit_thread_id, without_fragment
from moderator.core.fetching.client import JSON, Client, parse_json
from moderator.core.fetching.reddit_more import listing_children, load_more
from moderator.core.fetching.result import FetchedThread
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.reddit import reader
from moderator.core.importing.sources.reading import text_source
from moderator.core.progress import Progress

LIMIT = 500  # comments per page Reddit sends at most without "more" links
SHAPE = "expected the JSON of a Reddit thread, a list of two Listings (the post, then its comments)"


def fetch(client: Client, address: str, progress: Progress) -> FetchedThread:
    base, url = _where(client, address)
    data = parse_json(client, client.get(url, JSON), "a Reddit thread")
    progress(0.3)
    warnings: list[str] = []
    sid = _thread_id(data)
    if sid is None:
        raise client.fail(f"not a Reddit thread: {SHAPE}", url)
    comments = listing_children(data[1])
    if comments is not None and client.settings.max_more > 0:
        warnings = load_more(
            comments,
            lambda ids: _more(client, base, sid, ids),
            lambda parent: _deeper(client, base, sid, parent),
            client.settings.max_more,
            lambda f: progress(0.3 + 0.6 * f),
        )
    source = text_source(address, json.dumps(data))  # ASCII: control characters stay escaped
    try:
        drafts = list(reader.parse(source))
    except ImportFailure as failure:
        raise client.fail(f"not a Reddit thread: {failure.reason}", url) from None
    for draft in drafts:
        draft.metadata["address"] = address
        draft.url = draft.url or without_fragment(address)
    progress(1.0)
    return FetchedThread(address, REDDIT, drafts, source.sha256, warnings=warnings)


def _where(client: Client, address: str) -> tuple[str, str]:
    """The origin that answers API requests, and the address of the thread's JSON."""
    settings = client.settings
    host = host_of(address)
    if is_reddit(host):
        sid = reddit_thread_id(address)
        if sid is None:
            raise client.fail("not a Reddit thread address (expected …/comments/<id>/…)")
        base = (settings.reddit_base or ("https://www.reddit.com" if host == "redd.it" else origin(address))).rstrip("/")
        return base, f"{base}/comments/{sid}.json?limit={LIMIT}"
    # Forced (--format reddit): a mirror or a saved copy, whose own address serves the JSON.
    parts = urlsplit(without_fragment(address))
    path = parts.path if parts.path.endswith(".json") else parts.path.rstrip("/") + ".json"
    return (settings.reddit_base or origin(address)).rstrip("/"), urlunsplit(parts._replace(path=path))


def _thread_id(data: Any) -> str | None:
    """The thread's id (``abc`` of ``t3_abc``) when ``data`` has the shape of a thread's JSON."""
    if type(data) is not list or len(data) != 2:
        return None
    posts = listing_children(data[0]) or []
    for post in posts:
        if type(post) is dict and post.get("kind") == "t3" and type(post.get("data")) is dict:
            ident = post["data"].get("id")
            return ident if type(ident) is str and ident else None
    return None


def _more(client: Client, base: str, sid: str, ids: list[str]) -> list[Any]:
    query = urlencode({"api_type": "json", "link_id": f"t3_{sid}", "children": ",".join(ids), "limit_children": "false"})
    url = f"{base}/api/morechildren.json?{query}"
    data = parse_json(client, client.get(url, JSON), "Reddit's answer for “more” comments")
    things = _dig(data, "json", "data", "things")
    if type(things) is not list:
        errors = _dig(data, "json", "errors")
        raise client.fail(f"Reddit answered without comments{f' ({errors})' if errors else ''}", url)
    return things


def _deeper(client: Client, base: str, sid: str, parent: str) -> list[Any]:
    """The replies of comment ``parent`` (``t1_…``), from the thread's page rooted at it."""
    url = f"{base}/comments/{sid}/_/{parent[3:]}.json?limit={LIMIT}"
    data = parse_json(client, client.get(url, JSON), "a Reddit thread")
    comments = listing_children(data[1]) if type(data) is list and len(data) == 2 else None
    for thing in comments or []:
        if type(thing) is dict and type(thing.get("data")) is dict and thing["data"].get("name") == parent:
            return listing_children(thing["data"].get("replies")) or []
    return []


def _dig(value: Any, *keys: str) -> Any:
    for key in keys:
        if type(value) is not dict:
            return None
        value = value.get(key)
    return value
