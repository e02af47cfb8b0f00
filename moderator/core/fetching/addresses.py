"""Which source an address is: a Reddit thread, a Hacker News item, or any other page.

``--format reddit|hackernews|page`` forces the reading whatever the host, so that a mirror or a saved
copy served locally is read as the source it is a copy of.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit, urlunsplit

from moderator.core.importing.errors import ImportFailure

REDDIT, HACKERNEWS, PAGE = "reddit", "hackernews", "page"
ADDRESS_FORMATS = (REDDIT, HACKERNEWS, PAGE)

_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_REDDIT_THREAD = re.compile(r"/comments/([a-z0-9]+)", re.IGNORECASE)
_HN_HOSTS = ("news.ycombinator.com", "hn.algolia.com")


def is_address(text: str) -> bool:
    """Whether a command-line argument is a web address (http or https) rather than a file path."""
    return bool(_SCHEME.match(text.strip()))


def host_of(address: str) -> str:
    return (urlsplit(address).hostname or "").lower()


def without_fragment(address: str) -> str:
    """The address as a thread is stored: trimmed, without its ``#fragment`` (a place in the page)."""
    parts = urlsplit(address.strip())
    return urlunsplit(parts._replace(fragment=""))


def is_reddit(host: str) -> bool:
    return host == "reddit.com" or host.endswith(".reddit.com") or host == "redd.it"


def is_hackernews(host: str) -> bool:
    return host in _HN_HOSTS


def source_of(address: str, fmt: str = "auto") -> str:
    """``reddit``, ``hackernews`` or ``page``: forced by ``fmt``, else told by the host."""
    if fmt in ADDRESS_FORMATS:
        return fmt
    if fmt != "auto":
        raise ImportFailure(address, None, f"--format {fmt} is for files; an address is read as {', '.join(ADDRESS_FORMATS)}")
    host = host_of(address)
    if not host:
        raise ImportFailure(address, None, "not a web address (it has no host)")
    if is_reddit(host):
        return REDDIT
    if is_hackernews(host):
        return HACKERNEWS
    return PAGE


def reddit_thread_id(address: str) -> str | None:
    """The submission id of a Reddit thread address (``…/comments/<id>/…`` or ``redd.it/<id>``)."""
    parts = urlsplit(address)
    found = _REDDIT_THREAD.search(parts.path)
    if found:
        return found.group(1).lower()
    if (parts.hostname or "").lower() == "redd.it":
        short = parts.path.strip("/")
        return short.lower() if re.fullmatch(r"[a-z0-9]+", short, re.IGNORECASE) else None
    return None


def hackernews_item_id(address: str) -> int | None:
    """The item id of ``news.ycombinator.com/item?id=N`` or of an Algolia ``/api/v1/items/N`` address."""
    parts = urlsplit(address)
    ids = parse_qs(parts.query).get("id")
    if ids and ids[0].isdigit():
        return int(ids[0])
    found = re.search(r"/items/(\d+)/?$", parts.path)
    return int(found.group(1)) if found else None


def origin(address: str) -> str:
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"
