"""Labels are an append-only log: edits and undos add rows, nothing is updated or deleted."""

import uuid

import pytest
from helpers.probes import history
from sqlalchemy import select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import current_label, submit, undo_last
from moderator.core.schema.definition import LabelError
from moderator.core.store.tables import Annotation, Comment
from moderator.core.team.accounts import ensure_annotator

OK = {"toxicity": 1, "dehumanization": "none"}
BAD = {"toxicity": 4, "dehumanization": "explicit", "categories": ["threat"]}


@pytest.fixture
def comments(engine):
    draft = ThreadDraft(source="test", title="T", article="A", comments=[CommentDraft("first"), CommentDraft("second")])
    import_drafts(engine, [draft], name="t", fmt="test")
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.position)).all()


def all_rows(engine):
    with engine.connect() as conn:
        return [
            tuple(r) for r in conn.execute(select(Annotation.id, Annotation.values, Annotation.status).order_by(Annotation.id))
        ]


def test_an_edit_supersedes_without_changing_the_old_row(engine, comments):
    ana = ensure_annotator(engine, "ana")
    first = submit(engine, comments[0], ana, OK)
    before = all_rows(engine)
    second = submit(engine, comments[0], ana, BAD, spans=[{"start": 0, "end": 5}])
    assert current_label(engine, comments[0], ana).values == {
        "toxicity": 4,
        "dehumanization": "explicit",
        "categories": ["threat"],
    }
    assert all_rows(engine)[: len(before)] == before  # the first row is untouched
    assert [h.id for h in history(engine, comments[0], ana)] == [first.id, second.id]


def test_undo_restores_previous_values_and_walks_back_across_comments(engine, comments):
    ana = ensure_annotator(engine, "ana")
    submit(engine, comments[0], ana, OK)
    submit(engine, comments[0], ana, BAD)
    submit(engine, comments[1], ana, OK)
    comment, label = undo_last(engine, ana)
    assert comment == comments[1] and label is None and current_label(engine, comments[1], ana) is None
    comment, label = undo_last(engine, ana)
    assert comment == comments[0] and label.values == OK
    comment, label = undo_last(engine, ana)
    assert comment == comments[0] and label is None
    assert undo_last(engine, ana) is None
    assert len(all_rows(engine)) == 6  # three answers, three undos: all kept


def test_annotators_do_not_share_labels(engine, comments):
    configure(engine, overlap=2)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    submit(engine, comments[0], ana, OK)
    assert current_label(engine, comments[0], bo) is None
    submit(engine, comments[0], bo, BAD)
    undo_last(engine, bo)
    assert current_label(engine, comments[0], ana).values == OK


def test_invalid_values_are_refused_and_nothing_is_written(engine, comments):
    ana = ensure_annotator(engine, "ana")
    with pytest.raises(LabelError):
        submit(engine, comments[0], ana, {"toxicity": 9, "dehumanization": "none"})
    with pytest.raises(LabelError, match="required"):
        submit(engine, comments[0], ana, {"dehumanization": "none"})
    with pytest.raises(LabelError, match="span"):
        submit(engine, comments[0], ana, OK, spans=[{"start": 0, "end": 99}])
    assert all_rows(engine) == []


def test_skip_and_flag_need_no_answers(engine, comments):
    ana = ensure_annotator(engine, "ana")
    assert submit(engine, comments[0], ana, {}, status="skipped").status == "skipped"
    assert submit(engine, comments[1], ana, {"flags": ["needs_context"]}, status="flagged").values == {"flags": ["needs_context"]}


def test_undo_after_a_new_answer_forgets_the_undone_branch(engine, comments):
    ana = ensure_annotator(engine, "ana")
    submit(engine, comments[0], ana, OK)
    submit(engine, comments[0], ana, BAD)
    undo_last(engine, ana)  # back to OK
    submit(engine, comments[0], ana, {"toxicity": 2, "dehumanization": "none"})
    assert undo_last(engine, ana)[1].values == OK
    assert undo_last(engine, ana) == (comments[0], None)
    assert undo_last(engine, ana) is None


def test_a_new_answer_beyond_the_overlap_is_refused_but_edits_are_not(engine, comments):
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    submit(engine, comments[0], ana, OK)
    with pytest.raises(LabelError, match="overlap"):
        submit(engine, comments[0], bo, OK)
    submit(engine, comments[0], bo, {}, status="skipped")  # declining takes no slot
    assert submit(engine, comments[0], ana, BAD).values["toxicity"] == 4


def test_an_answer_sent_again_is_stored_once(engine, comments):
    """The outbox resends an answer when it cannot tell whether the first copy arrived: never a second row."""
    ana = ensure_annotator(engine, "ana")
    sent, edit, undo = (str(uuid.uuid4()) for _ in range(3))
    first = submit(engine, comments[0], ana, OK, client_id=sent)
    assert submit(engine, comments[0], ana, OK, client_id=sent).id == first.id
    submit(engine, comments[0], ana, BAD, client_id=edit)
    submit(engine, comments[0], ana, BAD, client_id=edit)
    assert undo_last(engine, ana, client_id=undo)[1].values == OK
    assert undo_last(engine, ana, client_id=undo)[1].values == OK  # the same undo: not a second one
    assert [values for _, values, _ in all_rows(engine)] == [OK, BAD, OK]  # answer, edit, undo
    assert current_label(engine, comments[0], ana).values == OK
