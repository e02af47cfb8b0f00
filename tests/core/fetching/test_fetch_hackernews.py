"""A Hacker News item from its address, through the (local) Algolia items API: nested children, HTML to text."""

from __future__ import annotations

import fetch_samples as s
import pytest
from helpers.import_checks import comments, quoted, threads

from moderator.core.fetching.importer import fetch_thread, import_address

# One backend: the backend adds nothing to how a thread is fetched (test_fetch_failures checks both).
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


@ONE_BACKEND
def test_an_item_with_nested_children(engine, httpserver, settings):
    httpserver.expect_request(f"/api/v1/items/{s.HN_ID}").respond_with_json(s.hn_item())
    result = import_address(engine, s.HN_ADDRESS, settings=settings)
    assert result.summary.comments_added == 5 and result.describe().startswith(f"{s.HN_ADDRESS} (hackernews): 5 comments")

    thread = threads(engine)[str(s.HN_ID)]
    assert (thread.source, thread.title, thread.url) == ("hackernews", "Show HN: A bridge simulator", s.HN_ADDRESS)
    assert thread.article == 'It models "load" on old bridges.'
    assert thread.meta["link_url"] == "https://example.com/bridge" and thread.meta["author"] == "pg"
    assert thread.published_at.year == 2023

    found = comments(engine)
    assert {k: (v["parent"], v["depth"], v["author"]) for k, v in found.items()} == {
        "101": (None, 0, "alice"),
        "105": ("101", 1, "erin"),
        "102": ("101", 1, None),
        "103": ("102", 2, "carol"),
        "104": (None, 0, "bob"),
    }
    assert found["101"]["text"] == "First & foremost: nice.\n\nNice work, really."
    assert found["104"]["text"] == "See the docs." and found["104"]["meta"]["dead"] is True
    assert (found["102"]["text"], found["102"]["meta"]["deleted"]) == ("[deleted]", True)
    assert quoted(found, "105") == [("First & foremost: nice.",) * 2]  # a quote of its parent, linked


def test_importing_again_adds_only_the_new_comment(sqlite_engine, httpserver, settings):
    httpserver.expect_request(f"/api/v1/items/{s.HN_ID}").respond_with_json(s.hn_item())
    import_address(sqlite_engine, s.HN_ADDRESS, settings=settings)
    httpserver.clear()
    item = s.hn_item()
    item["points"] = 50
    item["children"][1]["children"].append({"id": 106, "author": "gus", "text": "Late reply.", "children": []})
    httpserver.expect_request(f"/api/v1/items/{s.HN_ID}").respond_with_json(item)
    again = import_address(sqlite_engine, s.HN_ADDRESS, settings=settings)
    assert (again.summary.threads_existing, again.summary.comments_added, again.summary.comments_skipped) == (1, 1, 5)
    assert comments(sqlite_engine)["106"]["parent"] == "104"


def test_the_address_of_a_comment_opens_its_thread(httpserver, settings):
    comment = {"id": 103, "type": "comment", "author": "carol", "text": "x", "story_id": s.HN_ID, "children": []}
    httpserver.expect_request("/api/v1/items/103").respond_with_json(comment)
    httpserver.expect_request(f"/api/v1/items/{s.HN_ID}").respond_with_json(s.hn_item())
    fetched = fetch_thread("https://news.ycombinator.com/item?id=103", settings=settings)
    assert fetched.drafts[0].external_id == str(s.HN_ID) and len(fetched.drafts[0].comments) == 5


def test_forced_format_reads_a_saved_item(httpserver, settings):
    httpserver.expect_request("/saved/item.json").respond_with_json(s.hn_item())
    fetched = fetch_thread(httpserver.url_for("/saved/item.json"), fmt="hackernews", settings=settings)
    assert fetched.format == "hackernews" and fetched.drafts[0].url == s.HN_ADDRESS


def test_an_answer_that_is_not_an_item_is_refused(sqlite_engine, httpserver, settings):
    import pytest

    from moderator.core.importing.errors import ImportFailure

    httpserver.expect_request(f"/api/v1/items/{s.HN_ID}").respond_with_json({"hits": []})
    with pytest.raises(ImportFailure) as failure:
        import_address(sqlite_engine, s.HN_ADDRESS, settings=settings)
    assert str(failure.value).startswith(f"{s.HN_ADDRESS}: not a Hacker News item: expected a JSON object")
