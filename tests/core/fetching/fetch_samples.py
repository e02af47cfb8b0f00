"""Responses written for the fetching tests: a Reddit thread with "more" links, a Hacker News item, news pages."""

from __future__ import annotations

import json

THREAD_ID = "abc123"
REDDIT_ADDRESS = f"https://www.reddit.com/r/test/comments/{THREAD_ID}/bridge_closures/"
PERMALINK = f"/r/test/comments/{THREAD_ID}/bridge_closures/"


def listing(*children) -> dict:
    return {"kind": "Listing", "data": {"children": list(children)}}


def post(num_comments: int = 6, selftext: str = "The city will close the bridge in May.") -> dict:
    return {
        "kind": "t3",
        "data": {
            "id": THREAD_ID,
            "name": f"t3_{THREAD_ID}",
            "title": "Bridge &amp; tunnel closures",
            "selftext": selftext,
            "author": "op_user",
            "subreddit": "test",
            "permalink": PERMALINK,
            "url": f"https://www.reddit.com{PERMALINK}",
            "created_utc": 1700000000,
            "num_comments": num_comments,
            "is_self": True,
        },
    }


def comment(cid: str, body: str, parent: str, author: str = "someone", replies=None) -> dict:
    return {
        "kind": "t1",
        "data": {
            "id": cid,
            "name": f"t1_{cid}",
            "body": body,
            "author": author,
            "parent_id": parent,
            "link_id": f"t3_{THREAD_ID}",
            "created_utc": 1700000100,
            "score": 3,
            "replies": replies if replies is not None else "",
        },
    }


def more(ids: list[str], parent: str, count: int | None = None) -> dict:
    """A "more" stub; with no ids, "continue this thread" under ``parent``."""
    name = f"t1_{ids[0]}" if ids else "t1__"
    data = {"count": len(ids) if count is None else count, "name": name, "id": ids[0] if ids else "_"}
    return {"kind": "more", "data": {**data, "parent_id": parent, "depth": 0, "children": ids}}


def reddit_thread(extra: list[dict] | None = None, selftext: str | None = None) -> list:
    """c1 (a quote of the post) > c2 (deleted) > "continue this thread"; c3 (removed); "more" for c4, c5."""
    c2 = comment("c2", "[deleted]", "t1_c1", author="[deleted]", replies=listing(more([], "t1_c2")))
    c1 = comment("c1", "&gt; close the bridge in May\n\nGood riddance &lt;3", f"t3_{THREAD_ID}", "alice", listing(c2))
    c3 = comment("c3", "[removed]", f"t3_{THREAD_ID}", author="[deleted]")
    top = [c1, c3, *(extra or []), more(["c4", "c5"], f"t3_{THREAD_ID}")]
    the_post = post() if selftext is None else post(selftext=selftext)
    return [listing(the_post), listing(*top)]


def morechildren() -> dict:
    things = [
        comment("c4", "Where do the buses go?", f"t3_{THREAD_ID}", "bob"),
        comment("c5", "Down Main Street.", "t1_c4", "carol"),
    ]
    return {"json": {"errors": [], "data": {"things": things}}}


def continued() -> list:
    """The thread rooted at c2: its reply c6."""
    c6 = comment("c6", "Replying to a deleted comment.", "t1_c2", "dave")
    c2 = comment("c2", "[deleted]", "t1_c1", author="[deleted]", replies=listing(c6))
    return [listing(post()), listing(c2)]


HN_ID = 100
HN_ADDRESS = f"https://news.ycombinator.com/item?id={HN_ID}"


def hn_item() -> dict:
    def item(ident, author, text, children=(), **more):
        return {"id": ident, "type": "comment", "author": author, "text": text, "parent_id": HN_ID,
                "story_id": HN_ID, "created_at_i": 1700000000 + ident, "children": list(children), **more}  # fmt: skip

    return {
        "id": HN_ID,
        "type": "story",
        "author": "pg",
        "title": "Show HN: A bridge simulator",
        "url": "https://example.com/bridge",
        "text": "<p>It models &quot;load&quot; on old bridges.</p>",
        "points": 42,
        "created_at": "2023-11-14T22:13:20.000Z",
        "created_at_i": 1700000000,
        "children": [
            item(
                101,
                "alice",
                "First &amp; foremost: nice.<p>Nice <i>work</i>, really.",
                [
                    item(105, "erin", "<p>&gt; First &amp; foremost: nice.<p>Agreed."),
                    item(102, None, None, [item(103, "carol", "Replying to a deleted comment.")]),
                ],
            ),
            item(104, "bob", 'See <a href="https://x.example">the docs</a>.', dead=True),
        ],
    }


ARTICLE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Council closes the old bridge | The Daily</title>
<meta property="og:title" content="Council closes the old bridge">
<meta name="author" content="Jo Writer">
<meta property="article:published_time" content="2024-03-01T10:00:00Z">
{ld}
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council closes the old bridge</h1>
<p>The council voted on Tuesday to close the old bridge for repairs that will take most of the year, officials said.</p>
<p>Residents were divided: some welcomed the work, others worried about longer commutes across the river.</p>
<p>{extra}</p>
</article><footer>Copyright The Daily</footer></body></html>"""


def news_page(
    comments: list[dict] | None = None, extra: str = "Buses will replace the trams while the work goes on.", count: int = 3
) -> str:
    ld = ""
    if comments is not None:
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Council closes the old bridge",
            "commentCount": count,
            "comment": comments,
        }
        ld = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return ARTICLE.format(ld=ld, extra=extra)


def ld_comments() -> list[dict]:
    return [
        {
            "@type": "Comment",
            "@id": "#c1",
            "author": {"@type": "Person", "name": "Dana"},
            "dateCreated": "2024-03-01T12:00:00Z",
            "text": "About time.",
            "comment": [{"@type": "Comment", "author": {"name": "Eli"}, "text": "&gt; About time.\nAgreed, it was unsafe."}],
        },
        {"@type": "Comment", "author": "Finn", "dateCreated": "2024-03-01T13:00:00Z", "text": "Commutes will suffer."},
    ]
