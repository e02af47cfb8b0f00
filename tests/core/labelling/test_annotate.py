"""The annotator's loop without a window: answer, move on, undo, resume after a restart."""

import pytest
from helpers.probes import queue_page

from moderator.core.importing.writer import import_paths
from moderator.core.labelling.browse import progress_counts
from moderator.core.labelling.session import answer_and_advance, load_resume, undo_and_load
from moderator.core.team.accounts import ensure_annotator


@pytest.fixture
def seeded(engine, shared_data):
    import_paths(engine, [shared_data / "threads" / "palmyra-comments.txt"])
    return engine, ensure_annotator(engine, "ana")


def test_answering_moves_to_the_next_unanswered_comment(seeded):
    engine, ana = seeded
    first = load_resume(engine, ana)
    assert first.item.position == 0 and first.label is None
    step = answer_and_advance(engine, ana, first.item.id, {"toxicity": 3}, [])
    assert step.label.values == {"toxicity": 3, "dehumanization": "none"}
    assert step.item.status == "submitted" and step.next.item.position == 1
    skip = answer_and_advance(engine, ana, step.next.item.id, {}, [], status="skipped")
    assert skip.next.item.position == 2
    assert progress_counts(engine, ana) == (2, 26)


def test_resume_returns_after_the_latest_answer_and_undo_brings_back_values(seeded):
    engine, ana = seeded
    state = load_resume(engine, ana)
    for toxicity in (3, 1, 4):
        state = answer_and_advance(engine, ana, state.item.id, {"toxicity": toxicity}, []).next
    assert load_resume(engine, ana).item.position == 3  # as after closing and reopening the app
    back = undo_and_load(engine, ana)
    assert back.item.position == 2 and back.label is None and back.item.status is None
    answer_and_advance(engine, ana, back.item.id, {"toxicity": 2}, [])
    answer_and_advance(engine, ana, back.item.id, {"toxicity": 4}, [])  # an edit
    again = undo_and_load(engine, ana)
    assert again.label.values["toxicity"] == 2
    assert [i.position for i in queue_page(engine, ana, "mine")] == [0, 1, 2]


def test_queue_filters_follow_the_annotators_own_answers(seeded):
    engine, ana = seeded
    bo = ensure_annotator(engine, "bo")
    state = load_resume(engine, ana)
    answer_and_advance(engine, ana, state.item.id, {}, [], status="flagged")
    assert [i.position for i in queue_page(engine, ana, "flagged")] == [0]
    assert queue_page(engine, bo, "flagged") == [] and len(queue_page(engine, bo, "unlabelled")) == 26
    assert len(queue_page(engine, ana, "unlabelled")) == 25
    assert {i.author for i in queue_page(engine, ana, "all", search="BRAD")} == {"Brad Isherwood"}
