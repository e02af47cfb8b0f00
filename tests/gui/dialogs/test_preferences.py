"""Preferences — Keyboard: remapping, resetting, conflicts, and the trip through QSettings to the QActions."""

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QWidget

from moderator.core.schema.definition import load_schema
from moderator.gui import settings
from moderator.gui.actions import action_table, apply_keys, make_actions
from moderator.gui.dialogs.preferences import CONFLICT_COLOR, PreferencesDialog

SCOPE = QSettings.Scope.UserScope
FORMATS = (QSettings.Format.NativeFormat, QSettings.Format.IniFormat)


@pytest.fixture
def table():
    return action_table(load_schema())


@pytest.fixture
def isolated_settings(tmp_path):
    """Point QSettings' user scope at tmp_path, check it took, and check the real config was not touched."""
    real = Path(QSettings(QSettings.Format.NativeFormat, SCOPE, "Moderator", "Moderator").fileName())
    before = real.stat().st_mtime_ns if real.exists() else None
    for fmt in FORMATS:
        QSettings.setPath(fmt, SCOPE, str(tmp_path))
    assert Path(settings._settings().fileName()).is_relative_to(tmp_path)
    yield tmp_path
    for fmt in FORMATS:
        QSettings.setPath(fmt, SCOPE, str(real.parent.parent))  # back to the platform's own location
    assert (real.stat().st_mtime_ns if real.exists() else None) == before


