"""Which source an address is, and the ids in it."""

from __future__ import annotations

import pytest

from moderator.core.fetching.addresses import hackernews_item_id, is_address, reddit_thread_id, source_of
from moderator.core.fetching.client import _retry_after
from moderator.core.importing.errors import ImportFailure


@pytest.mark.parametrize(
    ("address", "source"),
    [
        ("https://www.reddit.com/r/x/comments/abc123/title/", "reddit"),
        ("https://old.reddit.com/r/x/comments/abc123/", "reddit"),
        ("https://redd.it/abc123", "reddit"),
        ("https://news.ycombinator.com/item?id=1", "hackernews"),
        ("https://hn.algolia.com/api/v1/items/1", "hackernews"),
        ("https://www.example.com/news/2024/bridge", "page"),
        ("http://127.0.0.1:8000/r/x/comments/abc123/", "page"),  # a local copy: --format says what it is
    ],
)
def test_the_host_tells_the_source(address, source):
    assert source_of(address) == source


def test_a_forced_format_wins():
    assert source_of("http://127.0.0.1:8000/thread", "reddit") == "reddit"
    with pytest.raises(ImportFailure, match="--format csv is for files"):
        source_of("https://example.com/", "csv")


def test_ids_in_addresses():
    assert reddit_thread_id("https://www.reddit.com/r/x/comments/ABC123/t/def456/") == "abc123"
    assert reddit_thread_id("https://redd.it/abc123") == "abc123"
    assert reddit_thread_id("https://www.reddit.com/r/x/") is None
    assert hackernews_item_id("https://news.ycombinator.com/item?id=42&p=2") == 42
    assert hackernews_item_id("https://hn.algolia.com/api/v1/items/42") == 42
    assert hackernews_item_id("https://news.ycombinator.com/news") is None


def test_what_counts_as_an_address():
    assert is_address("https://example.com/a") and is_address("HTTP://example.com")
    assert not is_address("thread.json") and not is_address("C:\\data\\t.csv") and not is_address("ftp://x/y")


def test_retry_after_in_seconds_or_as_a_date():
    assert _retry_after("7") == 7.0 and _retry_after(None) is None and _retry_after("soon") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: no wait
