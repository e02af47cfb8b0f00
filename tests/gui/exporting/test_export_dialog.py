"""File → Export… from the window: the dialog by keyboard, the export off the GUI thread, Cancel, refusals."""

import json
import threading

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QPushButton
from sqlalchemy import select

from moderator.core.export import release
from moderator.core.export.card import MARKER
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.log import submit
from moderator.core.project import Project
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.exporting import dialog as export_dialog
from moderator.gui.exporting.dialog import default_name
from moderator.gui.exporting.flow import CANCELLED, REFUSED, ExportController

COMMENTS = 7
ANSWERED = 4
WAIT_MS = 60_000  # the card's charts load matplotlib on first use


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "export.sqlite")
    yield engine
    engine.dispose()


def fill(engine, tmp_path):
    """A thread of COMMENTS comments, ANSWERED of them labelled by one annotator."""
    path = tmp_path / "thread.jsonl"
    rows = [{"thread_id": "t", "id": str(i), "text": f"comment {i}"} for i in range(COMMENTS)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    import_paths(engine, [path])
    ana = ensure_annotator(engine, "ana")
    with engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.position)).all()
    for comment_id in ids[:ANSWERED]:
        submit(engine, comment_id, ana, {"toxicity": 2, "dehumanization": "none"})
    return Account(ana, "ana", "annotator")


@pytest.fixture
def window(qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    yield window
    for box in window.findChildren(QDialog):  # message boxes are windows of their own
        box.close()


def start(window, engine, account):
    controller = ExportController(window, Project(engine), account)
    controller.start()
    return controller


def fill_in(dialog, path, fmt="jsonl", level="comment", card=True):
    dialog.set_format(fmt)
    dialog.set_level(level)
    dialog.card_box.setChecked(card)
    dialog.path_edit.setText(str(path))


def test_jsonl_with_card_by_keyboard(qtbot, window, any_engine, tmp_path):
    engine = any_engine
    account = fill(engine, tmp_path)
    out = tmp_path / "release" / "data.jsonl"
    controller = start(window, engine, account)
    dialog = controller.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.card_box.isChecked()  # a card by default
    assert dialog.path_edit.text().endswith(default_name(engine.url.database.rsplit("/", 1)[-1], "jsonl"))  # the project's name
    fill_in(dialog, out)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as done:
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter = Export
    assert done.args == [f"Exported {COMMENTS} records to {out}"]
    assert window.statusBar().currentMessage() == done.args[0]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == COMMENTS
    # A file without passwords is one person's: everyone's labels, with the majority, as the CLI gives.
    assert sum(bool(r["annotations"]) for r in records) == ANSWERED
    card = (out.parent / "README.md").read_text(encoding="utf-8")
    assert MARKER in card and "path: data.jsonl" in card
    assert (out.parent / "data_labels.png").exists()
    assert not list(out.parent.glob("*.part"))
    annotators = {a["annotator"] for r in records for a in r["annotations"]}
    assert len(annotators) == 1 and annotators.pop().startswith("annotator_")  # pseudonymous unless asked


def test_annotators_keep_their_names_when_asked(qtbot, window, engine, tmp_path):
    account = fill(engine, tmp_path)
    out = tmp_path / "named.jsonl"
    controller = start(window, engine, account)
    fill_in(controller.dialog, out, card=False)
    assert not controller.dialog.names_box.isChecked()  # pseudonyms by default
    controller.dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is controller.dialog)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Alt+N: keep the names
    qtbot.waitUntil(controller.dialog.names_box.isChecked)  # a mnemonic clicks its button after a short press
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS):
        qtbot.keyClick(controller.dialog, Qt.Key.Key_Return)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {a["annotator"] for r in records for a in r["annotations"]} == {"ana"}


def test_the_dialog_is_usable_by_keyboard_and_escape_cancels(qtbot, window, engine, tmp_path):
    controller = start(window, engine, Account(1, "solo", "annotator"))
    dialog = controller.dialog
    for label in dialog.findChildren(QLabel):
        if "&" in label.text():
            assert label.buddy() is not None, label.text()  # Alt+letter reaches its field
    assert dialog.export_button.isDefault() and "&" in dialog.export_button.text()
    dialog.path_edit.clear()
    assert not dialog.export_button.isEnabled()  # nowhere to write yet
    dialog.path_edit.setText(str(tmp_path / "x.jsonl"))
    with qtbot.waitSignal(dialog.finished, timeout=WAIT_MS) as closed:
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert closed.args == [QDialog.DialogCode.Rejected.value]
    assert not (tmp_path / "x.jsonl").exists()


