"""Check-ins in the window: the strip at the start and after a break takes 1-5 without labelling anything."""

from datetime import UTC, datetime

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.core.demo import load_demo
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.core.wellbeing import checkins
from moderator.core.wellbeing import session as wellbeing
from moderator.gui.main_window import MainWindow
from moderator.gui.wellbeing import checkin_strip

K = Qt.Key


class Clock:
    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now


@pytest.fixture(autouse=True)
def own_lexicon_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def asked_at_quit(monkeypatch):
    """The quit question answers itself (a 2, unless a test says otherwise) and notes that it was asked."""
    asked: list[int | None] = []

    def answer(_parent, mood=2):
        asked.append(mood)
        return mood

    monkeypatch.setattr(checkin_strip, "ask_at_quit", answer)
    return asked


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "checkins.sqlite")
    load_demo(engine)
    yield engine
    engine.dispose()


def open_window(qtbot, engine, clock=None):
    _, schema = active_schema(engine)
    account = Account(ensure_annotator(engine, "ana"), "ana", "annotator")
    window = MainWindow(Project(engine), "checkins.sqlite", account, schema, clock=clock or Clock())
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def type_into_focus(qtbot, key):
    qtbot.keyClick(QApplication.focusWidget(), key)  # where a real key press goes


def test_the_start_strip_takes_a_4_records_it_and_labels_nothing(qtbot, engine, asked_at_quit):
    wellbeing.configure(engine, checkins=True)
    window = open_window(qtbot, engine)
    strip = window.wellbeing.checkins.strip
    qtbot.waitUntil(strip.isVisible)
    assert "how are you" in strip.question.text()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is strip)
    first = window.labelling.state.item.id
    type_into_focus(qtbot, K.Key_4)
    qtbot.waitUntil(lambda: not window.busy and not strip.isVisible())
    assert window.label_panel.values().get("toxicity") is None  # the 4 was a mood, not "very toxic"
    assert window.labelling.state.item.id == first
    qtbot.waitUntil(lambda: checkins.checkin_summary(engine)["start"]["n"] == 1)
    assert checkins.checkin_summary(engine)["start"]["distribution"][4] == 1
    type_into_focus(qtbot, K.Key_2)  # afterwards the keys label again
    qtbot.waitUntil(lambda: window.label_panel.values().get("toxicity") == 2)
    window.close()
    assert asked_at_quit == [2]
    qtbot.waitUntil(lambda: checkins.checkin_summary(engine)["end"]["n"] == 1)


def test_esc_puts_the_strip_away_and_after_a_break_it_asks_again(qtbot, engine, asked_at_quit):
    wellbeing.configure(engine, checkins=True)
    window = open_window(qtbot, engine)
    strip = window.wellbeing.checkins.strip
    qtbot.waitUntil(lambda: QApplication.focusWidget() is strip)
    type_into_focus(qtbot, K.Key_Escape)
    assert not strip.isVisible()
    window.wellbeing.take_break()
    qtbot.mouseClick(window.wellbeing.break_screen.back_button, Qt.MouseButton.LeftButton)
    assert strip.isVisible() and "Welcome back" in strip.question.text()
    qtbot.mouseClick(strip.buttons[0], Qt.MouseButton.LeftButton)  # "1 Very bad", by mouse
    qtbot.waitUntil(lambda: checkins.checkin_summary(engine)["after_break"]["distribution"][1] == 1)
    assert checkins.checkin_summary(engine)["start"]["n"] == 0  # dismissed: nothing stored


def test_nothing_is_asked_while_check_ins_are_off(qtbot, engine, asked_at_quit):
    window = open_window(qtbot, engine)
    qtbot.wait(50)
    assert not window.wellbeing.checkins.strip.isVisible()
    window.close()
    assert asked_at_quit == []


def test_the_quit_question_answers_with_one_key_and_esc_skips_it(qtbot):
    dialog = checkin_strip.QuitCheckin()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClick(dialog, K.Key_5)
    assert dialog.mood == 5 and dialog.result() == dialog.DialogCode.Accepted
    skipped = checkin_strip.QuitCheckin()
    qtbot.addWidget(skipped)
    skipped.show()
    qtbot.keyClick(skipped, K.Key_Escape)
    assert skipped.mood is None and skipped.result() == skipped.DialogCode.Rejected


def test_leads_turn_check_ins_on_in_preferences(qtbot):
    from moderator.gui.wellbeing.preferences_page import WellbeingPage

    page = WellbeingPage(wellbeing.WellbeingConfig(), True, lambda: None)
    qtbot.addWidget(page)
    assert not page.checkins.isChecked()
    page.checkins.setChecked(True)
    assert page.changes() == {"checkins": True}
    locked = WellbeingPage(wellbeing.WellbeingConfig(checkins=True), False, lambda: None)  # an annotator
    qtbot.addWidget(locked)
    assert locked.checkins.isChecked() and not locked.checkins.isEnabled()
