"""Test-only views and shortcuts over the core: what tests check against, and the app never calls.

Import as ``from helpers.probes import ...`` (the tests directory is on ``sys.path``: it has a conftest
and no ``__init__``).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, select

from moderator.core.labelling.browse import QueueItem, _item, _item_columns, _where
from moderator.core.labelling.claims import answers_count, claim_next_item
from moderator.core.labelling.log import Label, _label
from moderator.core.store.settings import AUTHOR_SECRET, claim_settings
from moderator.core.store.tables import Annotation, Comment, ProjectSecret


def queue_page(
    engine: Engine,
    annotator_id: int,
    filter_name: str = "all",
    search: str = "",
    after: tuple[int, int] | None = None,
    limit: int = 200,
) -> list[QueueItem]:
    """The next ``limit`` queue items after (thread_id, position), in thread order, in one query.

    The app pages with ``queue_keys`` then ``queue_items``; this single query is what they must match.
    """
    query = _where(select(*_item_columns(annotator_id)), annotator_id, filter_name, search, after)
    with engine.connect() as conn:
        rows = conn.execute(query.limit(limit)).all()
    return [_item(r) for r in rows]


def claim_next(engine: Engine, annotator_id: int, after: tuple[int, int] | None = None) -> int | None:
    """``claim_next_item``, giving the claimed comment's id (None when there is nothing left)."""
    item = claim_next_item(engine, annotator_id, after)
    return item.id if item is not None else None


def over_k(engine: Engine) -> list[tuple[int, int]]:
    """(comment id, answers) for comments with more submitted answers than the overlap allows."""
    with engine.connect() as conn:
        k = claim_settings(conn).overlap
        counted = answers_count().label("answers")
        rows = conn.execute(select(Comment.id, counted).where(answers_count() > k)).all()
    return [(r[0], r[1]) for r in rows]


def history(engine: Engine, comment_id: int, annotator_id: int) -> list[Label]:
    """Every row of the pair, oldest first: the audit trail of one annotator's answers."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(Annotation)
            .where(Annotation.comment_id == comment_id, Annotation.annotator_id == annotator_id)
            .order_by(Annotation.id)
        ).all()
    return [_label(r) for r in rows]


def store_author_secret(conn: Connection, secret: str) -> None:
    """Replace the project's author-key secret (the app never does): give a second database the
    pseudonyms of a first, to compare what two import paths store."""
    conn.execute(delete(ProjectSecret).where(ProjectSecret.key == AUTHOR_SECRET))
    conn.execute(insert(ProjectSecret).values(key=AUTHOR_SECRET, value=secret))
