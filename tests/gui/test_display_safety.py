"""Thread text is data, never markup: every view shows a hostile thread's characters literally.

A thread whose headline, article, authors, comments and annotator names carry an image with an
onerror handler, a link, bold and a right-to-left override is opened in the main window (queue,
comment, parent, siblings, status bar), the review window, the agreement dialog and the paste
preview. Every label must be PlainText, every text box must hold the literal characters and no
anchor or image, and every tooltip must render to the literal characters.
"""

from __future__ import annotations

import json

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QPlainTextEdit, QTextEdit, QWidget
from sqlalchemy import select

from moderator.core.agreement.report import agreement_report
from moderator.core.importing.formats.paste.reader import analyse
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import active_schema, submit
from moderator.core.project import Project
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.background.workers import DbWorker
from moderator.gui.importing.paste_preview import PastePreviewDialog
from moderator.gui.main_window import MainWindow
from moderator.gui.review.agreement import AgreementDialog
from moderator.gui.review.window import ReviewWindow

HOSTILE = '<img src=x onerror=alert(1)> <a href="http://x">link</a> <b>bold</b> \u202eevil'
MARKERS = ("<img src=x onerror=alert(1)>", '<a href="http://x">link</a>', "<b>bold</b>", "\u202e")


def rendered(text: str, rich: bool) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(text) if rich else document.setPlainText(text)
    return document


def no_markup(document: QTextDocument) -> bool:
    """No link and no image: nothing of the text was read as HTML."""
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isAnchor() or fmt.isImageFormat():
                return False
            it += 1
        block = block.next()
    return True


def tooltip_shows(tip: str) -> str:
    """What Qt shows for a tooltip: it renders rich text when the string looks like HTML."""
    document = rendered(tip, GuiQt.mightBeRichText(tip))
    assert no_markup(document), f"tooltip renders markup: {tip!r}"
    if "onerror" in tip:
        assert MARKERS[0] in document.toPlainText(), f"tooltip hides the literal text: {tip!r}"
    return document.toPlainText()


def _columns(model) -> int:
    try:
        return model.columnCount(QModelIndex())
    except TypeError:  # a list model, whose columnCount PySide keeps private
        return 1


def shown_texts(root: QWidget) -> list[str]:
    """Every string ``root`` shows (labels, text boxes, item views, tooltips), each checked for markup."""
    texts = []
    for label in root.findChildren(QLabel):
        if any(m in label.text() for m in MARKERS):
            assert label.textFormat() == Qt.TextFormat.PlainText, f"rich-text label: {label.objectName()} {label.text()!r}"
        texts.append(label.text())
    for box in root.findChildren(QPlainTextEdit) + root.findChildren(QTextEdit):
        assert no_markup(box.document()), f"{box.objectName()} holds markup"
        texts.append(box.toPlainText())
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.toolTip():
            texts.append(tooltip_shows(widget.toolTip()))
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is None:
            continue
        for row in range(min(model.rowCount(), 100)):
            for column in range(_columns(model)):
                index = model.index(row, column)
                shown = model.data(index, Qt.ItemDataRole.DisplayRole)
                if isinstance(shown, str):
                    texts.append(shown)  # item delegates draw DisplayRole as plain text
                tip = model.data(index, Qt.ItemDataRole.ToolTipRole)
                if isinstance(tip, str) and tip:
                    texts.append(tooltip_shows(tip))
    return texts


def assert_literal(texts: list[str], *expected: str) -> None:
    for wanted in expected:
        assert any(wanted in t for t in texts), f"{wanted!r} is not shown literally"


@pytest.fixture
def hostile(tmp_path):
    engine = sqlite_database(tmp_path / "hostile.sqlite")
    thread = {
        "id": "t1", "title": "Headline " + HOSTILE, "url": "http://example.org", "article": "Article " + HOSTILE,
        "comments": [
            {"id": "1", "author": "Parent " + HOSTILE, "text": "Parent text " + HOSTILE},
            {"id": "2", "parent_id": "1", "author": "Reply " + HOSTILE, "text": "Reply text " + HOSTILE},
            {"id": "3", "parent_id": "1", "author": "Sibling " + HOSTILE, "text": "Sibling text " + HOSTILE},
        ],
    }  # fmt: skip
    path = tmp_path / "hostile.jsonl"
    path.write_text(json.dumps(thread) + "\n", encoding="utf-8")
    import_paths(engine, [path], "jsonl")
    with engine.connect() as conn:
        ids = list(conn.scalars(select(Comment.id).order_by(Comment.position)))
    configure(engine, overlap=3)
    lead = Account(ensure_annotator(engine, "lead " + HOSTILE, "admin"), "lead " + HOSTILE, "admin")
    for name, values in (("ana " + HOSTILE, (1, 3, 2)), ("bo " + HOSTILE, (2, 4, 2))):
        annotator = ensure_annotator(engine, name)
        for comment_id, toxicity in zip(ids, values):
            submit(engine, comment_id, annotator, {"toxicity": toxicity})
    yield engine, lead, ids
    engine.dispose()


