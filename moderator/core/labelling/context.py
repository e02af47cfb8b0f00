"""Read-side queries: a comment's thread context and its siblings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select

from moderator.core.labelling.named_parent import named_parent
from moderator.core.store.tables import Comment, QuoteSpan, Thread

MAX_PARENT_CHAIN = 20
# How far back a reply with no stored parent looks for the author it names: a long comment section,
# read as (id, author) pairs by the (thread_id, position) index, so a comment still loads at once.
NAMED_PARENT_REACH = 500
# What a source can say of a comment, as importers mark it in its metadata (Reddit, Disqus); the
# first that applies is shown and exported.
SOURCE_STATUSES = ("spam", "removed", "deleted")


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    source: str
    source_comment_id: int | None
    source_start: int | None
    source_end: int | None


@dataclass(frozen=True)
class CommentInThread:
    id: int
    thread_id: int
    position: int
    depth: int
    author: str | None
    text: str
    external_id: str | None
    source_status: str | None = None  # "spam", "removed" or "deleted" when the source marked it


@dataclass
class CommentContext:
    """A comment with what an annotator needs to judge it."""

    comment: CommentInThread
    thread_title: str | None
    dateline: str | None
    article: str
    parents: list[CommentInThread] = field(default_factory=list)  # nearest parent first
    quotes: list[Quote] = field(default_factory=list)  # spans of this comment that quote something
    # With no stored parent: the nearest earlier comment whose author this one names ("Dorian has a point").
    named_parent: CommentInThread | None = None


def source_status(meta: dict | None) -> str | None:
    return next((key for key in SOURCE_STATUSES if (meta or {}).get(key) is True), None)


def _view(c) -> CommentInThread:
    return CommentInThread(c.id, c.thread_id, c.position, c.depth, c.author, c.text, c.external_id, source_status(c.meta))


def comment_context(engine: Engine, comment_id: int) -> CommentContext:
    with engine.connect() as conn:
        c = conn.execute(select(Comment).where(Comment.id == comment_id)).one()
        thread = conn.execute(select(Thread.title, Thread.dateline, Thread.article).where(Thread.id == c.thread_id)).one()
        parents = []
        parent_id = c.parent_id
        while parent_id is not None and len(parents) < MAX_PARENT_CHAIN:
            p = conn.execute(select(Comment).where(Comment.id == parent_id)).one()
            parents.append(_view(p))
            parent_id = p.parent_id
        quotes = [
            Quote(q.start, q.end, q.source, q.source_comment_id, q.source_start, q.source_end)
            for q in conn.execute(select(QuoteSpan).where(QuoteSpan.comment_id == comment_id).order_by(QuoteSpan.start))
        ]
        named = _named_parent(conn, c) if c.parent_id is None else None
    return CommentContext(_view(c), thread.title, thread.dateline, thread.article, parents, quotes, named)


def _named_parent(conn: Connection, c) -> CommentInThread | None:
    """The nearest earlier comment of the thread whose author ``c`` names (see named_parent), if any."""
    others = Comment.author.is_not(None) if c.author is None else Comment.author != c.author  # != is never true of NULL
    earlier = conn.execute(
        select(Comment.id, Comment.author)
        .where(Comment.thread_id == c.thread_id, Comment.position < c.position, others)
        .order_by(Comment.position.desc())
        .limit(NAMED_PARENT_REACH)
    ).all()
    found = named_parent(c.text, [(row.author, row.id) for row in earlier], own_author=c.author)
    if found is None:
        return None
    return _view(conn.execute(select(Comment).where(Comment.id == found)).one())


def siblings(engine: Engine, comment_id: int, limit: int = 10) -> list[CommentInThread]:
    """Comments replying to the same parent (or other top-level comments), nearest in the thread first."""
    with engine.connect() as conn:
        c = conn.execute(select(Comment.thread_id, Comment.parent_id, Comment.position).where(Comment.id == comment_id)).one()
        same_parent = Comment.parent_id.is_(None) if c.parent_id is None else Comment.parent_id == c.parent_id
        base = select(Comment).where(Comment.thread_id == c.thread_id, same_parent, Comment.id != comment_id)
        before = conn.execute(base.where(Comment.position < c.position).order_by(Comment.position.desc()).limit(limit)).all()
        after = conn.execute(base.where(Comment.position > c.position).order_by(Comment.position).limit(limit)).all()
    return [_view(r) for r in reversed(before)] + [_view(r) for r in after]
