"""The window records how each label was made: context on screen, siblings, the hint, the first key, the arm."""

from helpers.windows import open_window, type_keys
from PySide6.QtCore import Qt
from sqlalchemy import select

from moderator.core.assist import scores as assist_store
from moderator.core.project import Project
from moderator.core.store.settings import Experiment
from moderator.core.store.tables import Annotation, Comment

K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def stored_facts(demo_engine):
    with demo_engine.connect() as conn:
        rows = conn.execute(
            select(Comment.position, Annotation.provenance)
            .join(Comment, Comment.id == Annotation.comment_id)
            .order_by(Annotation.id)
        ).all()
    return {position: facts for position, facts in rows}


def test_each_answer_carries_what_was_on_screen_and_when_the_first_key_came(qtbot, demo_engine):
    with demo_engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    assist_store.write_scores(demo_engine, {ids[0]: 0.82}, version=1)
    assist_store.configure_hint(demo_engine, "always")
    window = open_window(qtbot, demo_engine)
    qtbot.waitUntil(lambda: window.label_panel.model_hint.isVisible())
    type_keys(qtbot, window, [(CTRL, K.Key_B), K.Key_2, K.Key_Return])
    facts = stored_facts(demo_engine)[0]
    assert facts["article_shown"] is True and facts["parent_shown"] is False and facts["siblings_opened"] is True
    assert facts["hint_shown"] is True and facts["hint_score"] == 0.82 and facts["condition"] is None
    assert isinstance(facts["first_key_ms"], int) and facts["first_key_ms"] >= 0
    type_keys(qtbot, window, [K.Key_S])  # a skip says how it was made too
    assert stored_facts(demo_engine)[1]["hint_shown"] is False and stored_facts(demo_engine)[1]["first_key_ms"] is None


def test_an_experiment_hiding_the_context_hides_it_and_stores_the_arm(qtbot, demo_engine):
    first = _ids(demo_engine)[0]
    project = Project(demo_engine)
    seed = next(s for s in range(100) if project.condition(Experiment("context", "comment", s), 0, first)["arm"] == "hidden")
    Project(demo_engine).experiment(change=True, value=Experiment("context", "comment", seed))
    window = open_window(qtbot, demo_engine)
    assert not window.comment_view.article.isVisible()  # the first comment's arm: no article
    type_keys(qtbot, window, [K.Key_1, K.Key_Return])
    facts = stored_facts(demo_engine)[0]
    assert facts["condition"] == {"factor": "context", "arm": "hidden", "unit": "comment", "seed": seed}
    assert facts["article_shown"] is False


def _ids(demo_engine):
    with demo_engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.position)).all()
