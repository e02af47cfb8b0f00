"""Polite and bounded: every failure is one line naming the address, and the database is left as it was."""

from __future__ import annotations

import dataclasses
import threading
import time

import fetch_samples as s
import pytest
from helpers.import_checks import snapshot
from werkzeug import Response

from moderator.core.fetching.importer import import_address, import_addresses
from moderator.core.fetching.settings import USER_AGENT
from moderator.core.importing.errors import ImportCancelled, ImportFailure


def refused(engine, address: str, settings, reason: str, fmt: str = "auto") -> str:
    """Importing ``address`` fails with ``ADDRESS: reason…`` on one line, and writes nothing."""
    before = snapshot(engine)
    with pytest.raises(ImportFailure) as failure:
        import_address(engine, address, fmt, settings=settings)
    message = str(failure.value)
    assert message.startswith(f"{address}: {reason}"), message
    assert "\n" not in message
    assert snapshot(engine) == before
    return message


@pytest.fixture
def imported(sqlite_engine, httpserver, settings):
    """A database that already holds a thread, so that "unchanged" means something."""
    httpserver.expect_oneshot_request(f"/api/v1/items/{s.HN_ID}").respond_with_json(s.hn_item())
    import_address(sqlite_engine, s.HN_ADDRESS, settings=settings)
    return sqlite_engine


def test_not_found(engine, httpserver, settings):
    httpserver.expect_request("/gone").respond_with_data("no such page", status=404)
    refused(engine, httpserver.url_for("/gone"), settings, "HTTP 404 Not Found")


def test_not_found_at_the_api_names_both(imported, httpserver, settings):
    httpserver.expect_request("/api/v1/items/9").respond_with_json({"error": "not found"}, status=404)
    message = refused(imported, "https://news.ycombinator.com/item?id=9", settings, "HTTP 404 Not Found (from http://")
    assert message.endswith("/api/v1/items/9)")


def test_429_then_success_waits_as_the_server_asks(sqlite_engine, httpserver, settings, waits):
    httpserver.expect_oneshot_request(f"/api/v1/items/{s.HN_ID}").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request(f"/api/v1/items/{s.HN_ID}").respond_with_json(s.hn_item())
    result = import_address(sqlite_engine, s.HN_ADDRESS, settings=settings)
    assert result.summary.comments_added == 5
    assert waits == [7.0]


def test_5xx_backs_off_doubling_then_gives_up(imported, httpserver, settings, waits):
    httpserver.expect_request("/busy").respond_with_data("busy", status=503)
    refused(imported, httpserver.url_for("/busy"), settings, "HTTP 503 Service Unavailable, 4 tries in all; try again later")
    assert waits == [1.0, 2.0, 4.0]


def test_a_retry_after_longer_than_the_cap_is_not_waited_out(imported, httpserver, settings, waits):
    httpserver.expect_request("/later").respond_with_data("", status=429, headers={"Retry-After": "3600"})
    refused(imported, httpserver.url_for("/later"), settings, "HTTP 429 Too Many Requests: the server asks to wait 3600 s")
    assert waits == []


def test_a_timeout(imported, httpserver, settings):
    release = threading.Event()

    def stall(_request):
        release.wait(2)  # longer than the client waits; released at the end of the test
        return Response("too late", content_type="text/html")

    httpserver.expect_request("/stall").respond_with_handler(stall)
    try:
        quick = dataclasses.replace(settings, read_timeout=0.2)
        refused(imported, httpserver.url_for("/stall"), quick, "the server sent nothing for 0.2 s (timed out)")
    finally:
        release.set()


def test_a_redirect_loop(imported, httpserver, settings):
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    refused(imported, httpserver.url_for("/loop"), settings, "too many redirects (more than 5): a redirect loop?")


def test_the_request_cap_counts_redirects(imported, httpserver, settings):
    for i in range(3):
        httpserver.expect_request(f"/hop{i}").respond_with_data("", status=302, headers={"Location": f"/hop{i + 1}"})
    capped = dataclasses.replace(settings, max_requests=2)
    refused(imported, httpserver.url_for("/hop0"), capped, "more than 2 requests needed; stopped")


