"""An annotator's queue: comments in thread order, filtered by what this annotator has done with them.

Every query is a keyset page on (thread_id, position), which the unique index on comments serves; the
annotator's own current row is found through the (comment_id, annotator_id, id) index.

The queue list pages in two steps so that a long list costs little: ``queue_keys`` walks the keyset
(ids and keys only, which the (thread_id, position) index covers when no filter applies), and
``queue_items`` loads what a screenful shows (author, preview, status) for a handful of ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Connection, Engine, bindparam, func, literal, or_, select, tuple_
from sqlalchemy.orm import aliased

from moderator.core.labelling.gold_handout import held_out_threads
from moderator.core.store.tables import Annotation, Assignment, Comment

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


def my_status(annotator_id):
    """This annotator's newest row status for the comment (the head of its chain), as a scalar subquery.

    ``annotator_id`` is a value or a bound parameter.
    """
    return (
        select(Annotation.status)
        .where(Annotation.comment_id == Comment.id, Annotation.annotator_id == annotator_id)
        .order_by(Annotation.id.desc())
        .limit(1)
        .correlate(Comment)
        .scalar_subquery()
    )


def unanswered(status):
    """No answer in force: no row at all, or an undone first answer. One evaluation of the subquery."""
    return func.coalesce(status, literal("retracted")) == "retracted"


def _filter_clause(status, name: str):
    if name == "unlabelled":
        return unanswered(status)
    if name == "mine":
        return status == "submitted"
    if name in ("skipped", "flagged"):
        return status == name
    if name == "all":
        return None
    raise ValueError(f"unknown filter {name!r} (known: {', '.join(FILTERS)})")


def in_queue(annotator_id):
    """Comments the queue lists: all but a gold file's, except those this person was handed."""
    held = select(Assignment.id).where(Assignment.comment_id == Comment.id, Assignment.annotator_id == annotator_id).exists()
    return or_(Comment.thread_id.not_in(held_out_threads()), held, my_status(annotator_id).is_not(None))


def _where(query, annotator_id: int, filter_name: str, search: str, after: tuple[int, int] | None):
    query = query.where(in_queue(annotator_id))
    clause = _filter_clause(my_status(annotator_id), filter_name)
    if clause is not None:
        query = query.where(clause)
    if "\x00" in search:  # no comment holds a NUL (importers refuse it), and PostgreSQL rejects it in a query
        query = query.where(literal(False))
    elif search.strip():
        pattern = "%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(Comment.text.ilike(pattern, escape="\\"), Comment.author.ilike(pattern, escape="\\")))
    if after is not None:
        query = query.where(tuple_(Comment.thread_id, Comment.position) > tuple_(*after))
    return query.order_by(Comment.thread_id, Comment.position)


def _item(r) -> QueueItem:
    return QueueItem(r[0], r[1], r[2], r[3], r[4], " ".join((r[5] or "").split()), None if r[6] == "retracted" else r[6])


def _item_columns(annotator_id):
    return (
        Comment.id, Comment.thread_id, Comment.position, Comment.depth, Comment.author,
        func.substr(Comment.text, 1, PREVIEW_CHARS), my_status(annotator_id).label("status"),
    )  # fmt: skip


def queue_keys(
    engine: Engine,
    annotator_id: int,
    filter_name: str = "all",
    search: str = "",
    after: tuple[int, int] | None = None,
    limit: int = 200,
) -> list[tuple[int, int, int]]:
    """(id, thread_id, position) of the next ``limit`` queue rows after (thread_id, position): no text read.

    Unfiltered, this is a covering scan of the (thread_id, position) index; a filter adds one index seek
    per row for the annotator's own status; a search reads the texts it must match.
    """
    query = _where(select(Comment.id, Comment.thread_id, Comment.position), annotator_id, filter_name, search, after)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query.limit(limit))]


@cache
def _items_by_id():
    """Built once: the statement is the same for every block of rows (primary-key lookups)."""
    return select(*_item_columns(bindparam("annotator_id"))).where(Comment.id.in_(bindparam("ids", expanding=True)))


def queue_items(engine: Engine, annotator_id: int, ids: Sequence[int]) -> dict[int, QueueItem]:
    """Display data (author, preview, this annotator's status) of the given comments, by id."""
    if not ids:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(_items_by_id(), {"annotator_id": annotator_id, "ids": list(ids)}).all()
    return {r[0]: _item(r) for r in rows}


