"""Every label says how it was made: what was on screen, and the experiment's arm it was made under."""

import json
from collections import Counter

import pytest
from sqlalchemy import select

from moderator.core.demo import load_demo
from moderator.core.labelling.conditions import arm, condition
from moderator.core.labelling.log import submit, undo_last
from moderator.core.labelling.provenance import clean_provenance
from moderator.core.outbox.box import Outbox
from moderator.core.outbox.send import send_waiting
from moderator.core.project import Project
from moderator.core.schema.definition import LabelError
from moderator.core.store.settings import Experiment
from moderator.core.store.tables import Annotation, Comment
from moderator.core.team.accounts import ensure_annotator

FACTS = {"article_shown": True, "parent_shown": False, "named_parent_shown": True, "siblings_opened": False,
         "blurred": True, "revealed": True, "hint_shown": True, "hint_score": 0.82, "first_key_ms": 1450,
         "condition": {"factor": "hint", "arm": "shown", "unit": "person", "seed": 7}}  # fmt: skip


@pytest.fixture
def demo(engine):
    load_demo(engine)
    with engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    return engine, ids, ensure_annotator(engine, "ana")


def provenance_of(engine, row_id):
    with engine.connect() as conn:
        return conn.scalar(select(Annotation.provenance).where(Annotation.id == row_id))


def test_the_facts_are_stored_with_the_label_and_an_undo_restores_the_earlier_ones(demo):
    engine, ids, ana = demo
    first = submit(engine, ids[0], ana, {"toxicity": 2}, provenance=FACTS)
    assert provenance_of(engine, first.id) == FACTS
    edited = submit(engine, ids[0], ana, {"toxicity": 3}, provenance=FACTS | {"hint_shown": False, "hint_score": None})
    assert provenance_of(engine, edited.id)["hint_shown"] is False
    _, restored = undo_last(engine, ana)
    assert restored.values["toxicity"] == 2 and provenance_of(engine, restored.id) == FACTS
    plain = submit(engine, ids[1], ana, {"toxicity": 1})
    assert provenance_of(engine, plain.id) is None  # an answer made without the app's facts says none


@pytest.mark.parametrize(
    ("facts", "reason"),
    [({"seen_by_cat": True}, "not a fact"), ({"blurred": "yes"}, "wrong type"), ({"first_key_ms": -5}, "negative"),
     ({"hint_score": True}, "wrong type"), ({"condition": {"arm": ["a"]}}, "condition")],
)  # fmt: skip
def test_facts_of_the_wrong_shape_are_refused_and_nothing_is_stored(demo, facts, reason):
    engine, ids, ana = demo
    with pytest.raises(LabelError, match=reason):
        submit(engine, ids[0], ana, {"toxicity": 2}, provenance=facts)
    with engine.connect() as conn:
        assert conn.scalar(select(Annotation.id)) is None
    assert clean_provenance(None) is None


def test_an_answer_sent_from_the_outbox_keeps_its_facts(demo, tmp_path):
    engine, ids, ana = demo
    box = Outbox(tmp_path / "outbox.sqlite")
    box.add("answer", {"annotator_id": ana, "comment_id": ids[0], "values": {"toxicity": 4}, "spans": [],
                       "status": "submitted", "provenance": json.loads(json.dumps(FACTS))})  # fmt: skip
    assert send_waiting(engine, box).sent == 1
    with engine.connect() as conn:
        assert conn.scalar(select(Annotation.provenance)) == FACTS


def test_the_arm_is_a_stable_hash_per_unit_split_about_evenly():
    per_person = Experiment("hint", "person", seed=7)
    assert {arm(per_person, 3, c) for c in range(50)} == {arm(per_person, 3, 0)}  # one person, one arm
    per_comment = Experiment("context", "comment", seed=7)
    assert {arm(per_comment, a, 11) for a in range(50)} == {arm(per_comment, 0, 11)}
    split = Counter(arm(per_comment, 1, c) for c in range(2000))
    assert 900 < split["shown"] < 1100
    other_seed = Experiment("context", "comment", seed=8)
    assert [arm(other_seed, 1, c) for c in range(40)] != [arm(per_comment, 1, c) for c in range(40)]
    assert condition(per_person, 3, 0) == {"factor": "hint", "arm": arm(per_person, 3, 0), "unit": "person", "seed": 7}
    assert condition(None, 3, 0) is None


def test_the_experiment_is_a_project_setting_that_can_be_ended(demo):
    engine, _, _ = demo
    project = Project(engine)
    assert project.experiment() is None
    chosen = Experiment("context", "comment", 3)
    assert project.experiment(change=True, value=chosen) == chosen and project.experiment() == chosen
    with pytest.raises(ValueError, match="varies one of"):
        project.experiment(change=True, value=Experiment("colour", "person", 1))
    assert project.experiment() == chosen  # a refused change changes nothing
    assert project.experiment(change=True, value=None) is None and project.experiment() is None
