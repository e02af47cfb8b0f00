"""The schema's survey in the window: asked once to a person without a profile, by keyboard, never again."""

import pytest
from helpers.databases import sqlite_database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.core.demo import load_demo
from moderator.core.labelling.log import activate_schema, active_schema
from moderator.core.paths import asset_path
from moderator.core.project import Project
from moderator.core.schema.definition import load_schema
from moderator.core.team import profiles
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.main_window import MainWindow

K = Qt.Key


@pytest.fixture(autouse=True)
def own_lexicon_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "survey.sqlite")
    load_demo(engine)
    activate_schema(engine, load_schema(asset_path("example-survey-schema.toml")))
    yield engine
    engine.dispose()


def open_window(qtbot, engine, name="ana"):
    _, schema = active_schema(engine)
    window = MainWindow(Project(engine), "survey.sqlite", Account(ensure_annotator(engine, name), name, "annotator"), schema)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.survey.due is not None and not window.busy)
    return window


def test_the_survey_is_asked_once_and_not_again_after_answering(qtbot, engine):
    window = open_window(qtbot, engine)
    dialog = window.survey.dialog
    assert window.survey.due and dialog is not None and dialog.isVisible()
    assert window.labelling.state is not None  # the first comment was not held up for it
    assert "voluntary" in dialog.consent.toPlainText()
    qtbot.keyClick(dialog, K.Key_Return)  # Enter agrees
    assert dialog.pages.currentIndex() == 1
    qtbot.keyClick(dialog, K.Key_Return)  # Enter saves: the one required question is unanswered
    assert dialog.isVisible() and "Have you moderated" in dialog.error.text()
    fields = {a.question.id: a.widget for a in dialog.answers}
    fields["age_band"].setCurrentIndex(2)  # 25-34
    fields["political_leaning"].setValue(3)
    fields["country"].setText("  Chile ")
    qtbot.keyClicks(fields["moderation_experience"], "N")  # type-ahead in the drop-down: "Never"
    qtbot.keyClick(dialog, K.Key_Return)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: window.survey.due is False)
    ana = window.account.id
    assert not profiles.survey_due(engine, ana)
    stored = {r["annotator_id"]: r for r in profiles.profiles_raw(engine)}[ana]
    assert stored["answers"] == {
        "age_band": "25-34",
        "country": "Chile",
        "political_leaning": 3,
        "moderation_experience": "Never",
    }
    assert stored["consent_version"] == "2026-01"
    window.close()

    again = open_window(qtbot, engine)
    assert again.survey.due is False and again.survey.dialog is None


def test_not_now_asks_again_next_time_and_dont_ask_again_stores_a_declined_profile(qtbot, engine):
    window = open_window(qtbot, engine, "bo")
    qtbot.keyClick(window.survey.dialog, K.Key_Escape)  # not now
    assert not window.survey.dialog.isVisible()
    window.close()
    bo = ensure_annotator(engine, "bo")
    assert profiles.survey_due(engine, bo)

    again = open_window(qtbot, engine, "bo")
    dialog = again.survey.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.keyClick(dialog, K.Key_D, Qt.KeyboardModifier.AltModifier)  # Alt+D: don't ask again
    qtbot.waitUntil(lambda: again.survey.due is False)
    assert [(r["answers"], r["consent_version"]) for r in profiles.profiles_raw(engine)] == [({}, "declined")]


def test_a_schema_without_a_survey_asks_nothing(qtbot, tmp_path):
    engine = sqlite_database(tmp_path / "plain.sqlite")
    try:
        load_demo(engine)
        window = open_window(qtbot, engine)
        assert window.survey.due is False and window.survey.dialog is None
        assert QApplication.activeModalWidget() is None
    finally:
        engine.dispose()
