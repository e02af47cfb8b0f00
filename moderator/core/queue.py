"""An annotator's queue: comments in thread order, filtered by what this annotator has done with them.

Every query is a keyset page on (thread_id, position), which the unique index on comments serves; the
annotator's own current row is found through the (comment_id, annotator_id, id) index.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, and_, func, or_, select, tuple_

from .models import Annotation, Comment

FILTERS = ("unlabelled", "mine", "skipped", "flagged", "all")
PREVIEW_CHARS = 160


@dataclass(frozen=True)
class QueueItem:
    id: int
    thread_id: int
    position: int
    depth: int
    author: str | None
    preview: str
    status: str | None  # this annotator's current status: submitted / skipped / flagged, or None

    @property
    def key(self) -> tuple[int, int]:
        return (self.thread_id, self.position)


def my_status(annotator_id: int):
    """This annotator's newest row status for the comment (the head of its chain), as a scalar subquery."""
    return (
        select(Annotation.status)
        .where(Annotation.comment_id == Comment.id, Annotation.annotator_id == annotator_id)
        .order_by(Annotation.id.desc())
        .limit(1)
        .correlate(Comment)
        .scalar_subquery()
    )


def _filter_clause(status, name: str):
    if name == "unlabelled":
        return or_(status.is_(None), status == "retracted")
    if name == "mine":
        return status == "submitted"
    if name in ("skipped", "flagged"):
        return status == name
    if name == "all":
        return None
    raise ValueError(f"unknown filter {name!r} (known: {', '.join(FILTERS)})")


def queue_page(
    engine: Engine,
    annotator_id: int,
    filter_name: str = "all",
    search: str = "",
    after: tuple[int, int] | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """The next ``limit`` queue items after (thread_id, position), in thread order."""
    status = my_status(annotator_id)
    query = select(
        Comment.id, Comment.thread_id, Comment.position, Comment.depth, Comment.author,
        func.substr(Comment.text, 1, PREVIEW_CHARS), status.label("status"),
    ).order_by(Comment.thread_id, Comment.position)  # fmt: skip
    clause = _filter_clause(status, filter_name)
    if clause is not None:
        query = query.where(clause)
    if search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Comment.text.ilike(pattern, escape="\\"), Comment.author.ilike(pattern, escape="\\")))
    if after is not None:
        query = query.where(tuple_(Comment.thread_id, Comment.position) > tuple_(*after))
    with engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).all()
    return [
        QueueItem(r[0], r[1], r[2], r[3], r[4], " ".join((r[5] or "").split()), None if r[6] == "retracted" else r[6])
        for r in rows
    ]


def item_for(engine: Engine, annotator_id: int, comment_id: int) -> QueueItem | None:
    with engine.connect() as conn:
        key = conn.execute(select(Comment.thread_id, Comment.position).where(Comment.id == comment_id)).first()
    if key is None:
        return None
    page = queue_page(engine, annotator_id, "all", after=(key[0], key[1] - 1), limit=1)
    return page[0] if page and page[0].id == comment_id else None


def progress_counts(engine: Engine, annotator_id: int) -> tuple[int, int]:
    """(comments this annotator has answered, all comments)."""
    status = my_status(annotator_id)
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Comment)) or 0
        done = conn.scalar(select(func.count()).select_from(Comment).where(and_(status.is_not(None), status != "retracted"))) or 0
    return done, total
