"""The window a user opens: the demo thread, plain-text display, lazy queue, keyboard navigation."""

import json

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

from moderator.core.demo import load_demo
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.background.workers import DbWorker
from moderator.gui.labelling.queue_model import PAGE, QueueModel
from moderator.gui.main_window import MainWindow


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "gui.sqlite")
    yield engine
    engine.dispose()


def open_window(qtbot, engine, annotator="tester"):
    _, schema = active_schema(engine)
    window = MainWindow(
        Project(engine), "gui.sqlite", Account(ensure_annotator(engine, annotator), annotator, "annotator"), schema
    )
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def test_the_demo_opens_on_its_first_comment(qtbot, engine):
    load_demo(engine)
    window = open_window(qtbot, engine)
    assert window.windowTitle() == "Moderator — gui.sqlite"
    assert window.queue_model.rowCount() > 5
    assert window.comment_view.title.text().startswith("Harrowmere")
    assert window.comment_view.text.toPlainText().startswith("I wonder")
    assert window.queue.currentIndex().row() == 0
    assert window.status.annotator_label.text() == "Annotator: tester"
    assert window.status.progress_label.text().startswith("0 / 12 answered")


def test_comment_text_is_shown_literally_never_as_html(qtbot, engine, tmp_path):
    hostile = "<img src=x><b>bold</b> &amp; <a href='http://x'>link</a>"
    path = tmp_path / "h.jsonl"
    path.write_text(
        json.dumps({"thread_id": "t", "thread_title": "<i>title</i>", "id": "1", "text": hostile, "author": "<u>me</u>"})
    )
    import_paths(engine, [path])
    window = open_window(qtbot, engine)
    view = window.comment_view
    assert view.text.toPlainText() == hostile
    assert view.caption.text() == "Comment #1 by <u>me</u>"
    assert view.title.text() == "<i>title</i>" and view.title.textFormat() == Qt.TextFormat.PlainText
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in view.findChildren(QLabel))
    assert all(isinstance(box, QPlainTextEdit) for box in (view.text, view.article, view.parents, view.siblings))
    assert "<u>me</u>" in window.queue_model.data(window.queue_model.index(0))


def test_arrow_and_vim_keys_move_through_the_queue(qtbot, engine):
    load_demo(engine)
    window = open_window(qtbot, engine)
    first = window.comment_view.text.toPlainText()
    qtbot.keyClick(window, Qt.Key.Key_J)
    qtbot.waitUntil(lambda: window.queue.currentIndex().row() == 1 and not window.busy)
    assert window.comment_view.text.toPlainText() != first
    qtbot.keyClick(window, Qt.Key.Key_Right)
    qtbot.keyClick(window, Qt.Key.Key_K)
    qtbot.waitUntil(lambda: not window.busy)
    assert window.queue.currentIndex().row() == 1


def test_every_action_is_named_after_its_id(qtbot, engine):
    window = open_window(qtbot, engine)
    for spec in window.action_table:
        assert window.actions_by_id[spec.id].objectName() == spec.id
    assert window.actions_by_id["label.toxicity.3"].shortcut().toString() == "3"


def test_the_queue_model_pages_lazily_and_passes_the_model_tester(qtbot, qtmodeltester, engine, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"thread_id": "t", "id": str(i), "text": f"c{i}"}) + "\n" for i in range(PAGE + 50)))
    import_paths(engine, [path])
    project, worker, asked = Project(engine), DbWorker(), []
    real = project.queue_keys
    project.queue_keys = lambda *args: asked.append(args[3]) or real(*args)
    model = QueueModel(project, worker, ensure_annotator(engine, "m"), "all")
    assert model.rowCount() == 0 and model.canFetchMore()
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore()
        assert not model.canFetchMore() and model.busy  # the page is on its way, on the worker
        model.fetchMore()  # as a view may ask again meanwhile: not asked for twice
    qtbot.waitUntil(lambda: not model.busy)
    assert model.rowCount() == PAGE and model.canFetchMore()
    assert model.data(model.index(PAGE - 1)).startswith("· anonymous: c199")  # its display data came with it
    with qtbot.waitSignal(model.rowsInserted):
        model.fetchMore()
    qtbot.waitUntil(lambda: not model.busy)
    assert model.rowCount() == PAGE + 50 and not model.canFetchMore()
    assert len(asked) == 2 and asked[0] is None  # one query per page
    qtmodeltester.check(model)
    qtbot.waitUntil(lambda: not model.busy)
    worker.shutdown()


def test_screenshot_command_writes_a_png(tmp_path, monkeypatch, qapp):
    from moderator.cli.main import main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    shot = tmp_path / "shot.png"
    assert main(["--demo", "--screenshot", str(shot)]) == 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_text_grows_and_shrinks_with_ctrl_plus_and_minus(qtbot, engine):
    load_demo(engine)
    window = open_window(qtbot, engine)
    before = window.comment_view.text.font().pointSizeF()
    title = window.comment_view.title.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.comment_view.text.font().pointSizeF() == before + 2
    assert window.comment_view.title.font().pointSizeF() > title
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.comment_view.text.font().pointSizeF() == before + 1


def test_long_comments_wrap_instead_of_running_off_screen(qtbot, engine, tmp_path):
    path = tmp_path / "long.jsonl"
    path.write_text(json.dumps({"thread_id": "t", "id": "1", "text": "word " * 3000}))
    import_paths(engine, [path])
    window = open_window(qtbot, engine)
    box = window.comment_view.text
    assert box.lineWrapMode() == QPlainTextEdit.LineWrapMode.WidgetWidth
    assert box.document().lineCount() > 1 or box.verticalScrollBar().maximum() > 0


def test_a_comment_the_source_marked_says_so_above_its_text(qtbot, engine, tmp_path):
    path = tmp_path / "dump.ndjson"
    lines = [
        {"id": "s1", "name": "t3_s1", "title": "A post", "selftext": "", "author": "op", "created_utc": 1559340000},
        {
            "id": "c1",
            "link_id": "t3_s1",
            "parent_id": "t3_s1",
            "body": "[removed]",
            "author": "[deleted]",
            "created_utc": 1559340100,
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    import_paths(engine, [path])
    window = open_window(qtbot, engine)
    assert window.comment_view.text.toPlainText() == "[removed]"
    assert window.comment_view.caption.text().endswith("· marked removed by the source")


def test_next_past_the_rows_loaded_waits_for_the_page_and_keys_typed_meanwhile_follow(qtbot, engine, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"thread_id": "t", "id": str(i), "text": f"c{i}"}) + "\n" for i in range(PAGE + 50)))
    import_paths(engine, [path])
    window = open_window(qtbot, engine)
    window.queue.hide()  # a view asks for a page when its last row shows or its scroll bar reaches the end:
    window.queue.verticalScrollBar().blockSignals(True)  # here neither, so that only the keys page the list
    model = window.queue_model
    window.labelling.open(model.comment_id(PAGE - 1))
    qtbot.waitUntil(lambda: not window.busy and window.queue.currentIndex().row() == PAGE - 1)
    assert model.rowCount() == PAGE and model.canFetchMore()
    qtbot.keyClick(window, Qt.Key.Key_J)  # past the last row loaded: the next page is asked for first
    assert window.busy and model.rowCount() == PAGE
    qtbot.keyClick(window, Qt.Key.Key_J)  # typed while the page is on its way: it waits, then follows
    qtbot.waitUntil(lambda: not window.busy and window.queue.currentIndex().row() == PAGE + 1)
    assert window.labelling.state.item.id == model.comment_id(PAGE + 1) and model.rowCount() == PAGE + 50
