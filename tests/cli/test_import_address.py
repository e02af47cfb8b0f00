"""`moderator import URL…`: threads from their addresses, served here by a local server (no test touches the internet)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers.import_checks import cli_import, snapshot, threads

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core" / "fetching"))
import fetch_samples as s  # noqa: E402  (the responses written for the fetching tests)

from moderator.core.fetching.result import NO_COMMENTS  # noqa: E402

# One backend: the command line's wording, the same on both backends (test_fetch_failures checks both).
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@ONE_BACKEND
def test_a_reddit_copy_served_locally(engine, httpserver, capsys):
    httpserver.expect_request("/r/test/comments/abc123/bridge_closures.json").respond_with_json(s.reddit_thread())
    httpserver.expect_request("/api/morechildren.json").respond_with_json(s.morechildren())
    httpserver.expect_request(f"/comments/{s.THREAD_ID}/_/c2.json").respond_with_json(s.continued())
    address = httpserver.url_for("/r/test/comments/abc123/bridge_closures/")
    status, out, err = cli_import(engine, capsys, address, "--format", "reddit")
    assert status == 0, err
    assert out.startswith(f"{address} (reddit): 6 comments in 1 new thread")
    assert threads(engine)[s.THREAD_ID].meta["address"] == address


def test_a_page_and_a_saved_hacker_news_item(sqlite_engine, httpserver, capsys):
    httpserver.expect_request("/news/bridge").respond_with_data(s.news_page(), content_type="text/html")
    page = httpserver.url_for("/news/bridge")
    status, out, err = cli_import(sqlite_engine, capsys, page)
    assert status == 0, err
    assert f"{page} (page): 0 comments in 1 new thread" in out and NO_COMMENTS in out

    httpserver.expect_request("/item.json").respond_with_data(json.dumps(s.hn_item()), content_type="application/json")
    status, out, err = cli_import(sqlite_engine, capsys, httpserver.url_for("/item.json"), "--format", "hackernews")
    assert status == 0, err
    assert "(hackernews): 5 comments in 1 new thread" in out


@ONE_BACKEND
def test_a_failure_is_one_line_naming_the_address(engine, httpserver, capsys):
    httpserver.expect_request("/ok").respond_with_data(s.news_page(), content_type="text/html")
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    gone = httpserver.url_for("/gone")
    before = snapshot(engine)
    status, _, err = cli_import(engine, capsys, httpserver.url_for("/ok"), gone)
    assert status == 1
    assert err == f"{gone}: HTTP 404 Not Found\n"
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["thread.json", "https://example.com/a"], "import files and addresses in separate commands (files given: thread.json)"),
        (["https://example.com/a", "--format", "jsonl"], "--format jsonl is for files"),
        (["https://example.com/a", "--map", "text=body"], "--map names the columns of a table file"),
        (["thread.json", "--format", "page"], "--format page reads an address (http/https), not a file"),
    ],
)
def test_usage_errors(sqlite_engine, capsys, args, message):
    before = snapshot(sqlite_engine)
    status, _, err = cli_import(sqlite_engine, capsys, *args)
    assert status == 1 and err.startswith(f"moderator: {message}"), err
    assert snapshot(sqlite_engine) == before
