"""File → Open address… (Ctrl+L) from the window, against a local server: no test touches the internet."""

from __future__ import annotations

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from sqlalchemy import select

from moderator.core.fetching.settings import FetchSettings
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.store.tables import Comment, ImportBatch, QuoteSpan, Thread
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.importing.open_address import NO_COMMENTS_FOUND, NOTHING_COPIED
from moderator.gui.main_window import MainWindow

WAIT_MS = 20_000


def listing(*children):
    return {"kind": "Listing", "data": {"children": list(children)}}


def comment(cid, body, parent, author, replies=""):
    return {"kind": "t1", "data": {"id": cid, "name": f"t1_{cid}", "body": body, "author": author, "parent_id": parent,
                                   "link_id": "t3_abc123", "created_utc": 1700000100, "score": 3, "replies": replies}}  # fmt: skip


POST = {"kind": "t3", "data": {"id": "abc123", "name": "t3_abc123", "title": "Bridge &amp; tunnel closures",
                               "selftext": "The city will close the bridge in May.", "author": "op_user", "subreddit": "test",
                               "permalink": "/r/test/comments/abc123/bridge/", "created_utc": 1700000000, "num_comments": 2,
                               "is_self": True}}  # fmt: skip
REDDIT_THREAD = [
    listing(POST),
    listing(
        comment("c1", "Good riddance.", "t3_abc123", "alice", listing(comment("c2", "Where do the buses go?", "t1_c1", "bob")))
    ),
]
ARTICLE = """<!doctype html><html><head><meta charset="utf-8"><title>Council closes the old bridge | The Daily</title>
<meta property="og:title" content="Council closes the old bridge"></head><body><nav><a href="/">Home</a></nav>
<article><h1>Council closes the old bridge</h1>
<p>The council voted on Tuesday to close the old bridge for repairs that will take most of the year, officials said.</p>
<p>Residents were divided: some welcomed the work, others worried about longer commutes across the river.</p>
<p>Buses will replace the trams while the work goes on.</p>
</article><footer>Copyright The Daily</footer></body></html>"""
PASTED = """Dana Whitfield

About time, that bridge has been shaking for years.


Eli Brannigan

Residents were divided: some welcomed the work, others worried about longer commutes across the river.

Count me among the worried ones.
"""


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "address.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture
def window(qtbot, engine, httpserver):
    _, schema = active_schema(engine)
    window = MainWindow(Project(engine), "address.sqlite", Account(ensure_annotator(engine, "ana"), "ana", "annotator"), schema)
    window.address_opener.settings = FetchSettings(connect_timeout=2.0, read_timeout=2.0, trust_env=False, sleep=lambda _s: None)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    yield window
    for box in window.findChildren(QDialog):  # message boxes are windows of their own
        box.close()


def rows(engine):
    """Every row an import writes, to prove a failed one changed nothing."""
    with engine.connect() as conn:
        return [conn.execute(select(t).order_by(t.id)).all() for t in (ImportBatch, Thread, Comment, QuoteSpan)]


def open_dialog(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.address_opener.dialog is not None and window.address_opener.dialog.isVisible())
    dialog = window.address_opener.dialog
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.address_edit)
    return dialog


def test_ctrl_l_opens_a_reddit_thread_and_the_queue_shows_it(qtbot, window, engine, httpserver):
    httpserver.expect_request("/r/test/comments/abc123/bridge.json").respond_with_json(REDDIT_THREAD)
    address = httpserver.url_for("/r/test/comments/abc123/bridge/")
    QGuiApplication.clipboard().setText("not an address")
    dialog = open_dialog(qtbot, window)
    assert dialog.address_edit.text() == "" and not dialog.open_button.isEnabled()
    qtbot.keyClicks(dialog.address_edit, address)
    dialog.set_format("reddit")  # a local copy: its host does not say Reddit
    with qtbot.waitSignal(window.address_opener.finished, timeout=WAIT_MS) as finished:
        qtbot.keyClick(dialog.address_edit, Qt.Key.Key_Return)
    assert finished.args[0] == f"{address} (reddit): 2 comments in 1 new thread"
    qtbot.waitUntil(lambda: window.queue_model.rowCount() == 2 and not window.busy, timeout=WAIT_MS)
    assert window.status.currentMessage().endswith(" (reddit): 2 comments in 1 new thread")  # the address shortened
    assert window.comment_view.title.text() == "Bridge & tunnel closures"
    assert window.comment_view.text.toPlainText() == "Good riddance."
    assert window.queue.currentIndex().row() == 0
    with engine.connect() as conn:
        assert conn.scalars(select(Comment.author).order_by(Comment.position)).all() == ["alice", "bob"]


