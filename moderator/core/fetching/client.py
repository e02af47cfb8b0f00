"""One polite HTTP client per address: a User-Agent naming the app, timeouts, caps, and backoff.

Every request counts against ``max_requests`` (redirects and retries included); every response is
streamed and refused past ``max_bytes``; a 429 or 5xx is tried again after the server's Retry-After
(or a doubling backoff), never waiting longer than ``max_wait``. Each failure is an ``ImportFailure``
naming the address the user gave, with a one-line reason.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from moderator.core.fetching.settings import FetchSettings
from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.progress import Cancelled

RETRIED = frozenset({429, 500, 502, 503, 504})
JSON = "application/json"
SLEEP_STEP = 0.2  # a real wait sleeps in steps this long, checking for a cancel between them


@dataclass(frozen=True)
class Response:
    """A response read in full: the address it came from after redirects, its type and its bytes."""

    url: str
    content_type: str  # the media type alone, lower case ("text/html"); "" when the server sent none
    charset: str | None
    body: bytes


def _mb(size: int) -> str:
    return f"{size / 1024**2:g} MB" if size >= 1024**2 else f"{size:,} bytes"


class Client:
    """Fetches for one address; ``address`` names every failure, ``cancelled`` is checked before each request."""

    def __init__(self, address: str, settings: FetchSettings | None = None, cancelled: Cancelled | None = None):
        self.address = address
        self.settings = settings = settings or FetchSettings()
        self.cancelled = cancelled
        self.requests = 0
        self.http = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            follow_redirects=True,
            max_redirects=settings.max_redirects,
            trust_env=settings.trust_env,
            event_hooks={"request": [self._count]},
        )

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def fail(self, reason: str, url: str | None = None) -> ImportFailure:
        """The one-line failure of this address; ``url`` is named too when it is not the address itself."""
        if url is not None and url != self.address:
            reason += f" (from {url})"
        return ImportFailure(self.address, None, reason)

    def check_cancelled(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled()

    def get(self, url: str, accept: str = "*/*") -> Response:
        """The response to a GET of ``url``, tried again after a 429 or a 5xx; else an ImportFailure."""
        retries = 0
        while True:
            response = self._get_once(url, accept)
            if isinstance(response, Response):
                return response
            status, phrase, retry_after = response
            what = f"HTTP {status} {phrase}".rstrip()
            if retries >= self.settings.max_retries:
                tries = retries + 1
                raise self.fail(f"{what}, {tries} {'try' if tries == 1 else 'tries'} in all; try again later", url)
            wait = retry_after if retry_after is not None else self.settings.backoff * 2**retries
            if wait > self.settings.max_wait:
                raise self.fail(
                    f"{what}: the server asks to wait {wait:g} s, longer than {self.settings.max_wait:g} s; try again later",
                    url,
                )
            self._wait(wait)
            retries += 1

    def _get_once(self, url: str, accept: str) -> Response | tuple[int, str, float | None]:
        """The response, or (status, phrase, Retry-After seconds) for a status worth trying again."""
        limit = self.settings.max_bytes
        deadline = time.monotonic() + self.settings.max_seconds
        try:
            with self.http.stream("GET", url, headers={"Accept": accept}) as response:
                status = response.status_code
                if status in RETRIED:
                    return status, httpx.codes.get_reason_phrase(status), _retry_after(response.headers.get("Retry-After"))
                if status >= 400:
                    raise self.fail(f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip(), url)
                if not 200 <= status < 300:
                    raise self.fail(f"unexpected HTTP {status} {httpx.codes.get_reason_phrase(status)}".rstrip(), url)
                declared = response.headers.get("Content-Length", "")
                if declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
                    raise self.fail(f"the response is larger than {_mb(limit)} ({_mb(int(declared))}); not read", url)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise self.fail(f"the response is larger than {_mb(limit)}; not read further", url)
                    if time.monotonic() > deadline:  # a server dripping bytes, each within the read timeout
                        raise self.fail(f"the response took longer than {self.settings.max_seconds:g} s; not read further", url)
                    chunks.append(chunk)
                    self.check_cancelled()
                media, charset = _content_type(response.headers.get("Content-Type", ""))
                return Response(str(response.url), media, charset, b"".join(chunks))
        except httpx.TooManyRedirects:
            raise self.fail(f"too many redirects (more than {self.settings.max_redirects}): a redirect loop?", url) from None
        except httpx.ConnectTimeout:
            raise self.fail(f"no connection within {self.settings.connect_timeout:g} s (timed out)", url) from None
        except httpx.TimeoutException:
            raise self.fail(f"the server sent nothing for {self.settings.read_timeout:g} s (timed out)", url) from None
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise self.fail(f"not an address that can be fetched: {_one_line(exc)}", url) from None
        except httpx.HTTPError as exc:  # connection refused, name not found, a broken response, ...
            raise self.fail(f"could not fetch: {_one_line(exc) or type(exc).__name__}", url) from None

    def _count(self, request: httpx.Request) -> None:
        """Called by httpx before every request, redirects included."""
        self.check_cancelled()
        self.requests += 1
        if self.requests > self.settings.max_requests:
            raise self.fail(f"more than {self.settings.max_requests} requests needed; stopped", str(request.url))

    def _wait(self, seconds: float) -> None:
        if self.settings.sleep is not None:
            self.settings.sleep(seconds)
            self.check_cancelled()
            return
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self.check_cancelled()
            time.sleep(min(left, SLEEP_STEP))
        self.check_cancelled()


def parse_json(client: Client, response: Response, what: str) -> Any:
    """The response's JSON, or a failure saying what the address serves instead."""
    try:
        return json.loads(response.body)
    except (ValueError, RecursionError):
        served = response.content_type or "something without a type"
        detail = "not JSON" if served != JSON else "JSON that does not parse"
        raise client.fail(f"not {what}: the address serves {served}, {detail}", response.url) from None


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("\"'")
    return media.strip().lower(), charset


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""
