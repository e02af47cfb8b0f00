"""Import a JSON Lines file and read back every row it stored, to hold two ways of importing to the same rows."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from helpers.probes import store_author_secret
from moderator.core.store import settings as project
from moderator.core.store.tables import Comment, ImportBatch, Thread


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def rows(engine):
    with engine.connect() as conn:
        threads = [tuple(r) for r in conn.execute(select(Thread.__table__).order_by(Thread.id))]
        comments = [tuple(r) for r in conn.execute(select(Comment.__table__).order_by(Comment.id))]
        raw = conn.execute(text("SELECT id, CAST(meta AS TEXT), CAST(created_at AS TEXT) FROM comments ORDER BY id")).all()
        batches = conn.execute(select(ImportBatch.threads_added, ImportBatch.comments_added, ImportBatch.warnings)).all()
    return threads, comments, [tuple(r) for r in raw], [tuple(b) for b in batches]


def same_secret(engine, second_engine):
    with engine.begin() as conn:
        secret = project.author_key_secret(conn)
    with second_engine.begin() as conn:
        store_author_secret(conn, secret)
