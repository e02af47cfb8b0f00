"""A frozen link to the server: the answers typed meanwhile wait on disk, and all arrive once it thaws."""

from __future__ import annotations

import threading

import pytest
from helpers.databases import PG_ENV, PG_SKIP, throwaway_postgres
from helpers.tcp_proxy import FreezableProxy
from sqlalchemy import func, make_url, select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.outbox.box import Outbox, outbox_path
from moderator.core.outbox.send import send_waiting
from moderator.core.store.engine import make_engine
from moderator.core.store.tables import Annotation, Comment
from moderator.core.team.accounts import ensure_annotator


@pytest.fixture
def server():
    import os

    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    with throwaway_postgres(os.environ[PG_ENV]) as engine:
        yield engine


def test_answers_made_while_the_link_is_frozen_all_arrive_once_it_thaws(server, tmp_path):
    draft = ThreadDraft(source="t", title="T", comments=[CommentDraft(f"comment {i}") for i in range(20)])
    import_drafts(server, [draft], name="t", fmt="t")
    ana = ensure_annotator(server, "ana")
    with server.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    proxy = FreezableProxy(server.url.host, server.url.port)
    through = make_engine(make_url(server.url).set(host="127.0.0.1", port=proxy.port))
    box = Outbox(outbox_path("team", "ana", tmp_path))
    try:
        with through.connect() as conn:  # the link works: a connection is open and pooled
            conn.exec_driver_sql("SELECT 1")
        proxy.freeze()
        for comment in ids:  # typed while nothing gets through: each is on disk at once
            box.add("answer", {"annotator_id": ana, "comment_id": comment, "values": {"toxicity": 2, "dehumanization": "none"},
                               "spans": [], "status": "submitted"})  # fmt: skip
        assert box.count() == 20
        sending = threading.Thread(target=lambda: send_waiting(through, Outbox(box.path)))
        sending.start()
        assert proxy.held.wait(60)  # the first answer is stuck in the frozen link
        with server.connect() as conn:
            assert conn.scalar(select(func.count()).select_from(Annotation)) == 0
        proxy.thaw()
        sending.join(120)
        assert not sending.is_alive()
        with server.connect() as conn:
            stored = conn.execute(select(Annotation.comment_id, func.count()).group_by(Annotation.comment_id)).all()
        assert sorted(stored) == [(comment, 1) for comment in ids]  # every answer, each once
        assert box.count() == 0
    finally:
        box.close()
        through.dispose()
        proxy.close()
