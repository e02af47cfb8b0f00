"""A Reddit thread from its address: the thread's .json, its "more" links followed, the Reddit importer's mapping."""

from __future__ import annotations

import dataclasses

import fetch_samples as s
import pytest
from helpers.import_checks import comments, quoted, threads

from moderator.core.fetching.importer import fetch_thread, import_address

# One backend: the backend adds nothing to how a thread is fetched (test_fetch_failures checks both).
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def serve_thread(httpserver, thread=None) -> None:
    httpserver.expect_request(f"/comments/{s.THREAD_ID}.json").respond_with_json(thread or s.reddit_thread())
    httpserver.expect_request(
        "/api/morechildren.json",
        query_string={"api_type": "json", "link_id": f"t3_{s.THREAD_ID}", "children": "c4,c5", "limit_children": "false"},
    ).respond_with_json(s.morechildren())
    httpserver.expect_request(f"/comments/{s.THREAD_ID}/_/c2.json").respond_with_json(s.continued())


@ONE_BACKEND
def test_a_thread_with_more_links_is_imported_whole(engine, httpserver, settings):
    serve_thread(httpserver)
    progress = []
    result = import_address(engine, s.REDDIT_ADDRESS, progress=progress.append, settings=settings)

    assert result.comments_found and result.summary.comments_added == 6 and result.summary.threads_added == 1
    assert result.describe().startswith(f"{s.REDDIT_ADDRESS} (reddit): 6 comments in 1 new thread")
    assert progress == sorted(progress) and progress[-1] == 1.0

    thread = threads(engine)[s.THREAD_ID]
    assert thread.source == "reddit" and thread.title == "Bridge & tunnel closures"  # entities decoded
    assert thread.url == f"https://www.reddit.com{s.PERMALINK}"
    assert thread.meta["address"] == s.REDDIT_ADDRESS and "more_comments_not_loaded" not in thread.meta

    found = comments(engine)
    assert {k: (v["parent"], v["depth"]) for k, v in found.items()} == {
        "c1": (None, 0),
        "c2": ("c1", 1),
        "c6": ("c2", 2),  # behind "continue this thread"
        "c3": (None, 0),
        "c4": (None, 0),  # behind "more"
        "c5": ("c4", 1),
    }
    assert found["c1"]["text"] == "> close the bridge in May\n\nGood riddance <3"
    assert quoted(found, "c1", thread.article) == [("close the bridge in May",) * 2]
    assert (found["c2"]["text"], found["c2"]["author"], found["c2"]["meta"]["deleted"]) == ("[deleted]", None, True)
    assert found["c3"]["meta"]["removed"] is True


def test_the_mapping_is_the_reddit_importers(sqlite_engine, httpserver, settings, tmp_path):
    """The same JSON read from a file gives the same thread (same identity): the address adds nothing new."""
    import json

    from moderator.core.importing.writer import import_paths

    thread = s.reddit_thread()
    thread[1]["data"]["children"].pop()  # without the "more" stub, the page is the whole thread
    thread[1]["data"]["children"][0]["data"]["replies"]["data"]["children"][0]["data"]["replies"] = ""
    path = tmp_path / "thread.json"
    path.write_text(json.dumps(thread, indent=1))  # other bytes than the fetched JSON: not "already imported"
    import_paths(sqlite_engine, [path])
    serve_thread(httpserver, thread)
    result = import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=settings)
    assert (result.summary.threads_existing, result.summary.comments_added, result.summary.comments_skipped) == (1, 0, 3)


@ONE_BACKEND
def test_importing_again_adds_only_the_new_comment(engine, httpserver, settings):
    serve_thread(httpserver)
    import_address(engine, s.REDDIT_ADDRESS, settings=settings)
    httpserver.clear()
    newer = s.reddit_thread(extra=[s.comment("c7", "A new comment.", f"t3_{s.THREAD_ID}", "frank")])
    newer[0]["data"]["children"][0]["data"]["num_comments"] = 7
    serve_thread(httpserver, newer)
    again = import_address(engine, s.REDDIT_ADDRESS, settings=settings)
    assert (again.summary.threads_added, again.summary.threads_existing) == (0, 1)
    assert (again.summary.comments_added, again.summary.comments_skipped) == (1, 6)
    assert list(comments(engine)) == ["c1", "c2", "c6", "c3", "c4", "c5", "c7"]
    assert len(threads(engine)) == 1


def test_an_edited_post_keeps_its_thread(sqlite_engine, httpserver, settings):
    serve_thread(httpserver)
    import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=settings)
    httpserver.clear()
    edited = s.reddit_thread(
        extra=[s.comment("c7", "A new comment.", f"t3_{s.THREAD_ID}")], selftext="EDIT: the bridge closes in June."
    )
    serve_thread(httpserver, edited)
    again = import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=settings)
    assert (again.summary.threads_existing, again.summary.comments_added) == (1, 1)
    assert any("text changed since the thread was first imported" in w for w in again.summary.warnings)
    assert threads(sqlite_engine)[s.THREAD_ID].article == "The city will close the bridge in May."


def test_the_same_content_again_is_already_imported(sqlite_engine, httpserver, settings):
    serve_thread(httpserver)
    import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=settings)
    again = import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=settings)
    assert again.summary.already_imported and "nothing added" in again.describe()


def test_more_links_are_followed_within_a_limit(sqlite_engine, httpserver, settings):
    serve_thread(httpserver)
    result = import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=dataclasses.replace(settings, max_more=1))
    assert result.summary.comments_added == 5  # c6, behind "continue this thread", is not loaded
    assert result.summary.warnings == ["1 “more” link not followed (1 request at most for them)"]
    assert "more_comments_not_loaded" not in threads(sqlite_engine)[s.THREAD_ID].meta  # it counts comments, not links


def test_a_failed_more_request_keeps_the_rest_and_says_so(sqlite_engine, httpserver, settings):
    httpserver.expect_request(f"/comments/{s.THREAD_ID}.json").respond_with_json(s.reddit_thread())
    httpserver.expect_request("/api/morechildren.json").respond_with_data("gone", status=404)
    httpserver.expect_request(f"/comments/{s.THREAD_ID}/_/c2.json").respond_with_json(s.continued())
    result = import_address(sqlite_engine, s.REDDIT_ADDRESS, settings=settings)
    assert result.summary.comments_added == 3
    assert result.summary.warnings[0].startswith("comments behind “more” links not loaded: HTTP 404 Not Found (from http")
    assert threads(sqlite_engine)[s.THREAD_ID].meta["more_comments_not_loaded"] == 2


def test_a_short_link_and_a_comment_permalink_name_the_thread(httpserver, settings):
    serve_thread(httpserver)
    for address in (f"https://redd.it/{s.THREAD_ID}", f"https://old.reddit.com/r/test/comments/{s.THREAD_ID}/x/c3/"):
        fetched = fetch_thread(address, settings=settings)
        assert fetched.format == "reddit" and len(fetched.drafts[0].comments) == 6


def test_forced_format_reads_a_local_copy(httpserver, settings):
    httpserver.expect_request("/saved/thread.json").respond_with_json(s.reddit_thread())
    serve_thread(httpserver)  # the "more" links are followed on the copy's own server
    local = dataclasses.replace(settings, reddit_base=None)
    fetched = fetch_thread(httpserver.url_for("/saved/thread"), fmt="reddit", settings=local)
    assert [c.external_id for c in fetched.drafts[0].comments] == ["c1", "c2", "c6", "c3", "c4", "c5"]
    assert fetched.drafts[0].url == f"https://www.reddit.com{s.PERMALINK}"