def test_a_404_is_one_line_in_a_message_box_and_changes_nothing(qtbot, window, engine, httpserver):
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    address = httpserver.url_for("/gone")
    before = rows(engine)
    opener = window.address_opener
    QGuiApplication.clipboard().setText(address)
    dialog = open_dialog(qtbot, window)
    assert dialog.address_edit.text() == address  # prefilled from the clipboard
    with qtbot.waitSignal(opener.failed, timeout=WAIT_MS) as failed:
        qtbot.keyClick(dialog.address_edit, Qt.Key.Key_Return)
    assert failed.args[0] == f"{address}: HTTP 404 Not Found"
    box = opener.message_box
    assert box.text() == failed.args[0] and "\n" not in box.text()
    assert box.icon() == QMessageBox.Icon.Warning and box.textFormat() == Qt.TextFormat.PlainText
    assert rows(engine) == before and not opener.busy


def test_a_page_without_comments_takes_them_pasted_under_its_article(qtbot, window, engine, httpserver):
    httpserver.expect_request("/news/bridge").respond_with_data(ARTICLE, content_type="text/html")
    address = httpserver.url_for("/news/bridge")
    opener = window.address_opener
    QGuiApplication.clipboard().setText(address)
    qtbot.keyClick(open_dialog(qtbot, window).address_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: opener.prompt is not None, timeout=WAIT_MS)
    assert opener.prompt.text() == NO_COMMENTS_FOUND
    assert rows(engine) == [[], [], [], []]  # nothing is written while the user decides

    opener.prompt.defaultButton().click()  # Paste comments, with only the address copied: asked again
    qtbot.waitUntil(lambda: opener.prompt is not None and opener.prompt.informativeText() == NOTHING_COPIED)
    QGuiApplication.clipboard().setText(PASTED)
    opener.prompt.defaultButton().click()
    qtbot.waitUntil(lambda: opener.preview is not None, timeout=WAIT_MS)
    preview = opener.preview
    assert preview.summary.text().startswith("1 article of 3 paragraphs, 2 comments, 2 named authors")
    assert preview.import_button.text() == "Import 2 comments"
    with qtbot.waitSignal(opener.finished, timeout=WAIT_MS) as finished:
        preview.accept()
    assert finished.args[0] == f"{address} (page): 2 comments in 1 new thread"
    with engine.connect() as conn:
        thread = conn.execute(select(Thread)).one()
        comments = conn.execute(select(Comment).order_by(Comment.position)).all()
        quote = conn.execute(select(QuoteSpan)).one()
    assert thread.title == "Council closes the old bridge" and thread.url == address
    assert thread.article.startswith("The council voted on Tuesday") and thread.article.endswith("while the work goes on.")
    assert [(c.author, c.text.split("\n")[0]) for c in comments] == [
        ("Dana Whitfield", "About time, that bridge has been shaking for years."),
        (
            "Eli Brannigan",
            "Residents were divided: some welcomed the work, others worried about longer commutes across the river.",
        ),
    ]
    quoted = "Residents were divided: some welcomed the work, others worried about longer commutes across the river."
    assert quote.comment_id == comments[1].id
    assert (quote.source, quote.source_start) == ("article", thread.article.index(quoted))  # in the page's article
    assert quoted.startswith(thread.article[quote.source_start : quote.source_end]) and quote.source_end > quote.source_start + 90
    qtbot.waitUntil(lambda: window.queue_model.rowCount() == 2, timeout=WAIT_MS)