def open_dialog(qtbot, table, overrides=None):
    dialog = PreferencesDialog(table, overrides or {})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier):
    """A key press where a user's would go: to the focused widget."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def test_remapping_an_action_by_keyboard_gives_an_override(qtbot, table):
    dialog = open_dialog(qtbot, table)
    assert dialog.filter.hasFocus()
    qtbot.keyClicks(QApplication.focusWidget(), "skip")
    press(qtbot, Qt.Key.Key_Return)  # filter → list
    assert dialog.tree.hasFocus() and dialog.current_id() == "label.skip"
    press(qtbot, Qt.Key.Key_Return)  # list → key field
    assert dialog.primary.hasFocus()
    press(qtbot, Qt.Key.Key_G)
    assert dialog.overrides() == {"label.skip": ["G"]}
    item = dialog._items["label.skip"]
    assert item.text(1) == "G" and item.text(2) == "S" and item.font(1).bold()
    assert dialog.isVisible()  # none of those Enters accepted the dialog


def test_an_alternative_key_is_added_beside_the_first(qtbot, table):
    dialog = open_dialog(qtbot, table)
    dialog.select("label.flag")
    qtbot.mouseClick(dialog.alternative, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.alternative, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert dialog.overrides() == {"label.flag": ["F", "Ctrl+G"]}


def test_tab_and_escape_in_a_key_field_are_not_recorded(qtbot, table):
    dialog = open_dialog(qtbot, table)
    dialog.select("label.skip")
    dialog.primary.setFocus()
    press(qtbot, Qt.Key.Key_Tab)
    assert dialog.alternative.hasFocus()
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == 0
    assert dialog.overrides() == {}


def test_reset_to_default_removes_the_override(qtbot, table):
    dialog = open_dialog(qtbot, table, {"label.skip": ["G"], "nav.next": ["L"]})
    dialog.select("label.skip")
    assert dialog.primary.keySequence().toString() == "G"
    qtbot.mouseClick(dialog.reset_button, Qt.MouseButton.LeftButton)
    assert dialog.overrides() == {"nav.next": ["L"]}
    assert dialog.primary.keySequence().toString() == "S"
    qtbot.mouseClick(dialog.reset_all_button, Qt.MouseButton.LeftButton)
    assert dialog.overrides() == {}


def test_overrides_equal_to_the_defaults_are_dropped_and_others_kept(qtbot, table):
    dialog = open_dialog(qtbot, table, {"label.flag": ["f"], "label.gone.1": ["Q"]})
    # An override for another schema's action stays, so switching schemas back finds it again.
    assert dialog.overrides() == {"label.gone.1": ["Q"]}


def test_a_conflict_marks_both_rows_and_names_the_other_action(qtbot, table):
    dialog = open_dialog(qtbot, table)
    assert not dialog.banner.isVisible()  # the default schema has no conflicts
    dialog.select("label.skip")
    qtbot.mouseClick(dialog.primary, Qt.MouseButton.LeftButton)
    qtbot.keyClick(dialog.primary, Qt.Key.Key_3)
    assert dialog.conflicting("label.skip") == ["label.toxicity.3"]
    assert dialog.conflicting("label.toxicity.3") == ["label.skip"]
    for action_id in ("label.skip", "label.toxicity.3"):
        item = dialog._items[action_id]
        assert item.foreground(1).color() == CONFLICT_COLOR and not item.icon(1).isNull()
        assert item.toolTip(1).startswith("Also used by")
    assert dialog.message.isVisible() and "Toxicity: Toxic" in dialog.message.text()
    assert dialog.banner.isVisible() and "1 key is bound" in dialog.banner.text()
    assert dialog.buttons.button(dialog.buttons.StandardButton.Ok).isEnabled()  # warned, not blocked
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert not dialog.banner.isVisible() and not dialog.message.isVisible()
    assert dialog._items["label.toxicity.3"].icon(1).isNull()


def test_clearing_keys_and_empty_sequences_do_not_crash(qtbot, table):
    dialog = open_dialog(qtbot, table, {"nav.next": ["", "J", "J"], "nav.previous": []})
    assert dialog.overrides() == {"nav.next": ["J"], "nav.previous": []}
    dialog.select("nav.previous")
    assert dialog.primary.keySequence().isEmpty() and dialog._items["nav.previous"].text(1) == "(none)"
    dialog.select("label.skip")
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    assert dialog.overrides()["label.skip"] == []
    dialog.primary.clear()  # the field's own clear button
    assert dialog.overrides()["label.skip"] == []


def test_the_filter_matches_text_and_keys(qtbot, table):
    dialog = open_dialog(qtbot, table)
    qtbot.keyClicks(dialog.filter, "ctrl+z")
    shown = [i for i, item in dialog._items.items() if not item.isHidden()]
    assert shown == ["label.undo"] and dialog.current_id() == "label.undo"
    dialog.filter.clear()
    assert not any(item.isHidden() for item in dialog._items.values())


def test_overrides_round_trip_through_settings_to_the_actions(qtbot, table, isolated_settings):
    dialog = open_dialog(qtbot, table, settings.key_overrides())
    assert dialog.overrides() == {}  # a fresh, isolated config
    dialog.select("label.skip")
    dialog.primary.setFocus()
    press(qtbot, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    dialog.select("nav.siblings")
    qtbot.mouseClick(dialog.clear_button, Qt.MouseButton.LeftButton)
    settings.set_key_overrides(dialog.overrides())
    assert settings.key_overrides() == {"label.skip": ["Ctrl+G"], "nav.siblings": []}
    assert (isolated_settings / "Moderator" / "Moderator.conf").is_file()

    window = QWidget()
    qtbot.addWidget(window)
    actions = make_actions(window, table, {})
    apply_keys(actions, table, settings.key_overrides())
    assert actions["label.skip"].shortcuts() == [QKeySequence("Ctrl+G")]
    assert actions["nav.siblings"].shortcuts() == []
    assert actions["label.flag"].shortcuts() == [QKeySequence("F")]

    again = open_dialog(qtbot, table, settings.key_overrides())
    assert again.overrides() == {"label.skip": ["Ctrl+G"], "nav.siblings": []}


def test_shift_is_dropped_from_symbols_that_need_it(qtbot, table):
    dialog = open_dialog(qtbot, table)
    dialog.select("label.flag")
    qtbot.keyClick(dialog.primary, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.keys("label.flag") == ["?"]  # as typed on most layouts, and as "?" is bound by default
    assert dialog.conflicting("label.flag") == ["help.cheatsheet"]
    qtbot.keyClick(dialog.primary, Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert dialog.keys("label.flag") == ["Shift+N"]  # letters keep Shift: N and Shift+N differ