def item_for(engine: Engine, annotator_id: int, comment_id: int) -> QueueItem | None:
    return queue_items(engine, annotator_id, [comment_id]).get(comment_id)


def comment_key(engine: Engine, comment_id: int) -> tuple[int, int] | None:
    """(thread_id, position) of a comment: where it sits in every queue."""
    with engine.connect() as conn:
        row = conn.execute(select(Comment.thread_id, Comment.position).where(Comment.id == comment_id)).first()
    return (row[0], row[1]) if row is not None else None


def _in_force(annotator_id: int):
    """This annotator's rows in force: the newest of each (comment, annotator) pair, retractions aside.

    Walks only the annotator's own rows (index on annotator_id): no row of the pair has a greater id (an
    index-only probe of the (comment_id, annotator_id, id) index). Never a scan of all comments.
    """
    newer = aliased(Annotation)
    superseded = (
        select(newer.id)
        .where(newer.comment_id == Annotation.comment_id, newer.annotator_id == annotator_id, newer.id > Annotation.id)
        .exists()
    )
    return (Annotation.annotator_id == annotator_id, Annotation.status != "retracted", ~superseded)


def answered_count(conn: Connection, annotator_id: int) -> int:
    """Comments this annotator has an answer in force on (submitted, skipped or flagged)."""
    return conn.scalar(select(func.count()).select_from(Annotation).where(*_in_force(annotator_id))) or 0


@dataclass(frozen=True)
class AnswerCounts:
    answered: int  # submitted (or late): a label
    set_aside: int  # skipped or flagged: seen, but no label
    total: int  # all comments


def _corpus_size(conn: Connection, annotator_id: int) -> int:
    """The comments of the corpus as this person sees it: a gold file's are checks, not part of it, except
    those they were handed and answered (so what they answered never exceeds the whole)."""
    corpus = select(func.count()).select_from(Comment).where(Comment.thread_id.not_in(held_out_threads()))
    if conn.scalar(held_out_threads().limit(1)) is None:
        return conn.scalar(corpus) or 0  # no gold file in this project: nothing was handed out of it
    handed = (
        select(func.count())
        .select_from(Annotation)
        .join(Comment, Comment.id == Annotation.comment_id)
        .where(*_in_force(annotator_id), Comment.thread_id.in_(held_out_threads()))
    )
    return (conn.scalar(corpus) or 0) + (conn.scalar(handed) or 0)


def answer_counts(engine: Engine, annotator_id: int) -> AnswerCounts:
    """What this annotator has labelled and set aside, and the corpus size: skips and flags are not answers."""
    with engine.connect() as conn:
        total = _corpus_size(conn, annotator_id)
        by_status = dict(
            conn.execute(
                select(Annotation.status, func.count()).where(*_in_force(annotator_id)).group_by(Annotation.status)
            ).all()
        )
    set_aside = by_status.get("skipped", 0) + by_status.get("flagged", 0)
    return AnswerCounts(sum(by_status.values()) - set_aside, set_aside, total)


def progress_counts(engine: Engine, annotator_id: int) -> tuple[int, int]:
    """(comments this annotator has answered, all comments)."""
    with engine.connect() as conn:
        total = _corpus_size(conn, annotator_id)
        done = answered_count(conn, annotator_id)
    return done, total


SEEK_PAGE = 20_000  # the largest keyset page when paging ahead to a far comment


def queue_keys_through(
    engine: Engine,
    annotator_id: int,
    filter_name: str,
    search: str,
    after: tuple[int, int] | None,
    key: tuple[int, int],
    limit: int,
    most: int = SEEK_PAGE,
) -> tuple[list[tuple[int, int, int]], bool]:
    """``queue_keys`` pages from ``after`` until one reaches ``key``: (rows, whether the queue ended).

    Pages double from ``limit`` up to ``most`` rows, so a comment far down costs a few queries.
    """
    rows: list[tuple[int, int, int]] = []
    while True:
        page = queue_keys(engine, annotator_id, filter_name, search, after, limit)
        rows += page
        if len(page) < limit:
            return rows, True
        after = (page[-1][1], page[-1][2])
        if after >= key:
            return rows, False
        limit = min(limit * 2, most)
