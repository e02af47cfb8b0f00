"""How politely and how far a fetch may go: timeouts, caps, backoff, and where each source's API lives.

Every bound is a field, so a caller (or a test) can tighten it; the API addresses too, so tests point
them at a local server and never touch the internet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from moderator import __version__

USER_AGENT = f"Moderator/{__version__} (+research annotation tool)"
HN_API = "https://hn.algolia.com/api/v1"  # Algolia's items API: a whole Hacker News thread in one request


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = USER_AGENT
    connect_timeout: float = 10.0  # seconds to open a connection
    read_timeout: float = 30.0  # seconds the server may stay silent
    max_seconds: float = 120.0  # to read one response in full, however steadily it trickles in
    max_redirects: int = 5
    max_bytes: int = 32 * 1024**2  # per response, counted as it streams in (after decompression)
    max_requests: int = 60  # per address, redirects and retries included
    max_retries: int = 3  # further tries after a 429 or a 5xx
    backoff: float = 1.0  # first wait without a Retry-After; doubled at each try
    max_wait: float = 60.0  # a longer Retry-After is not waited out: the fetch fails, naming the wait
    max_more: int = 20  # Reddit: requests for the comments behind "more" links
    # Where the APIs live. ``reddit_base`` None: the address's own origin (www.reddit.com for redd.it).
    reddit_base: str | None = None
    hn_api: str = HN_API
    # None: really sleep (in short steps, so that a cancel is heard). Tests pass a recorder instead.
    sleep: Callable[[float], None] | None = None
    trust_env: bool = True  # proxies and certificates from the environment, as a browser would