def test_an_oversized_body_declared(imported, httpserver, settings):
    httpserver.expect_request("/big").respond_with_data("x" * 5000, content_type="text/html")
    small = dataclasses.replace(settings, max_bytes=1000)
    refused(imported, httpserver.url_for("/big"), small, "the response is larger than 1,000 bytes (5,000 bytes); not read")


def test_an_oversized_body_streamed(imported, httpserver, settings):
    def endless(_request):
        return Response((b"<p>" + b"x" * 500 for _ in range(100)), content_type="text/html")  # no Content-Length

    httpserver.expect_request("/stream").respond_with_handler(endless)
    small = dataclasses.replace(settings, max_bytes=1000)
    refused(imported, httpserver.url_for("/stream"), small, "the response is larger than 1,000 bytes; not read further")


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png", "not a web page: the address serves image/png"),
        (b"<html><head></head><body></body></html>", "text/html", "no article text or comments found on the page: not a thread"),
        (b"   ", "text/html", "the page is empty: not a thread"),
    ],
    ids=["image", "empty-html", "blank"],
)
def test_a_page_that_is_not_a_thread(imported, httpserver, settings, body, content_type, reason):
    httpserver.expect_request("/thing").respond_with_data(body, content_type=content_type)
    refused(imported, httpserver.url_for("/thing"), settings, reason)


def test_a_page_where_a_reddit_thread_was_expected(imported, httpserver, settings):
    httpserver.expect_request(f"/comments/{s.THREAD_ID}.json").respond_with_data("<html>login</html>", content_type="text/html")
    refused(imported, s.REDDIT_ADDRESS, settings, "not a Reddit thread: the address serves text/html, not JSON (from http")


def test_json_that_is_not_a_reddit_thread(imported, httpserver, settings):
    httpserver.expect_request(f"/comments/{s.THREAD_ID}.json").respond_with_json({"error": 403})
    refused(imported, s.REDDIT_ADDRESS, settings, "not a Reddit thread: expected the JSON of a Reddit thread")


def test_an_address_that_is_not_a_thread_address(imported, settings):
    refused(imported, "https://www.reddit.com/r/test/", settings, "not a Reddit thread address")
    refused(imported, "https://news.ycombinator.com/news", settings, "not a Hacker News item address")


def test_a_file_format_is_refused_for_an_address(imported, settings):
    refused(imported, "https://example.com/a", settings, "--format jsonl is for files", fmt="jsonl")


def test_one_failing_address_writes_none_of_them(imported, httpserver, settings):
    httpserver.expect_request("/ok").respond_with_data(s.news_page(), content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    before = snapshot(imported)
    with pytest.raises(ImportFailure, match="/gone: HTTP 404"):
        import_addresses(imported, [httpserver.url_for("/ok"), httpserver.url_for("/gone")], settings=settings)
    assert snapshot(imported) == before


def test_cancel_stops_before_anything_is_written(imported, httpserver, settings):
    httpserver.expect_request("/ok").respond_with_data(s.news_page(), content_type="text/html")
    before = snapshot(imported)
    asked = []
    with pytest.raises(ImportCancelled):
        import_address(
            imported, httpserver.url_for("/ok"), cancelled=lambda: asked.append(1) or len(asked) > 1, settings=settings
        )
    assert snapshot(imported) == before


def test_requests_name_the_app(sqlite_engine, httpserver, settings):
    httpserver.expect_request("/ua", headers={"User-Agent": USER_AGENT}).respond_with_data(
        s.news_page(), content_type="text/html"
    )
    assert import_address(sqlite_engine, httpserver.url_for("/ua"), settings=settings).summary.threads_added == 1
    assert USER_AGENT.startswith("Moderator/") and USER_AGENT.endswith("(+research annotation tool)")


def test_a_response_that_trickles_in_too_long(imported, httpserver, settings):
    def trickle(_request):
        def chunks():
            for _ in range(20):
                time.sleep(0.05)
                yield b"<p>more</p>"

        return Response(chunks(), content_type="text/html")

    httpserver.expect_request("/trickle").respond_with_handler(trickle)
    patient = dataclasses.replace(settings, max_seconds=0.2)
    refused(imported, httpserver.url_for("/trickle"), patient, "the response took longer than 0.2 s; not read further")
