"""The comments behind a Reddit thread's "more" links, loaded into the thread's JSON within a limit.

A thread's ``.json`` stands for comments it did not send with ``{"kind": "more"}`` stubs: one listing
comment ids (loaded with ``/api/morechildren``, 100 ids a request) or, deep in a chain, "continue
this thread" (no ids: the parent's replies come from ``/comments/<thread>/_/<parent>.json``). Each
stub is replaced in place by what its request returns, so the Reddit importer then reads the whole
thread as if the page had sent it; replies are linked by their ``parent_id`` whatever their place.
Stubs left when the limit is reached, or after a request fails, stay and are counted by the importer.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.progress import Progress

IDS_PER_REQUEST = 100  # what /api/morechildren accepts at once

# A stub and the list it sits in (a Listing's children): it is replaced there by what it stands for.
Stub = tuple[list[Any], dict[str, Any]]


def listing_children(listing: Any) -> list[Any] | None:
    if type(listing) is not dict or listing.get("kind") != "Listing" or type(listing.get("data")) is not dict:
        return None
    children = listing["data"].get("children")
    return children if type(children) is list else None


def load_more(
    comments: list[Any],
    more: Callable[[list[str]], list[Any]],
    deeper: Callable[[str], list[Any]],
    limit: int,
    progress: Progress,
) -> list[str]:
    """Replace "more" stubs in ``comments`` (the thread's comment Listing children); the warnings to show.

    ``more(ids)`` returns the things (comments, further stubs) for up to 100 comment ids; ``deeper(parent)``
    the replies of a comment (``t1_…``) for a "continue this thread" stub. At most ``limit`` requests.
    """
    queue: deque[Stub] = deque()
    seen: set[str] = set()
    _collect(comments, queue, seen)
    requests = 0
    warnings: list[str] = []
    while queue and requests < limit:
        container, stub = queue.popleft()
        at = next((i for i, x in enumerate(container) if x is stub), None)
        if at is None:
            continue
        body = stub["data"]
        ids = [c for c in body.get("children") or [] if type(c) is str]
        parent = body.get("parent_id")
        if not ids and not (type(parent) is str and parent.startswith("t1_")):
            continue  # nothing a request could load
        try:
            if ids:
                batch, rest = ids[:IDS_PER_REQUEST], ids[IDS_PER_REQUEST:]
                found = more(batch)
            else:
                batch, rest = [], []
                found = deeper(parent)
        except ImportCancelled:
            raise
        except ImportFailure as failure:
            warnings.append(f"comments behind “more” links not loaded: {failure.reason}")
            queue.appendleft((container, stub))
            break
        requests += 1
        fresh = [t for t in found if _fresh(t, seen)]
        if rest:
            count = body.get("count")
            left = max(0, count - len(batch)) if type(count) is int else len(rest)
            fresh.append({"kind": "more", "data": {**body, "children": rest, "count": left}})
        container[at : at + 1] = fresh
        _collect_placed(container, fresh, queue, seen)
        progress(requests / max(1, min(limit, requests + len(queue))))
    if queue and not warnings:
        links, waiting = len(queue), sum(_stands_for(stub) for _, stub in queue)
        behind = f", {waiting} comment{'s' if waiting != 1 else ''} behind them" if waiting else ""
        warnings.append(
            f"{links} “more” link{'s' if links != 1 else ''} not followed "
            f"({limit} request{'s' if limit != 1 else ''} at most for them{behind})"
        )
    return warnings


def _stands_for(stub: dict[str, Any]) -> int:
    body = stub["data"]
    count = body.get("count")
    return count if type(count) is int and count > 0 else len(body.get("children") or [])


def _fresh(thing: Any, seen: set[str]) -> bool:
    """A comment not in the thread yet, or a stub; anything else the server sent is left out."""
    if type(thing) is not dict or type(thing.get("data")) is not dict:
        return False
    if thing.get("kind") == "more":
        return True
    if thing.get("kind") != "t1":
        return False
    name = thing["data"].get("name")
    return type(name) is str and name not in seen


def _collect_placed(container: list[Any], placed: list[Any], queue: deque[Stub], seen: set[str]) -> None:
    for thing in placed:
        if thing.get("kind") == "more":
            queue.append((container, thing))
        else:
            seen.add(thing["data"]["name"])
            replies = listing_children(thing["data"].get("replies"))
            if replies is not None:
                _collect(replies, queue, seen)


def _collect(children: list[Any], queue: deque[Stub], seen: set[str]) -> None:
    """Every stub under ``children`` (in page order, without recursion) and every comment's name."""
    stack = deque([children])
    while stack:
        container = stack.popleft()
        for child in container:
            if type(child) is not dict or type(child.get("data")) is not dict:
                continue
            body = child["data"]
            if child.get("kind") == "more":
                queue.append((container, child))
            elif child.get("kind") == "t1":
                if type(body.get("name")) is str:
                    seen.add(body["name"])
                replies = listing_children(body.get("replies"))
                if replies is not None:
                    stack.append(replies)
