"""The assist model in the window: a hint beside the questions, the queue orders, background retraining."""

import pytest
from helpers.databases import sqlite_database
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from moderator.core.assist import scores as assist_store
from moderator.core.demo import load_demo
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import active_schema, submit
from moderator.core.project import Project
from moderator.core.store.tables import Comment, ModelScore
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.background.assist_trainer import AssistTrainer
from moderator.gui.main_window import MainWindow


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "assist.sqlite")
    load_demo(engine)
    yield engine
    engine.dispose()


def comment_ids(engine):
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.thread_id, Comment.position)).all()


def open_window(qtbot, engine, role="admin"):
    _, schema = active_schema(engine)
    window = MainWindow(Project(engine), "assist.sqlite", Account(ensure_annotator(engine, "ana"), "ana", role), schema)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def test_the_hint_shows_the_score_and_never_answers_for_the_annotator(qtbot, engine):
    ids = comment_ids(engine)
    assist_store.write_scores(engine, {ids[0]: 0.82, ids[1]: 0.1}, version=1)
    assist_store.configure_hint(engine, "always")  # the project says so: before the annotator's answer too
    window = open_window(qtbot, engine)
    hint = window.label_panel.model_hint
    qtbot.waitUntil(lambda: hint.isVisible())
    assert hint.text() == "model: likely toxic, 0.82"
    assert window.label_panel.values() == {}  # nothing chosen: toxicity still waits for the annotator
    assert window.label_panel.missing_required() == ["toxicity"]
    window.labelling.open(ids[2])  # no score: no hint
    qtbot.waitUntil(lambda: window.labelling.state.item.id == ids[2] and not window.busy)
    assert not hint.isVisible()
    window.labelling.open(ids[1])
    qtbot.waitUntil(lambda: hint.isVisible())
    assert hint.text() == "model: likely not toxic, 0.10"


def test_after_answer_the_hint_waits_for_the_annotators_own_answer(qtbot, engine):
    ids = comment_ids(engine)
    assist_store.write_scores(engine, {ids[0]: 0.82}, version=1)
    configure(engine, overlap=2)
    assist_store.configure_hint(engine, "after-answer")
    window = open_window(qtbot, engine)
    hint = window.label_panel.model_hint
    qtbot.waitUntil(lambda: window.labelling.state is not None and window.labelling.state.item.id == ids[0])
    flushed = []  # the hint's read is queued on the one worker before this: once it has run, so has that
    window.labelling.worker.submit(lambda: None, on_done=flushed.append)
    qtbot.waitUntil(lambda: bool(flushed))
    assert not hint.isVisible()  # not before ana has answered
    submit(engine, ids[0], window.account.id, {"toxicity": 2, "dehumanization": "none"})
    window.labelling.open(ids[0])
    qtbot.waitUntil(lambda: hint.isVisible())
    assert hint.text() == "model: likely toxic, 0.82"


def test_the_view_menu_sets_the_queue_order_and_the_next_comment_follows_it(qtbot, engine):
    ids = comment_ids(engine)
    assist_store.write_scores(engine, {i: 0.1 for i in ids} | {ids[7]: 0.95, ids[4]: 0.9}, version=1)
    window = open_window(qtbot, engine)
    assert window.actions_by_id["view.order.thread"].isChecked()
    window.actions_by_id["view.order.toxic-first"].trigger()
    qtbot.waitUntil(lambda: not window.busy)
    window.labelling.choose("toxicity", 1)
    window.labelling.submit()  # the first comment was on screen already; from here on, by score
    qtbot.waitUntil(lambda: window.labelling.state.item.id == ids[7] and not window.busy)
    window.labelling.choose("toxicity", 4)
    window.labelling.submit()
    qtbot.waitUntil(lambda: window.labelling.state.item.id == ids[4] and not window.busy)


def test_annotators_cannot_change_the_queue_order(qtbot, engine):
    configure(engine, ordering="uncertain")
    window = open_window(qtbot, engine, role="annotator")
    qtbot.waitUntil(lambda: window.actions_by_id["view.order.uncertain"].isChecked())
    assert not window.actions_by_id["view.order.thread"].isEnabled()


@pytest.mark.slow
def test_the_trainer_retrains_in_the_background_once_both_classes_are_labelled(qtbot, engine):
    ids = comment_ids(engine)
    ana = ensure_annotator(engine, "ana")
    trainer = AssistTrainer(Project(engine), every=2)
    trainer.start(delay_ms=0)  # no labels yet: nothing to learn, nothing stored
    qtbot.waitUntil(lambda: not trainer.running)
    assert assist_store.model_info(engine) is None
    submit(engine, ids[0], ana, {"toxicity": 1})
    trainer.note_label()
    submit(engine, ids[1], ana, {"toxicity": 4, "dehumanization": "explicit"})
    with qtbot.waitSignal(trainer.trained, timeout=30000) as trained:
        trainer.note_label()
    assert trained.args[0].positives == 1 and trained.args[0].version == 1
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(ModelScore)) == len(ids) - 2  # the open comments
    trainer.shutdown()


@pytest.mark.parametrize(("role", "changed"), [("admin", "always"), ("annotator", None)])
def test_preferences_set_when_the_hint_shows_and_only_leads_may(qtbot, engine, monkeypatch, role, changed):
    from moderator.gui.dialogs.hint_page import HintPage
    from moderator.gui.dialogs.preferences import PreferencesDialog

    window = open_window(qtbot, engine, role=role)
    seen = []

    def choose_always(dialog):
        page = dialog.findChild(HintPage)
        seen.append((page.buttons["after-answer"].isChecked(), page.buttons["always"].isEnabled()))
        page.buttons["always"].click()
        return 1

    monkeypatch.setattr(PreferencesDialog, "exec", choose_always)
    window.actions_by_id["app.preferences"].trigger()
    qtbot.waitUntil(lambda: bool(seen) and not window.busy)
    flushed = []
    window.worker.submit(lambda: None, on_done=flushed.append)
    qtbot.waitUntil(lambda: bool(flushed))
    assert seen == [(True, role == "admin")]  # unset with k = 1: after the annotator's own answer
    assert assist_store.configure_hint(engine) == (changed or "after-answer")
