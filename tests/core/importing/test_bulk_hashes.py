"""The bulk path's content hashes (its BLAKE2b fed the thread key once per thread) are ``comment_hash``'s."""

from __future__ import annotations

import json

from sqlalchemy import select

from moderator.core.importing.keys import comment_hash
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, Thread

RECORDS = [
    {"thread_id": "t", "id": 1, "author": "ann", "text": "first"},
    {"thread_id": "t", "parent_id": 1, "author": "Zoë", "text": "no id: its index stands for it — ünïcode 🙂"},
    {"thread_id": "t", "id": "x", "text": ""},
    {"thread_id": "u", "id": "y", "author": "", "text": "a\nlong " * 200},
]


def test_bulk_hashes_are_comment_hash(engine, tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    import_paths(engine, [path])
    with engine.connect() as conn:
        rows = conn.execute(
            select(Thread.content_hash, Comment.external_id, Comment.position, Comment.author, Comment.text, Comment.content_hash)
            .join(Thread, Thread.id == Comment.thread_id)
            .order_by(Comment.id)
        ).all()
    assert len(rows) == len(RECORDS)
    for key, ext, position, author, text, stored in rows:
        assert stored == comment_hash(key, ext if ext is not None else f"#{position}", author, text)
