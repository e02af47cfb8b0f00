"""Adding gold items: a lead imports a file of comments with known answers, or promotes reviewer gold.

A gold file's items arrive as threads of their own (``threads.source = 'gold'``: held out of the queue,
handed out only as checks), each holding the item and, when given, the comment it replies to; the
item's reference answers go to ``gold_items`` in the same transaction. Importing the same items again
adds nothing. Promoting turns a comment's latest reviewer gold label (``agreement.review.decide``) into
a gold item's reference answers: it stays where it is in its thread.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from moderator.core.agreement.review import gold_labels
from moderator.core.gold.file import CHECKABLE, GoldDraft, read_gold
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.sources.reading import read_source
from moderator.core.importing.writer import find_batch, write_drafts
from moderator.core.labelling.log import active_schema
from moderator.core.store.engine import writer
from moderator.core.store.tables import GOLD_SOURCE, Comment, GoldItem, GoldLabel
from moderator.core.team.identity import Account


@dataclass(frozen=True)
class GoldAdded:
    items: int  # in the file, or asked to promote
    added: int  # new gold items
    already: int  # were gold items before


def _require_lead(who: Account | None) -> None:
    if who is not None and not who.sees_all:
        raise PermissionError("gold items are for reviewers and admins (annotators answer them blind)")


def _key(draft: GoldDraft) -> str:
    """The item's identity: its text and context (importing it again finds the same thread)."""
    content = json.dumps([draft.text, draft.parent, draft.title, draft.article], ensure_ascii=False)
    return "gold:" + hashlib.sha256(content.encode()).hexdigest()[:32]


def _thread(draft: GoldDraft) -> ThreadDraft:
    key = _key(draft)
    meta: dict[str, Any] = dict(draft.extra)
    if draft.external_id is not None:
        meta["source_id"] = draft.external_id
    item = CommentDraft(draft.text, external_id=key, metadata=meta, line=draft.line)
    comments = [item]
    if draft.parent:
        comments = [CommentDraft(draft.parent, external_id=key + ":parent", line=draft.line), item]
        item.parent_index = 0
    return ThreadDraft(GOLD_SOURCE, title=draft.title or None, external_id=key, article=draft.article, comments=comments,
                       line=draft.line)  # fmt: skip


def import_gold(engine: Engine, path: str | Path, who: Account | None = None) -> GoldAdded:
    """Import a gold file (see ``gold.file``) in one transaction; the same file twice adds nothing."""
    _require_lead(who)
    source = read_source(path)
    _, schema = active_schema(engine)
    drafts = read_gold(source, schema)
    keys = [_key(d) for d in drafts]
    with writer(engine) as conn, conn.begin():
        if find_batch(conn, source.sha256) is None:
            write_drafts(conn, [_thread(d) for d in drafts], name=source.name, fmt=GOLD_SOURCE, sha256=source.sha256)
        found = dict(conn.execute(select(Comment.external_id, Comment.id).where(Comment.external_id.in_(keys))).all())
        missing = [d for d, k in zip(drafts, keys) if k not in found]
        if missing:  # the same bytes imported before as something else: say so rather than half-do it
            raise ImportFailure(source.name, missing[0].line, "this file was imported before, not as gold items")
        answers = {found[k]: d.answers for d, k in zip(drafts, keys)}
        return _add(conn, answers, "file", who)


def promote(engine: Engine, comment_ids: Sequence[int] | None = None, who: Account | None = None) -> GoldAdded:
    """Make reviewer gold labels gold items (all of them when ``comment_ids`` is None)."""
    _require_lead(who)
    _, schema = active_schema(engine)
    checkable = {q.id for q in schema.questions if q.kind in CHECKABLE}
    with writer(engine) as conn, conn.begin():
        if comment_ids is None:
            comment_ids = conn.scalars(select(GoldLabel.comment_id).distinct()).all()
        labels = gold_labels(conn, list(comment_ids))
        without = [c for c in comment_ids if c not in labels]
        if without:
            raise ValueError(f"comment {without[0]} has no reviewer gold label to promote (decide it in Review first)")
        answers = {c: {q: v for q, v in labels[c].items() if q in checkable} for c in comment_ids}
        empty = [c for c, a in answers.items() if not a]
        if empty:
            raise ValueError(f"comment {empty[0]}: its gold label answers no question with options")
        return _add(conn, answers, "review", who)


def _add(conn: Connection, answers: dict[int, dict[str, Any]], source: str, who: Account | None) -> GoldAdded:
    known = set(conn.scalars(select(GoldItem.comment_id).where(GoldItem.comment_id.in_(list(answers)))))
    new = [{"comment_id": c, "values": v, "source": source, "added_by": who.id if who else None}
           for c, v in answers.items() if c not in known]  # fmt: skip
    if new:
        conn.execute(insert(GoldItem), new)
    return GoldAdded(len(answers), len(new), len(known))
