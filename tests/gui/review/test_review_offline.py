"""A reviewer's gold labels on a server go through the outbox: kept on disk while the server is down,
stored once each when it is back."""

from __future__ import annotations

import os

import pytest
from helpers.databases import PG_ENV, PG_SKIP, throwaway_postgres
from helpers.tcp_proxy import FreezableProxy
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import make_url, select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import active_schema, submit
from moderator.core.outbox.box import Outbox
from moderator.core.project import Project
from moderator.core.store.engine import make_engine
from moderator.core.store.tables import Comment, GoldLabel
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.background.workers import DbWorker
from moderator.gui.review.window import ReviewWindow

K, CTRL = Qt.Key, Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def server(tmp_path, monkeypatch):
    if not os.environ.get(PG_ENV):
        pytest.skip(PG_SKIP)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with throwaway_postgres(os.environ[PG_ENV]) as engine:
        import_drafts(engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft(f"c{i}") for i in range(2)])],
                      name="t", fmt="t")  # fmt: skip
        configure(engine, overlap=2)
        with engine.connect() as conn:
            ids = list(conn.scalars(select(Comment.id).order_by(Comment.position)))
        for name, values in (("ana", (1, 3)), ("bo", (4, 2))):  # both comments disputed
            annotator = ensure_annotator(engine, name)
            for comment_id, value in zip(ids, values, strict=True):
                submit(engine, comment_id, annotator, {"toxicity": value, "dehumanization": "none"})
        yield engine, ids


def test_gold_labels_decided_while_the_server_is_down_arrive_once_when_it_is_back(qtbot, server):
    engine, ids = server
    proxy = FreezableProxy(engine.url.host, engine.url.port)
    through = make_engine(make_url(engine.url).set(host="127.0.0.1", port=proxy.port))
    lead = Account(ensure_annotator(engine, "lead", "admin"), "lead", "admin")
    worker = DbWorker()
    review = ReviewWindow(Project(through), worker, lead, active_schema(engine)[1])
    qtbot.addWidget(review)
    review.show()
    review.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is review and review.item is not None and not review.busy)
    try:
        proxy.down()
        first = review.item.comment_id
        qtbot.keyClick(review, K.Key_2)
        qtbot.keyClick(review, K.Key_Return, CTRL)
        box = Outbox(review.box)
        qtbot.waitUntil(lambda: box.count() == 1, timeout=30000)  # kept on this computer
        box.close()
        with engine.connect() as conn:
            assert conn.execute(select(GoldLabel.id)).all() == []  # on this computer only, for now
        qtbot.waitUntil(lambda: not review.busy, timeout=30000)  # the next comment could not load: the server is down
        proxy.up()
        review.list.setCurrentRow(0)  # the reviewer goes back and forth in the list once it is back
        qtbot.waitUntil(lambda: review.item.comment_id == first and not review.busy, timeout=30000)
        review.list.setCurrentRow(1)
        qtbot.waitUntil(lambda: review.item.comment_id != first and not review.busy, timeout=30000)
        qtbot.keyClick(review, K.Key_3)
        qtbot.keyClick(review, K.Key_Return, CTRL)  # this one's sending takes the first one along
        with engine.connect() as conn:
            query = select(GoldLabel.comment_id).order_by(GoldLabel.id)
            qtbot.waitUntil(lambda: len(conn.execute(query).all()) == 2, timeout=30000)
            assert sorted(conn.execute(query).scalars()) == sorted(ids)  # each once
    finally:
        worker.shutdown(timeout_s=10)
        through.dispose()
        proxy.close()
