"""The cheat sheet ("?") and the guidelines (F1): current keys, schema text shown literally, keyboard closing."""

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QGridLayout, QLabel

from moderator.core.schema.definition import load_schema, schema_from_dict
from moderator.gui.actions import action_table
from moderator.gui.dialogs.cheat_sheet import CheatSheetDialog, GuidelinesDialog


@pytest.fixture
def schema():
    return load_schema()


def rows(dialog):
    """(description, [key cap texts]) for every action row, column by column."""
    out = []
    for grid in dialog.scroll.widget().findChildren(QGridLayout):
        for r in range(grid.rowCount()):
            keys, text = grid.itemAtPosition(r, 0), grid.itemAtPosition(r, 1)
            if keys and text and keys.widget() and text.widget():
                caps = [c.text() for c in keys.widget().findChildren(QLabel, "keycap")]
                out.append((text.widget().text(), caps))
    return out


def show(qtbot, dialog):
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def test_the_cheat_sheet_lists_current_keys_and_option_keys(qtbot, schema):
    dialog = show(qtbot, CheatSheetDialog(action_table(schema), {"label.skip": ["Shift+K"]}, schema))
    listed = rows(dialog)
    assert ("Skip", ["Shift+K"]) in listed  # the user's key, not the default S
    assert ("Toxic", ["3"]) in listed and ("Very toxic", ["4"]) in listed
    assert ("Submit and next", ["Return", "Enter"]) in listed
    assert ("Implicit (metaphor)", ["M"]) in listed
    assert len(listed) == len(action_table(schema))
    headings = {label.text() for label in dialog.findChildren(QLabel) if label.font().bold()}
    assert {"Labelling", "Toxicity", "Dehumanization", "Moderation decision"} <= headings
    assert dialog.keys_text("label.skip") == "Shift+K"
    assert not dialog.isModal()


def test_the_cheat_sheet_fits_a_laptop_screen_in_three_columns(qtbot, schema):
    dialog = show(qtbot, CheatSheetDialog(action_table(schema), {}, schema))
    body = dialog.scroll.widget()
    assert len(body.findChildren(QGridLayout)) == 3
    hint = body.sizeHint()
    assert hint.width() < 1240 and hint.height() < 700, hint
    assert not dialog.grab().isNull()


def test_an_action_without_keys_shows_a_dash(qtbot, schema):
    dialog = show(qtbot, CheatSheetDialog(action_table(schema), {"nav.siblings": [], "label.flag": [""]}, schema))
    listed = dict(rows(dialog))
    assert listed["Show siblings"] == [] and listed["Flag"] == []


def test_question_text_from_a_schema_is_never_html(qtbot):
    hostile = schema_from_dict(
        {
            "name": "<i>s</i>",
            "version": 1,
            "guidelines": "<b>general</b>",
            "questions": [
                {
                    "id": "q",
                    "label": "<b>Bold</b>",
                    "kind": "nominal",
                    "guideline": "<a href='x'>link</a>",
                    "options": [{"value": 1, "label": "<u>one</u>", "key": "1"}, {"value": 2, "label": "two", "key": "2"}],
                }
            ],
        }
    )
    sheet = show(qtbot, CheatSheetDialog(action_table(hostile), {}, hostile))
    assert ("<u>one</u>", ["1"]) in rows(sheet)
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in sheet.findChildren(QLabel))
    guide = show(qtbot, GuidelinesDialog(hostile))
    text = guide.text.toPlainText()
    assert "<b>general</b>" in text and "<a href='x'>link</a>" in text and "<u>one</u>" in text


def test_question_mark_or_escape_closes_the_cheat_sheet(qtbot, schema):
    dialog = show(qtbot, CheatSheetDialog(action_table(schema), {}, schema))
    assert "? or Esc closes" in dialog.footer.text()
    qtbot.keyClick(dialog, "?")
    assert not dialog.isVisible()
    show(qtbot, dialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_remapped_cheat_sheet_key_closes_it_and_update_keys_redraws(qtbot, schema):
    table = action_table(schema)
    dialog = show(qtbot, CheatSheetDialog(table, {"help.cheatsheet": ["F2"]}, schema))
    qtbot.keyClick(dialog, "?")
    assert dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_F2)
    assert not dialog.isVisible()
    dialog.update_keys({"label.toxicity.3": ["Ctrl+3"]})
    assert ("Toxic", ["Ctrl+3"]) in rows(dialog)


def top_line(dialog):
    """The text of the first line visible in the guideline view."""
    return dialog.text.cursorForPosition(QPoint(20, 15)).block().text()


def test_the_guidelines_show_every_question_and_jump_to_one(qtbot, schema):
    dialog = show(qtbot, GuidelinesDialog(schema))
    text = dialog.text.toPlainText()
    assert schema.guidelines in text
    assert all(q.guideline in text for q in schema.questions)
    assert dialog.text.isReadOnly() and top_line(dialog) == "General"

    dialog.show_question("dehumanization")
    assert dialog.current_question() == "dehumanization"
    assert top_line(dialog) == "Dehumanization"
    assert schema.question("dehumanization").guideline.splitlines()[0] in text
    assert "they breed like rats" in text

    item = dialog.selector.findItems("Categories", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(dialog.selector.viewport(), Qt.MouseButton.LeftButton, pos=dialog.selector.visualItemRect(item).center())
    assert dialog.current_question() == "categories" and top_line(dialog) == "Categories"

    dialog.show_question("no-such-question")  # ignored, not an error
    assert dialog.current_question() == "categories"


def test_a_question_chosen_before_showing_is_at_the_top_when_shown(qtbot, schema):
    dialog = GuidelinesDialog(schema)
    dialog.show_question("note")  # the last, shortest section
    show(qtbot, dialog)
    assert top_line(dialog) == "Note"
