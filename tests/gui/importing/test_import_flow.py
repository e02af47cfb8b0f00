"""Importing from the GUI: preview then write for pastes, straight in for JSONL, errors and cancels."""

import json

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMessageBox, QPushButton, QWidget
from sqlalchemy import select

from moderator.core.labelling.stats import database_stats
from moderator.core.project import Project
from moderator.core.store.tables import Comment, QuoteSpan
from moderator.gui.background.workers import DbWorker
from moderator.gui.importing import flow as import_flow
from moderator.gui.importing.flow import CANCELLED, EMPTY_CLIPBOARD, ImportController


@pytest.fixture
def seed(shared_data):
    return shared_data / "threads" / "palmyra-comments.txt"


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "x.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture
def controller(qtbot, engine):
    window = QWidget()
    qtbot.addWidget(window)
    worker = DbWorker()
    yield ImportController(window, Project(engine), worker)
    worker.shutdown()
    for box in window.findChildren(QDialog):  # message boxes are windows of their own
        box.close()


@pytest.fixture
def jsonl(tmp_path):
    path = tmp_path / "two.jsonl"
    rows = [{"thread_id": "t", "id": "1", "text": "first"}, {"thread_id": "t", "id": "2", "parent_id": "1", "text": "reply"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def counts(engine):
    stats = database_stats(engine)
    return stats["threads"], stats["comments"], stats["import_batches"]


def comments(engine):
    with engine.connect() as conn:
        return conn.execute(select(Comment).order_by(Comment.position)).all()


def drag_events(mime):
    where, copy, button, none = QPoint(5, 5), Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    return QDragEnterEvent(where, copy, mime, button, none), QDropEvent(QPointF(where), copy, mime, button, none)


def open_preview(qtbot, controller):
    qtbot.waitUntil(lambda: controller.preview is not None)
    return controller.preview


def test_a_paste_file_is_previewed_and_imports_exactly_what_the_preview_showed(qtbot, controller, engine, seed):
    controller.import_files([str(seed)])
    preview = open_preview(qtbot, controller)
    assert preview.windowTitle() == f"Import preview — {seed}"
    assert counts(engine) == (0, 0, 0)  # nothing is written while the user looks
    preview.select_row(next(i for i, b in enumerate(preview.layout_result().blocks) if b.text == "Takumi Fujiwara"))
    preview.clear_author()
    preview.quotes.setCurrentRow(0)
    preview.remove_quote()
    draft = preview.draft()
    with qtbot.waitSignal(controller.imported) as imported:
        preview.accept()
    [summary] = imported.args[0]
    assert (summary.format, summary.comments_added, summary.threads_added) == ("paste", 26, 1)
    assert counts(engine) == (1, 26, 1)
    rows = comments(engine)
    assert [(r.author, r.text) for r in rows] == [(c.author, c.text) for c in draft.comments]
    assert rows[1].author is None and rows[1].text.startswith("Takumi Fujiwara\n\n")
    assert rows[18].parent_id is None  # the removed quote link made no reply
    with engine.connect() as conn:
        assert conn.scalar(select(QuoteSpan.comment_id).where(QuoteSpan.comment_id == rows[18].id)) is None
    assert "Imported 26 comments" in controller.last_message
    assert not controller.busy


def test_cancelling_the_preview_imports_nothing(qtbot, controller, engine, seed):
    controller.import_files([str(seed)])
    open_preview(qtbot, controller).reject()
    qtbot.waitUntil(lambda: not controller.busy)
    assert controller.preview is None
    assert counts(engine) == (0, 0, 0)


def test_a_paste_imported_before_is_not_previewed_again(qtbot, controller, seed):
    controller.import_files([str(seed)])
    with qtbot.waitSignal(controller.imported):
        open_preview(qtbot, controller).accept()
    with qtbot.waitSignal(controller.imported) as imported:
        controller.import_files([str(seed)])
    assert controller.preview is None
    assert imported.args[0][0].already_imported


def test_jsonl_imports_without_a_preview(qtbot, controller, engine, jsonl):
    with qtbot.waitSignal(controller.imported) as imported:
        controller.import_files([str(jsonl)])
    assert controller.preview is None
    assert imported.args[0][0].comments_added == 2
    assert counts(engine) == (1, 2, 1)
    assert comments(engine)[1].parent_id == comments(engine)[0].id
    assert controller.message_box.icon() == QMessageBox.Icon.Information
    assert not controller.message_box.isModal()  # a success message never blocks the window


def test_a_broken_file_shows_path_and_line_and_changes_nothing(qtbot, controller, engine, jsonl, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_text(jsonl.read_text() + '{"thread_id": "t", "id": "3", "text": "cut off')
    with qtbot.waitSignal(controller.failed) as failed:
        controller.import_files([str(jsonl), str(broken)])  # one transaction: the good file is not kept
    message = failed.args[0]
    assert message.startswith(f"{broken}:3: ") and "Traceback" not in message
    assert controller.message_box.icon() == QMessageBox.Icon.Warning
    assert controller.message_box.text() == message
    assert controller.message_box.textFormat() == Qt.TextFormat.PlainText
    assert counts(engine) == (0, 0, 0)
    assert not controller.busy


def test_cancel_in_the_progress_dialog_imports_nothing(qtbot, controller, engine, jsonl):
    with qtbot.waitSignal(controller.failed) as failed:
        controller.import_files([str(jsonl)])
        controller.progress_dialog.findChild(QPushButton).click()  # the dialog's Cancel button
    assert failed.args[0] == CANCELLED
    assert counts(engine) == (0, 0, 0)


def test_progress_reaches_the_gui_thread(qtbot, controller, tmp_path):
    path = tmp_path / "many.jsonl"
    rows = ({"thread_id": f"t{i % 50}", "id": str(i), "text": f"c{i}"} for i in range(3000))
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    seen = []
    controller.progressed.connect(lambda f: seen.append((f, QApplication.instance().thread().isCurrentThread())))
    with qtbot.waitSignal(controller.imported, timeout=20000):
        controller.import_files([str(path)])
    assert seen and seen[-1][0] == 1.0 and all(in_gui for _, in_gui in seen)
    assert len(seen) <= 250  # throttled: at most one per percent and phase


def test_a_dropped_file_is_imported(qtbot, controller, jsonl):
    target = controller.parent_widget
    controller.install_drop_target(target)
    assert target.acceptDrops()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(jsonl))])
    enter, drop = drag_events(mime)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(controller.imported) as imported:
        QApplication.sendEvent(target, drop)
    assert drop.isAccepted()
    assert imported.args[0][0].path == str(jsonl)