def test_main_window_shows_thread_text_literally(qtbot, hostile):
    engine, lead, ids = hostile
    window = MainWindow(Project(engine), "hostile.sqlite", lead, active_schema(engine)[1])
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    qtbot.waitUntil(lambda: window.labelling.state is not None)
    while window.labelling.state.item.id != ids[1]:  # the reply: it has a parent and a sibling
        window.step(1)
        qtbot.waitUntil(lambda: not window.busy)
    window.toggle_siblings()
    qtbot.waitUntil(lambda: window.comment_view.siblings.isVisible())
    window.status.showMessage("Imported " + HOSTILE)

    view = window.comment_view
    assert view.title.text() == "Headline " + HOSTILE
    assert view.article.toPlainText() == "Article " + HOSTILE
    assert view.parents.toPlainText() == "Parent text " + HOSTILE
    assert view.text.toPlainText() == "Reply text " + HOSTILE
    assert view.caption.text() == f"Comment #2 by Reply {HOSTILE}"
    assert "Sibling text " + HOSTILE in view.siblings.toPlainText()
    texts = shown_texts(window)
    assert_literal(texts, f"Parent {HOSTILE}: Parent text {HOSTILE}", "Annotator: lead " + HOSTILE)
    assert window.status.currentMessage() == "Imported " + HOSTILE  # a status message is drawn as plain text


def test_review_window_shows_thread_text_and_names_literally(qtbot, hostile):
    engine, lead, ids = hostile
    worker = DbWorker()
    review = ReviewWindow(Project(engine), worker, lead, active_schema(engine)[1])
    qtbot.addWidget(review)
    review.show()
    try:
        qtbot.waitUntil(lambda: review.item is not None and not review.busy)
        while review.item.comment_id != ids[1]:
            review.step(1)
            qtbot.waitUntil(lambda: review.item is not None and not review.busy)
        assert review.comment_view.text.toPlainText() == "Reply text " + HOSTILE
        assert review.comment_view.parents.toPlainText() == "Parent text " + HOSTILE
        texts = shown_texts(review)
        assert_literal(texts, "ana " + HOSTILE, "bo " + HOSTILE, "Headline " + HOSTILE, "Article " + HOSTILE)
        names = [review.table.item(r, 0) for r in range(review.table.rowCount())]
        assert "ana " + HOSTILE in [n.text() for n in names]
        assert all(tooltip_shows(n.toolTip()).startswith(n.text()) for n in names)
    finally:
        worker.shutdown()


def test_agreement_dialog_shows_annotator_names_literally(qtbot, hostile):
    engine, _, _ = hostile
    dialog = AgreementDialog(agreement_report(engine))
    qtbot.addWidget(dialog)
    dialog.show()
    texts = shown_texts(dialog)
    assert_literal(texts, "ana " + HOSTILE)


def test_paste_preview_shows_pasted_text_literally(qtbot):
    paste = (
        f"Council votes on the bridge {HOSTILE}\n\nThe council met on Tuesday to vote on the new bridge.\n\n"
        f"ReaderOne\n\nThis is a waste of money {HOSTILE} and everyone knows it.\n\n"
        f"ReaderTwo\n\nThis is a waste of money {HOSTILE}\n\nAnd nobody asked us.\n"
    )
    dialog = PastePreviewDialog(analyse(paste), "pasted " + HOSTILE)
    qtbot.addWidget(dialog)
    dialog.show()
    for row in range(dialog.model.rowCount()):
        dialog.select_row(row)
        shown_texts(dialog)
    texts = shown_texts(dialog)
    assert_literal(texts, f"This is a waste of money {HOSTILE} and everyone knows it.")
    assert dialog.quotes.count() >= 1  # a quote link, whose tooltip quotes the comment
    items = [dialog.quotes.item(i) for i in range(dialog.quotes.count())]
    assert any("<img src=x" in item.text() for item in items)
    assert all(tooltip_shows(item.toolTip()) == item.text() for item in items)
