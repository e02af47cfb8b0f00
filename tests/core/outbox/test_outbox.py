"""The outbox: answers kept on disk first, sent in order, stored once however often they are sent."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import func, select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import current_label, submit
from moderator.core.outbox.box import REFUSED, SENT, Outbox, outbox_path
from moderator.core.outbox.send import send_waiting
from moderator.core.store.engine import make_engine
from moderator.core.store.tables import Annotation, Comment, answers_in_force
from moderator.core.team.accounts import ensure_annotator

OK = {"toxicity": 1, "dehumanization": "none"}


@pytest.fixture
def comments(engine):
    draft = ThreadDraft(source="t", title="T", comments=[CommentDraft(f"comment {i}") for i in range(3)])
    import_drafts(engine, [draft], name="t", fmt="t")
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.position)).all()


def rows(engine) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Annotation))


def answer(box: Outbox, annotator: int, comment: int, values: dict):
    return box.add("answer", {"annotator_id": annotator, "comment_id": comment, "values": values, "spans": [],
                              "status": "submitted", "started_at": "2026-12-03T10:00:00+00:00", "duration_ms": 900})  # fmt: skip


def test_entries_are_sent_in_order_and_a_resend_adds_nothing(engine, comments, tmp_path):
    ana = ensure_annotator(engine, "ana")
    box = Outbox(outbox_path("db", "ana", tmp_path))
    first = answer(box, ana, comments[0], OK)
    answer(box, ana, comments[0], {"toxicity": 3, "dehumanization": "none"})  # an edit, made later
    box.add("undo", {"annotator_id": ana})
    answer(box, ana, comments[1], OK)
    assert box.count() == 4
    done = send_waiting(engine, box)
    assert (done.sent, done.waiting, done.unreachable) == (4, 0, None)
    assert rows(engine) == 4 and current_label(engine, comments[0], ana).values == OK  # the undo restored it
    # The app died after the server stored the first entry and before it was marked sent: sent again.
    box.mark(first, "waiting")
    assert send_waiting(engine, box).sent == 1 and rows(engine) == 4
    box.close()


def test_an_unreachable_server_leaves_every_answer_waiting_on_disk(engine, comments, tmp_path):
    ana = ensure_annotator(engine, "ana")
    path = outbox_path("db", "ana", tmp_path)
    box = Outbox(path)
    for comment in comments:
        answer(box, ana, comment, OK)
    box.close()  # the app quits (or is killed) with three answers not sent
    nowhere = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    reopened = Outbox(path)
    done = send_waiting(nowhere, reopened)
    assert done.sent == 0 and done.waiting == 3 and "127.0.0.1" in done.unreachable
    assert send_waiting(engine, reopened).sent == 3 and rows(engine) == 3  # back: all of them arrive
    reopened.close()


def test_a_late_answer_is_stored_marked_and_a_refused_one_kept_with_its_reason(engine, comments, tmp_path):
    configure(engine, overlap=1)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    box = Outbox(outbox_path("db", "ana", tmp_path))
    answer(box, ana, comments[0], OK)  # typed offline; meanwhile bo answered comment 0 and k = 1
    answer(box, ana, comments[1], {"toxicity": 9, "dehumanization": "none"})  # no such option any more
    answer(box, ana, comments[2], OK)
    submit(engine, comments[0], bo, OK)
    done = send_waiting(engine, box)
    assert (done.sent, done.late, len(done.refused)) == (2, 1, 1) and "toxicity" in done.refused[0][1]
    late = current_label(engine, comments[0], ana)
    assert late.status == "late" and late.values == OK  # kept with its values, marked
    with engine.connect() as conn:  # and counted in no slot: comment 0 still has its one answer under k
        assert (
            conn.scalar(select(func.count()).select_from(answers_in_force).where(answers_in_force.c.comment_id == comments[0]))
            == 1
        )
    assert [e.state for e in box.refused()] == [REFUSED] and box.count(SENT) == 2 and box.count() == 0
    box.close()


def test_a_reviewers_gold_label_goes_through_the_outbox_and_is_stored_once(engine, comments, tmp_path):
    from moderator.core.store.tables import GoldLabel
    from moderator.core.team.identity import Account

    lead = Account(ensure_annotator(engine, "lead", "admin"), "lead", "admin")
    box = Outbox(outbox_path("db", "lead", tmp_path))
    entry = box.add("gold", {"comment_id": comments[0], "reviewer_id": lead.id, "reviewer_name": lead.name,
                             "reviewer_role": lead.role, "values": {"toxicity": 3, "dehumanization": "none"}, "note": "agreed"})  # fmt: skip
    assert send_waiting(engine, box).sent == 1
    box.mark(entry, "waiting")  # sent again, as after a reply lost with the network
    assert send_waiting(engine, box).sent == 1
    with engine.connect() as conn:
        assert conn.execute(select(GoldLabel.comment_id, GoldLabel.note)).all() == [(comments[0], "agreed")]
    box.close()


def test_an_outbox_opened_by_several_threads_at_the_same_moment_opens_in_each(tmp_path):
    # The window and its sender open a new outbox at once; SQLite refuses one switch to WAL at once.
    failures = []
    for round_ in range(40):
        path = tmp_path / f"{round_}.sqlite"
        start = threading.Barrier(6)

        def open_it(path=path, start=start):
            start.wait()
            try:
                Outbox(path).close()
            except sqlite3.OperationalError as error:
                failures.append(error)

        threads = [threading.Thread(target=open_it) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
