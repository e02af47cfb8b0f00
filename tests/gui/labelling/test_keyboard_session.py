"""A whole labelling session from the keyboard, as an annotator works: nothing is lost, all resumes."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from moderator.core.importing.writer import import_paths
from moderator.core.labelling.log import active_schema, current_rows_clause
from moderator.core.project import Project
from moderator.core.store.engine import open_database
from moderator.core.store.tables import Annotation, Comment
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.main_window import MainWindow


@pytest.fixture
def db_path(tmp_path, shared_data):
    path = str(tmp_path / "session.sqlite")
    engine = open_database(path)
    import_paths(engine, [shared_data / "threads" / "palmyra-comments.txt"])
    engine.dispose()
    return path


def open_window(qtbot, path, annotator="ana"):
    engine = open_database(path)
    _, schema = active_schema(engine)
    window = MainWindow(
        Project(engine), "session.sqlite", Account(ensure_annotator(engine, annotator), annotator, "annotator"), schema
    )
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def type_keys(qtbot, window, keys):
    """Type as fast as a person's fingers can: no waiting between keys."""
    for key in keys:
        if isinstance(key, tuple):
            qtbot.keyClick(window, key[1], key[0])
        else:
            qtbot.keyClick(window, key)
    qtbot.waitUntil(lambda: not window.busy)


def answers(path):
    engine = open_database(path)
    with engine.connect() as conn:
        rows = conn.execute(
            select(Comment.position, Annotation.status, Annotation.values, Annotation.spans)
            .join(Comment, Comment.id == Annotation.comment_id)
            .where(current_rows_clause())
            .order_by(Comment.position)
        ).all()
    engine.dispose()
    return {r.position: (r.status, r.values, r.spans) for r in rows}


K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def test_label_undo_quit_and_reopen_where_we_left_off(qtbot, db_path):
    window = open_window(qtbot, db_path)
    type_keys(qtbot, window, [K.Key_3, K.Key_Return, K.Key_1, K.Key_Return, K.Key_4, K.Key_Return,
                              K.Key_2, K.Key_Return, K.Key_1, K.Key_Return, (CTRL, K.Key_Z)])  # fmt: skip
    # The undone fifth comment is back on screen with nothing chosen.
    assert window.labelling.state.item.position == 4 and window.label_panel.values() == {}
    type_keys(qtbot, window, [(CTRL, K.Key_Q)])
    qtbot.waitUntil(lambda: not window.isVisible())
    stored = answers(db_path)
    assert {p: (s, v["toxicity"]) for p, (s, v, _) in stored.items()} == {
        0: ("submitted", 3), 1: ("submitted", 1), 2: ("submitted", 4), 3: ("submitted", 2)}  # fmt: skip

    again = open_window(qtbot, db_path)
    assert again.labelling.state.item.position == 4  # where the annotator left off
    assert again.status.progress_label.text().startswith("4 / 26 answered")


def test_enter_refuses_visibly_until_toxicity_is_answered(qtbot, db_path):
    window = open_window(qtbot, db_path)
    type_keys(qtbot, window, [K.Key_Return])
    assert window.labelling.state.item.position == 0
    assert "answer Toxicity first" in window.status.currentMessage()
    assert window.label_panel.findChild(object, "question_toxicity").property("missing") is True
    type_keys(qtbot, window, [K.Key_2, K.Key_Return])
    assert window.labelling.state.item.position == 1 and answers(db_path)[0][1]["toxicity"] == 2


def test_skip_flag_categories_rationale_and_editing_an_earlier_answer(qtbot, db_path):
    window = open_window(qtbot, db_path)
    type_keys(qtbot, window, [K.Key_S])  # skip the first
    type_keys(qtbot, window, [K.Key_C, K.Key_F])  # flag the second as needing context
    assert window.labelling.state.item.position == 2
    # Select the first word of the third comment and mark it as the rationale.
    cursor = window.comment_view.text.textCursor()
    cursor.setPosition(0)
    cursor.setPosition(8, cursor.MoveMode.KeepAnchor)
    window.comment_view.text.setTextCursor(cursor)
    type_keys(qtbot, window, [K.Key_4, K.Key_E, K.Key_I, K.Key_T, K.Key_I, K.Key_R, K.Key_Return])
    stored = answers(db_path)
    assert stored[0][0] == "skipped" and stored[1] == ("flagged", {"flags": ["needs_context"]}, [])
    status, values, spans = stored[2]
    assert values == {"toxicity": 4, "dehumanization": "explicit", "categories": ["threat"]}  # I twice: off again
    assert spans == [{"start": 0, "end": 8, "question": "rationale"}]
    # Back to the third comment with K: its answer is shown and can be changed.
    type_keys(qtbot, window, [K.Key_K])
    assert window.labelling.state.item.position == 2 and window.label_panel.values()["toxicity"] == 4
    type_keys(qtbot, window, [K.Key_3, K.Key_Return])
    assert answers(db_path)[2][1]["toxicity"] == 3
    assert window.queue_model.data(window.queue_model.index(2)).startswith("✓")


def test_closing_with_keys_still_in_flight_loses_no_submission(qtbot, db_path):
    window = open_window(qtbot, db_path)
    for key in (K.Key_1, K.Key_Return, K.Key_2, K.Key_Return):
        qtbot.keyClick(window, key)
    window.close()  # at once, without waiting for the worker
    stored = answers(db_path)
    assert stored[0][1]["toxicity"] == 1 and stored[1][1]["toxicity"] == 2
