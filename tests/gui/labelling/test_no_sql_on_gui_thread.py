"""The GUI thread runs no SQL: a whole session in the window, with every statement on the worker.

The autouse fixture ``no_sql_on_gui_thread`` (conftest) fails any GUI test that runs a statement on
the GUI thread from GUI code; here a session touches every path that reads or writes the database,
and a test shows that the checker does catch a database job run on the GUI thread.
"""

import ast
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

import moderator.gui
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import active_schema, submit
from moderator.core.project import Project
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.labelling.queue_model import PAGE
from moderator.gui.main_window import MainWindow

THREADS, PER_THREAD = 3, 150  # more comments than a page: the queue pages as it scrolls
K = Qt.Key
CTRL = Qt.KeyboardModifier.ControlModifier


def seed(engine) -> list[int]:
    """Threads of top-level comments with replies, and two annotators who disagree on the first few."""
    drafts = [
        ThreadDraft(
            source="test", title=f"Thread {t}",
            comments=[CommentDraft(f"comment {t}.{i}", author=f"user{i % 7}", parent_index=None if i % 3 == 0 else i - i % 3)
                      for i in range(PER_THREAD)],
        )
        for t in range(THREADS)
    ]  # fmt: skip
    import_drafts(engine, drafts, name="seed", fmt="test")
    configure(engine, overlap=3)
    with engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.thread_id, Comment.position)).all()
    for name, value in (("bo", 1), ("cy", 4)):
        annotator = ensure_annotator(engine, name)
        for comment_id in ids[:3]:
            submit(engine, comment_id, annotator, {"toxicity": value})
    return ids


def open_window(qtbot, engine) -> MainWindow:
    account = Account(ensure_annotator(engine, "lead", "admin"), "lead", "admin")  # sees review and agreement
    window = MainWindow(Project(engine), "project", account, active_schema(engine)[1])
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy and window.labelling.state is not None)
    return window


def settle(qtbot, window) -> None:
    qtbot.waitUntil(lambda: not window.busy and not window.worker.busy)


def test_a_whole_session_runs_every_statement_off_the_gui_thread(qtbot, any_engine, no_sql_on_gui_thread):
    ids = seed(any_engine)
    window = open_window(qtbot, any_engine)
    queue, model = window.queue, window.queue_model
    assert model.rowCount() >= 1 and window.labelling.state.item.id == ids[0]

    # Scroll to the end of the list: the view asks for more pages, the worker reads them.
    for _ in range(4):
        queue.scrollToBottom()
        settle(qtbot, window)
    assert model.rowCount() == THREADS * PER_THREAD and not model.canFetchMore()
    assert all(model.item(row) is not None for row in range(model.rowCount() - 20, model.rowCount()))  # drawn

    # Select a row with the mouse's way in: the comment opens; its siblings show.
    row = PAGE + 4
    queue.selectionModel().setCurrentIndex(model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state.item.id == model.comment_id(row))
    window.toggle_siblings()
    qtbot.waitUntil(lambda: window.comment_view.siblings.isVisible())

    # Label, skip and undo from the keyboard; move on with J and back with K.
    for keys in ([K.Key_3, K.Key_Return], [K.Key_S], [(CTRL, K.Key_Z)], [K.Key_J], [K.Key_K]):
        for key in keys:
            qtbot.keyClick(window, key[1], key[0]) if isinstance(key, tuple) else qtbot.keyClick(window, key)
        settle(qtbot, window)
    assert window.labelling.state.item.id == model.comment_id(row + 1)  # undone back to it, then J and K
    assert model.data(model.index(row)).startswith("✓")

    # Another filter and a search: the list reloads on the worker and finds the comment on screen.
    window.filter_box.setCurrentIndex(window.filter_box.findText("Mine"))
    settle(qtbot, window)
    assert model.rowCount() == 1 and queue.currentIndex().row() == -1
    window.filter_box.setCurrentIndex(window.filter_box.findText("All"))
    window.search_box.setText("comment 2.")
    qtbot.waitUntil(lambda: model.rowCount() == PER_THREAD and not window.busy)

    # A comment far down (not loaded yet) is selected once the worker has paged to it.
    window.search_box.setText("")
    qtbot.waitUntil(lambda: model.rowCount() >= PAGE and not window.busy)
    assert model.rowCount() < THREADS * PER_THREAD
    window.labelling.open(ids[-1])
    qtbot.waitUntil(lambda: not window.busy and queue.currentIndex().row() == THREADS * PER_THREAD - 1)

    # Review, agreement and the queue order: reviewers' windows, on the same worker.
    window.open_review()
    qtbot.waitUntil(lambda: window.review.item is not None and not window.review.busy)
    window.review.step(1)
    qtbot.waitUntil(lambda: window.review.item.comment_id == ids[1] and not window.review.busy)
    window.show_agreement()
    qtbot.waitUntil(lambda: getattr(window, "agreement_dialog", None) is not None)
    window.set_ordering("random")
    qtbot.waitUntil(lambda: window.status.currentMessage().startswith("Queue order: Random"))

    window.close()
    assert no_sql_on_gui_thread.violations == []
    assert no_sql_on_gui_thread.elsewhere > 50  # the database was busy all along, on the worker


def test_the_checker_names_a_database_job_run_on_the_gui_thread(qtbot, any_engine, no_sql_on_gui_thread, monkeypatch):
    ids = seed(any_engine)
    window = open_window(qtbot, any_engine)
    assert no_sql_on_gui_thread.violations == []

    def run_here(fn, *args, on_done=None, on_error=None):  # the worker's jobs, run on the calling thread
        result = fn(*args)
        if on_done is not None:
            on_done(result)

    with monkeypatch.context() as patch:
        patch.setattr(window.worker, "submit", run_here)
        window.labelling.open(ids[5])
    assert window.labelling.state.item.id == ids[5]
    found = no_sql_on_gui_thread.violations
    assert found and all(v.statement.strip().split()[0].upper() in ("SELECT", "BEGIN", "INSERT", "UPDATE", "DELETE", "SET")
                         for v in found)  # fmt: skip
    # The GUI code that ran it: the controller, or on a server its outbox flow.
    assert all(
        v.frame.startswith(("moderator/gui/labelling/controller.py:", "moderator/gui/labelling/outbox_flow.py:")) for v in found
    )
    assert any("FROM comments" in v.statement for v in found)  # the statement, as the failure names it
    found.clear()  # caught as it should be: not a failure of this test


def test_gui_sources_use_no_sqlalchemy_but_the_engine_type():
    """The GUI reaches the database through the Project only (an Engine is taken and wrapped at the door)."""
    gui = Path(moderator.gui.__file__).resolve().parent
    found = []
    for path in gui.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
                found += [f"{path.relative_to(gui)}: {a.name}" for a in node.names if a.name not in ("Engine", "URL")]
            elif isinstance(node, ast.Import):
                found += [f"{path.relative_to(gui)}: {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
    assert found == []
