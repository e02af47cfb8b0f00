"""Any other page: its article by trafilatura, its comments when the page declares them in JSON-LD."""

from __future__ import annotations

import fetch_samples as s
import pytest
from helpers.import_checks import comments
from sqlalchemy import func, select

from moderator.core.fetching.importer import fetch_thread, import_address, write_fetched
from moderator.core.fetching.result import NO_COMMENTS, with_comments
from moderator.core.store.tables import Comment, Thread

# One backend: the backend adds nothing to how a page is read (test_fetch_failures checks both).
ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def serve(httpserver, html: str, path: str = "/news/bridge") -> str:
    httpserver.expect_request(path).respond_with_data(html, content_type="text/html; charset=utf-8")
    return httpserver.url_for(path)


def the_thread(engine) -> Thread:
    with engine.connect() as conn:
        return conn.execute(select(Thread)).one()


@ONE_BACKEND
def test_a_news_page_without_comments_is_the_article_alone(engine, httpserver, settings):
    address = serve(httpserver, s.news_page()) + "#comments"
    result = import_address(engine, address, settings=settings)
    assert not result.comments_found and result.summary.comments_added == 0 and result.summary.threads_added == 1
    assert NO_COMMENTS in result.describe()
    thread = the_thread(engine)
    assert (thread.source, thread.title) == ("page", "Council closes the old bridge")
    assert thread.url == address.removesuffix("#comments")  # the address, without the place in the page
    assert thread.article.startswith("The council voted on Tuesday")
    assert "\n\nResidents were divided" in thread.article and "Copyright" not in thread.article
    assert thread.meta["author"] == "Jo Writer" and thread.published_at.day == 1


def test_pasted_comments_join_the_fetched_article(sqlite_engine, httpserver, settings):
    """The window's paste preview keeps the fetched article: its thread is the one the page made."""
    from moderator.core.importing.drafts import CommentDraft

    address = serve(httpserver, s.news_page())
    fetched = fetch_thread(address, settings=settings)
    assert not fetched.comments_found and fetched.drafts[0].comments == []
    import_address(sqlite_engine, address, settings=settings)  # the article alone, first
    pasted = with_comments(fetched, [CommentDraft("Pasted comment.", "reader"), CommentDraft("Another.", parent_index=0)])
    [result] = write_fetched(sqlite_engine, [pasted])
    assert result.comments_found and result.summary.warnings == []
    assert (result.summary.threads_existing, result.summary.comments_added) == (1, 2)
    with sqlite_engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Thread)) == 1


@ONE_BACKEND
def test_comments_declared_in_json_ld_are_read(engine, httpserver, settings):
    address = serve(httpserver, s.news_page(s.ld_comments()))
    result = import_address(engine, address, settings=settings)
    assert result.comments_found and result.summary.comments_added == 3 and result.summary.warnings == []
    with engine.connect() as conn:
        rows = conn.execute(select(Comment).order_by(Comment.position)).all()
    assert [(r.author, r.text, r.depth) for r in rows] == [
        ("Dana", "About time.", 0),
        ("Eli", "> About time.\nAgreed, it was unsafe.", 1),
        ("Finn", "Commutes will suffer.", 0),
    ]
    assert rows[0].external_id == "#c1" and rows[1].parent_id == rows[0].id
    assert rows[0].created_at.hour == 12
    found = {r.author: r for r in rows}
    assert found["Eli"].external_id.startswith("ld-")  # no id on the page: one made from its content
    quotes = comments(engine)
    assert [q[2:4] for q in quotes[found["Eli"].external_id]["quotes"]] == [("comment", "#c1")]


def test_importing_a_page_again_adds_only_the_new_comment(sqlite_engine, httpserver, settings):
    address = serve(httpserver, s.news_page(s.ld_comments()))
    import_address(sqlite_engine, address, settings=settings)
    httpserver.clear()
    newer = s.ld_comments()
    newer[0]["comment"].insert(0, {"@type": "Comment", "author": "Gil", "text": "A reply placed first."})
    # The page's text changed too: the stored article is kept, so the thread stays the same.
    serve(httpserver, s.news_page(newer, extra="Update: the work starts in May."))
    again = import_address(sqlite_engine, address, settings=settings)
    assert (again.summary.threads_existing, again.summary.comments_added, again.summary.comments_skipped) == (1, 1, 3)
    assert any("text changed since the thread was first imported" in w for w in again.summary.warnings)
    assert "Update" not in the_thread(sqlite_engine).article


def test_fewer_readable_comments_than_the_page_counts_are_reported(httpserver, settings):
    declared = s.ld_comments() + [{"@type": "Comment", "author": "Hal", "text": "  "}]
    fetched = fetch_thread(serve(httpserver, s.news_page(declared, count=4)), settings=settings)
    assert fetched.warnings == ["the page counts 4 comments; 3 could be read"]


def test_forced_page_reads_any_host_as_a_page(httpserver, settings):
    address = serve(httpserver, s.news_page(), path=f"/r/test/comments/{s.THREAD_ID}/x/")
    assert fetch_thread(address, fmt="page", settings=settings).format == "page"