def test_the_extension_follows_the_format_and_a_chosen_file_picks_it(qtbot, window, engine, tmp_path, monkeypatch):
    controller = start(window, engine, Account(1, "solo", "annotator"))
    dialog = controller.dialog
    dialog.path_edit.setText(str(tmp_path / "data.jsonl"))
    dialog.set_format("parquet")
    assert dialog.path_edit.text() == str(tmp_path / "data.parquet")
    asked = []
    monkeypatch.setattr(export_dialog, "_ask_path", lambda parent, start, fmt: asked.append(fmt) or str(tmp_path / "b.csv"))
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert asked == ["parquet"] and dialog.fmt == "csv" and dialog.path_edit.text() == str(tmp_path / "b.csv")
    monkeypatch.setattr(export_dialog, "_ask_path", lambda parent, start, fmt: str(tmp_path / "plain"))
    dialog.browse()
    assert dialog.path_edit.text() == str(tmp_path / "plain.csv")  # no extension: the format's
    dialog.reject()


def test_cancel_leaves_nothing_at_the_destination(qtbot, window, engine, tmp_path, monkeypatch):
    account = fill(engine, tmp_path)
    out = tmp_path / "data.jsonl"
    pressed = threading.Event()
    real = release.export_file

    def paused(engine, path, fmt, progress, viewer, **options):
        def first_page(fraction):  # the first page is written: the user presses Cancel before the next
            progress(fraction)
            pressed.wait(30)

        return real(engine, path, fmt, first_page, viewer, **options)

    monkeypatch.setattr(release, "export_file", paused)
    controller = start(window, engine, account)
    fill_in(controller.dialog, out, card=True)

    def press_cancel(_fraction):
        controller.progress_dialog.findChild(QPushButton).click()
        pressed.set()

    controller.progressed.connect(press_cancel)
    with qtbot.waitSignal(controller.failed, timeout=WAIT_MS) as stopped:
        controller.dialog.accept()
    assert stopped.args == [CANCELLED]
    assert pressed.is_set()
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    assert not (tmp_path / "README.md").exists()  # no card for an export that was not written


def test_parquet_reads_back_with_pyarrow(qtbot, window, engine, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    account = fill(engine, tmp_path)
    out = tmp_path / "data.parquet"
    controller = start(window, engine, account)
    fill_in(controller.dialog, out, fmt="parquet", level="annotation", card=False)
    with qtbot.waitSignal(controller.finished, timeout=WAIT_MS) as done:
        controller.dialog.accept()
    table = pq.read_table(out)
    assert done.args == [f"Exported {ANSWERED} records to {out}"]  # one per annotation
    assert table.num_rows == ANSWERED and "text" in table.column_names
    assert not (tmp_path / "README.md").exists()


def test_a_foreign_readme_fails_the_export_before_writing(qtbot, window, engine, tmp_path):
    account = fill(engine, tmp_path)
    (tmp_path / "README.md").write_text("# My notes\n", encoding="utf-8")
    out = tmp_path / "data.csv"
    controller = start(window, engine, account)
    fill_in(controller.dialog, out, fmt="csv")
    with qtbot.waitSignal(controller.failed, timeout=WAIT_MS) as failed:
        controller.dialog.accept()
    assert failed.args[0].startswith("The export failed:") and "README.md" in failed.args[0]
    assert "\n" not in failed.args[0]
    assert controller.message_box is not None and controller.message_box.text() == failed.args[0]
    assert not out.exists()
    assert (tmp_path / "README.md").read_text(encoding="utf-8") == "# My notes\n"


def test_a_team_server_annotator_is_refused(qtbot, window, engine):
    annotator = Account(1, "ann", "annotator", team_server=True)
    assert not annotator.sees_all
    controller = ExportController(window, Project(engine), annotator)
    with qtbot.waitSignal(controller.failed, timeout=WAIT_MS) as refused:
        controller.start()
    assert refused.args == [REFUSED] and "\n" not in REFUSED
    assert controller.dialog is None  # never offered
    assert controller.message_box is not None and controller.message_box.text() == REFUSED
    assert window.findChild(export_dialog.ExportDialog) is None


def test_a_team_server_reviewer_is_offered_the_export(qtbot, window, engine):
    controller = start(window, engine, Account(1, "rev", "reviewer", team_server=True))
    assert controller.dialog is not None and controller.dialog.isVisible()
    controller.dialog.reject()