def test_a_drag_without_files_is_refused(qtbot, controller):
    controller.install_drop_target(controller.parent_widget)
    mime = QMimeData()
    mime.setText("just text")
    enter, _ = drag_events(mime)
    enter.ignore()
    QApplication.sendEvent(controller.parent_widget, enter)
    assert not enter.isAccepted()


def test_paste_from_the_clipboard(qtbot, controller, engine, seed):
    QGuiApplication.clipboard().setText(seed.read_text(encoding="utf-8"))
    controller.paste_from_clipboard()
    preview = open_preview(qtbot, controller)
    assert preview.windowTitle() == "Import preview — <clipboard>"
    assert preview.import_button.text() == "Import 26 comments"
    with qtbot.waitSignal(controller.imported) as imported:
        preview.accept()
    assert imported.args[0][0].path == "<clipboard>"
    assert counts(engine) == (1, 26, 1)


def test_an_empty_clipboard_gets_a_friendly_message(qtbot, controller, engine):
    with qtbot.waitSignal(controller.failed) as failed:
        controller.paste_text("  \n\t\n")
    assert failed.args[0] == EMPTY_CLIPBOARD
    assert not controller.busy and controller.preview is None
    assert counts(engine) == (0, 0, 0)


def test_choose_files_imports_the_chosen_files(qtbot, controller, jsonl, monkeypatch):
    asked = []

    def fake(parent, caption, directory, filters):
        asked.append(filters)
        return [str(jsonl)], filters

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(fake))
    with qtbot.waitSignal(controller.imported):
        controller.choose_files()
    assert asked == [import_flow.FILE_FILTERS]
    # The chooser shows every kind of file an importer reads: Reddit .zst, Disqus .xml, LeWiDi .json…
    shown = asked[0].split(";;")[0]
    assert all(f"*{suffix}" in shown for suffix in (".txt", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".xml", ".zst"))
