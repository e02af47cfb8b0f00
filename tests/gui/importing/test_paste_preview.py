"""The paste preview: what the seed paste splits into, and every edit button doing what it says."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit

from moderator.core.importing.formats import read_source
from moderator.core.importing.formats.paste.reader import analyse
from moderator.gui.importing.paste_blocks import PasteBlocksModel
from moderator.gui.importing.paste_preview import PastePreviewDialog

SUMMARY = "1 article of 4 paragraphs, 26 comments, 11 named authors, 3 quote links"


@pytest.fixture
def seed(shared_data):
    return shared_data / "threads" / "palmyra-comments.txt"


@pytest.fixture
def dialog(qtbot, seed):
    d = PastePreviewDialog(analyse(read_source(seed).text), str(seed))
    qtbot.addWidget(d)
    d.show()
    return d


def row_of(dialog, text):
    return next(i for i, b in enumerate(dialog.layout_result().blocks) if b.text.startswith(text))


def quote_texts(dialog):
    return [dialog.quotes.item(i).text() for i in range(dialog.quotes.count())]


def test_the_seed_preview_shows_26_comments_and_the_quote_link(dialog, seed):
    assert dialog.windowTitle() == f"Import preview — {seed}"
    assert dialog.summary.text() == SUMMARY
    assert dialog.import_button.text() == "Import 26 comments"
    assert dialog.model.rowCount() == len(dialog.layout_result().blocks) == 53
    assert "comment #19 quotes comment #17: 'syrians are not a very martial people'" in quote_texts(dialog)
    assert any(t.startswith("comment #20 quotes the article:") for t in quote_texts(dialog))
    draft = dialog.draft()
    reply = draft.comments[18]
    assert reply.text.endswith("then must die.") and reply.parent_index == 16
    assert reply.quotes[0].source == "comment" and reply.quotes[0].source_index == 16


def test_user_text_is_plain_text_everywhere(qtbot):
    hostile = "<b>Bold Name</b>"
    text = f"<i>article</i> text of the story here.\n\n\n{hostile}\n\n<script>x</script> a comment"
    d = PastePreviewDialog(analyse(text), "<h1>x</h1>")
    qtbot.addWidget(d)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in d.findChildren(QLabel) if label.text())
    assert isinstance(d.text, QPlainTextEdit)
    rows = [d.model.index(r, 3).data() for r in range(d.model.rowCount())]
    assert hostile in rows
    tip = d.model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "<i>" not in tip  # escaped, never interpreted


def test_merge_joins_a_block_with_the_next(dialog):
    row = row_of(dialog, "syrians are not")
    dialog.select_row(row)
    dialog.buttons["merge"].click()
    merged = dialog.layout_result().blocks[row]
    assert merged.text == "syrians are not a very martial people\n\nthen must die."
    assert dialog.model.rowCount() == 52
    assert dialog.text.toPlainText() == merged.text
    assert dialog.current_row() == row


def test_split_at_the_cursor_undoes_a_merge(dialog):
    row = row_of(dialog, "syrians are not")
    dialog.select_row(row)
    dialog.merge()
    cursor = dialog.text.textCursor()
    cursor.setPosition(dialog.text.toPlainText().index("then"))
    dialog.text.setTextCursor(cursor)
    assert dialog.buttons["split"].isEnabled()
    dialog.buttons["split"].click()
    blocks = dialog.layout_result().blocks
    assert (blocks[row].text, blocks[row + 1].text) == ("syrians are not a very martial people", "then must die.")
    assert blocks[row + 1].role == "paragraph"
    assert dialog.summary.text() == SUMMARY


def test_split_with_the_cursor_mid_line_uses_the_nearest_break(qtbot):
    d = PastePreviewDialog(analyse("one line here\ntwo line here\nthree line here"), "x")
    qtbot.addWidget(d)
    d.select_row(0)
    cursor = d.text.textCursor()
    cursor.setPosition(d.text.toPlainText().index("three") + 2)  # nearer the break before "three"
    d.text.setTextCursor(cursor)
    d.split()
    assert [b.text for b in d.layout_result().blocks] == ["one line here\ntwo line here", "three line here"]


def test_mark_as_article_grows_the_article(dialog):
    dialog.select_row(row_of(dialog, "I am curious"))
    dialog.buttons["mark_article"].click()
    assert dialog.summary.text().startswith("1 article of 5 paragraphs, 25 comments")
    assert dialog.import_button.text() == "Import 25 comments"
    assert "I am curious" in dialog.draft().article


def test_mark_as_comment_starts_a_comment(dialog):
    dialog.select_row(row_of(dialog, "Once you realize"))
    dialog.buttons["mark_comment"].click()
    comments = dialog.draft().comments
    assert len(comments) == 27
    assert any(c.author is None and c.text.startswith("Once you realize") for c in comments)


def test_clear_author_makes_the_line_text_and_set_author_restores_it(dialog):
    row = row_of(dialog, "Takumi Fujiwara")
    dialog.select_row(row)
    assert dialog.buttons["clear_author"].isEnabled() and not dialog.buttons["set_author_line"].isEnabled()
    dialog.buttons["clear_author"].click()
    second = dialog.draft().comments[1]
    assert second.author is None and second.text == "Takumi Fujiwara\n\nprobably ground forces"
    assert "10 named authors" in dialog.summary.text()
    dialog.buttons["set_author_line"].click()
    assert dialog.draft().comments[1].author == "Takumi Fujiwara"


def test_an_impossible_edit_says_why_and_changes_nothing(dialog):
    row = row_of(dialog, "syrians are not")
    dialog.select_row(row)
    dialog.merge()
    before = dialog.layout_result()
    dialog.set_author_line()  # two lines cannot be an author line
    assert dialog.layout_result() is before
    assert "single line" in dialog.status.text() and dialog.status.isVisibleTo(dialog)


def test_remove_and_restore_a_quote_link(dialog):
    dialog.quotes.setCurrentRow(0)
    assert dialog.current_row() == row_of(dialog, "syrians are not")  # choosing a link shows its block
    dialog.buttons["remove_quote"].click()
    reply = dialog.draft().comments[18]
    assert reply.quotes == [] and reply.parent_index is None
    assert "2 quote links" in dialog.summary.text()
    assert any(t.startswith("removed: comment #19") for t in quote_texts(dialog))
    dialog.quotes.setCurrentRow(dialog.quotes.count() - 1)
    dialog.buttons["restore_quote"].click()
    assert dialog.draft().comments[18].parent_index == 16


def test_undo_and_keyboard_shortcuts(qtbot, dialog):
    assert "Ctrl+1" in dialog.buttons["mark_article"].toolTip()
    dialog.activateWindow()  # shortcuts reach only the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    dialog.select_row(row_of(dialog, "I am curious"))
    # A button's shortcut animates a click: the edit lands a moment later.
    qtbot.keyClick(dialog.table, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "25 comments" in dialog.summary.text())
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.summary.text() == SUMMARY)
    assert not dialog.buttons["undo"].isEnabled()


def test_the_blocks_model_passes_the_model_tester(qtmodeltester, seed):
    layout = analyse(read_source(seed).text)
    model = PasteBlocksModel(layout)
    qtmodeltester.check(model)
    assert model.index(8, 1).data() == "#2 author line"
    assert model.index(3, 1).data() == "Article"
    assert model.index(8, 1).data(Qt.ItemDataRole.BackgroundRole) is not None
    model.set_layout(analyse("short\n\nparagraphs only"))
    qtmodeltester.check(model)


@pytest.mark.parametrize("focus", ["table", "text"])
def test_enter_imports_the_preview_and_never_cancels_it(qtbot, focus):
    d = PastePreviewDialog(analyse("Headline here\n\nAnn\n\none comment\n\nBob\n\nanother comment"), "x")
    qtbot.addWidget(d)
    d.show()
    d.activateWindow()
    getattr(d, focus).setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is getattr(d, focus))
    with qtbot.waitSignal(d.accepted, timeout=5000):
        qtbot.keyClick(getattr(d, focus), Qt.Key.Key_Return)
    assert d.result() == d.DialogCode.Accepted and d.import_button.isDefault()


def test_esc_cancels_the_preview(qtbot):
    d = PastePreviewDialog(analyse("Headline here\n\nAnn\n\none comment"), "x")
    qtbot.addWidget(d)
    d.show()
    d.activateWindow()
    d.table.setFocus()
    with qtbot.waitSignal(d.rejected, timeout=5000):
        qtbot.keyClick(d.table, Qt.Key.Key_Escape)


def test_every_edit_shows_its_key_on_its_button(dialog):
    from PySide6.QtGui import QKeySequence

    for button in dialog.buttons.values():
        keys = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys and button.text().endswith(f"({keys})"), button.text()
