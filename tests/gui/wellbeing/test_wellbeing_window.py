"""Wellbeing in the window: blur until revealed, skip for wellbeing, break prompt and break, the daily stop."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from helpers.databases import sqlite_database
from helpers.probes import claim_next
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem
from sqlalchemy import select

from moderator.core.demo import load_demo
from moderator.core.export.writer import write_export
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.browse import comment_key
from moderator.core.labelling.log import SKIP_REASON_KEY, active_schema, current_label
from moderator.core.project import Project
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.core.wellbeing import session as wellbeing
from moderator.gui.main_window import MainWindow
from moderator.gui.wellbeing.blur_delegate import HIDDEN

K = Qt.Key
SECOND_SEVERE = "If they will not go home then they must die."


class Clock:
    def __init__(self):
        self.now = datetime.now(UTC)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture(autouse=True)
def own_lexicon_folder(tmp_path, monkeypatch):
    """The bundled lexicon, whatever the user running the tests keeps in their own folder."""
    monkeypatch.setenv("MODERATOR_CONFIG_DIR", str(tmp_path / "config"))


@pytest.fixture
def engine(tmp_path):
    engine = sqlite_database(tmp_path / "wellbeing.sqlite")
    load_demo(engine)
    draft = ThreadDraft(
        source="test", title="Part two", comments=[CommentDraft(SECOND_SEVERE), CommentDraft("See you Saturday.")]
    )
    import_drafts(engine, [draft], name="part two", fmt="test")
    yield engine
    engine.dispose()


def comment_id(engine, prefix):
    with engine.connect() as conn:
        return conn.scalar(select(Comment.id).where(Comment.text.startswith(prefix)))


def open_window(qtbot, engine, clock=None, annotator="ana"):
    _, schema = active_schema(engine)
    window = MainWindow(
        Project(engine),
        "wellbeing.sqlite",
        Account(ensure_annotator(engine, annotator), annotator, "annotator"),
        schema,
        clock=clock or Clock(),
    )
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def show(qtbot, window, engine, prefix):
    window.labelling.open(comment_id(engine, prefix))
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state.context.comment.text.startswith(prefix))
    qtbot.wait(1)  # the blurred picture is drawn once the layout has settled


def press(qtbot, window, *keys):
    for key in keys:
        qtbot.keyClick(window, key)
    qtbot.waitUntil(lambda: not window.busy)


def queue_text(window, cid):
    model = window.queue_model
    row = model.row_of(cid)
    option = QStyleOptionViewItem()
    window.queue.itemDelegate().initStyleOption(option, model.index(row))
    return option.text


def test_a_severe_comment_stays_blurred_until_space_reveals_it(qtbot, engine):
    window = open_window(qtbot, engine)
    cover = window.wellbeing.text_blur
    assert not cover.blurred  # the demo's first comment is harmless
    vermin = comment_id(engine, "Vermin")
    show(qtbot, window, engine, "Vermin")
    assert cover.blurred and cover.picture.isVisible() and not cover.picture.pixmap().isNull()
    assert cover.picture.geometry() == window.comment_view.text.geometry()  # the whole text is covered
    assert "vermin metaphor" in cover.button.text()
    assert HIDDEN in queue_text(window, vermin)  # nor is it readable in the queue beside it
    press(qtbot, window, K.Key_Space)
    assert not cover.blurred and not cover.picture.isVisible()
    assert queue_text(window, vermin).endswith(
        "Vermin, the lot of them. Once they get into the ropeworks you will never get them out of Harrowmere again."
    )
    show(qtbot, window, engine, "I wonder")
    show(qtbot, window, engine, "Vermin")
    assert not cover.blurred  # revealed once, it stays revealed this session


def test_a_click_reveals_too_and_the_reply_to_a_severe_comment_blurs_its_quote(qtbot, engine):
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "you will never get them out")  # replies to the vermin comment
    assert window.wellbeing.parent_blur.blurred and not window.wellbeing.text_blur.blurred
    qtbot.mouseClick(window.wellbeing.parent_blur.button, Qt.MouseButton.LeftButton)
    assert not window.wellbeing.parent_blur.blurred


def test_nothing_is_blurred_when_the_project_turns_blur_off(qtbot, engine):
    wellbeing.configure(engine, blur=False)
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "Vermin")
    assert not window.wellbeing.text_blur.blurred
    assert HIDDEN not in queue_text(window, comment_id(engine, "Vermin"))


def test_skip_for_wellbeing_records_why_returns_the_comment_and_is_no_label(qtbot, engine):
    window = open_window(qtbot, engine)
    vermin = comment_id(engine, "Vermin")
    show(qtbot, window, engine, "Vermin")
    press(qtbot, window, K.Key_3, K.Key_W)  # a half-given answer is not kept with the skip
    label = current_label(engine, vermin, window.account.id)
    assert label.status == "skipped" and label.values == {SKIP_REASON_KEY: "wellbeing"} and label.spans == []
    assert window.labelling.state.item.id != vermin  # moved on
    out = io.StringIO()
    write_export(engine, out, "jsonl")
    record = next(r for r in map(json.loads, out.getvalue().splitlines()) if r["comment_id"] == vermin)
    assert record["annotations"][0]["status"] == "skipped" and not (record["majority"] or {}).get("toxicity")
    thread_id, position = comment_key(engine, vermin)
    assert claim_next(engine, ensure_annotator(engine, "bo"), (thread_id, position - 1)) == vermin  # back in the pool


def test_the_status_bar_counts_severe_comments_this_session_and_today(qtbot, engine):
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "Vermin")
    show(qtbot, window, engine, "I wonder")
    show(qtbot, window, engine, "Vermin")  # back again: read once
    assert window.status.severe_label.text() == "Severe: 1 this session · 1 today"
    press(qtbot, window, K.Key_Space, K.Key_S)  # answered (here: skipped) today, so it counts tomorrow too
    window.close()

    again = open_window(qtbot, engine)
    qtbot.waitUntil(lambda: again.status.severe_label.text() == "Severe: 0 this session · 1 today")


def test_the_break_prompt_comes_after_the_set_time_between_comments_and_esc_dismisses_it(qtbot, engine):
    clock = Clock()
    window = open_window(qtbot, engine, clock)
    prompt = window.wellbeing.prompt
    clock.advance(minutes=44)
    press(qtbot, window, K.Key_Right)
    assert not prompt.isVisible()
    clock.advance(minutes=1)
    press(qtbot, window, K.Key_Right)
    assert prompt.isVisible() and "45 minutes" in prompt.reason.text()
    press(qtbot, window, K.Key_1)  # keys still label while the prompt waits
    assert window.label_panel.values().get("toxicity") == 1
    press(qtbot, window, K.Key_Escape)
    assert not prompt.isVisible()
    clock.advance(minutes=30)
    press(qtbot, window, K.Key_Right)
    assert not prompt.isVisible()  # not again until another full interval


def test_the_break_prompt_also_comes_after_the_set_number_of_severe_comments(qtbot, engine):
    wellbeing.configure(engine, break_severe=2)
    window = open_window(qtbot, engine)
    show(qtbot, window, engine, "Vermin")
    assert not window.wellbeing.prompt.isVisible()
    show(qtbot, window, engine, "If they will not")
    assert "2 severe comments" in window.wellbeing.prompt.reason.text()


def test_a_break_covers_the_window_pauses_the_clock_and_counts_down(qtbot, engine):
    clock = Clock()
    window = open_window(qtbot, engine, clock)
    clock.advance(minutes=45)
    press(qtbot, window, K.Key_Right)
    qtbot.mouseClick(window.wellbeing.prompt.take_button, Qt.MouseButton.LeftButton)
    screen = window.wellbeing.break_screen
    assert screen.isVisible() and not window.wellbeing.prompt.isVisible()
    before = window.status.elapsed()
    position = window.labelling.state.item.position
    press(qtbot, window, K.Key_Right, K.Key_2)  # labelling keys rest during the break
    assert window.labelling.state.item.position == position and "toxicity" not in window.label_panel.values()
    clock.advance(minutes=3)
    window.wellbeing.tick()
    assert screen.countdown.text() == "2:00 left"
    assert window.status.elapsed() == before  # the session clock is paused
    clock.advance(minutes=3)
    window.wellbeing.tick()
    assert screen.countdown.text().startswith("Break over")
    qtbot.mouseClick(screen.back_button, Qt.MouseButton.LeftButton)
    assert not screen.isVisible()
    clock.advance(minutes=1)
    assert window.status.elapsed() == before + 60
    press(qtbot, window, K.Key_Right)
    assert window.labelling.state.item.position == position + 1


def test_the_daily_cap_stops_gently_before_the_next_severe_comment(qtbot, engine):
    wellbeing.configure(engine, daily_cap=1)
    window = open_window(qtbot, engine)
    stop = window.wellbeing.stop_screen
    show(qtbot, window, engine, "Vermin")
    assert not stop.isVisible()
    show(qtbot, window, engine, "If they will not")
    assert stop.isVisible() and "daily limit is 1" in stop.message.text()
    assert window.status.severe_label.text() == "Severe: 1 this session · 1 today"  # the covered one is not read
    press(qtbot, window, K.Key_4, K.Key_Return)  # no labelling behind the stop screen
    assert "toxicity" not in window.label_panel.values() and stop.isVisible()
    assert not stop.go_on_button.isEnabled()  # going on is a conscious choice: tick first
    stop.confirm.setChecked(True)
    qtbot.mouseClick(stop.go_on_button, Qt.MouseButton.LeftButton)
    assert not stop.isVisible() and window.wellbeing.text_blur.blurred
    assert window.status.severe_label.text() == "Severe: 2 this session · 2 today"


def test_at_the_cap_w_skips_the_covered_comment_for_wellbeing(qtbot, engine):
    wellbeing.configure(engine, daily_cap=1)
    window = open_window(qtbot, engine)
    second = comment_id(engine, "If they will not")
    show(qtbot, window, engine, "Vermin")
    show(qtbot, window, engine, "If they will not")
    press(qtbot, window, K.Key_W)
    assert not window.wellbeing.stop_screen.isVisible()
    assert current_label(engine, second, window.account.id).values == {SKIP_REASON_KEY: "wellbeing"}
    assert window.labelling.state.context.comment.text == "See you Saturday."


def test_the_preferences_page_saves_the_projects_options_and_they_apply_at_once(qtbot, engine):
    from PySide6.QtGui import QPalette

    from moderator.gui.wellbeing.preferences_page import WellbeingPage

    window = open_window(qtbot, engine)
    page = WellbeingPage(window.wellbeing.session.config, True, lambda: None)
    qtbot.addWidget(page)
    page.greyscale.setChecked(True)
    page.daily_cap.setValue(40)
    assert page.changes() == {"greyscale": True, "daily_cap": 40}
    window.wellbeing.save_config(page.changes())
    qtbot.waitUntil(lambda: window.wellbeing.session.config.greyscale)
    assert wellbeing.load_config(engine) == wellbeing.WellbeingConfig(greyscale=True, daily_cap=40)
    assert window.palette().color(QPalette.ColorRole.Highlight).hsvSaturation() == 0

    locked = WellbeingPage(wellbeing.WellbeingConfig(), False, lambda: None)  # an annotator in a team
    qtbot.addWidget(locked)
    assert not locked.blur.isEnabled() and not locked.daily_cap.isEnabled() and locked.lexicon_button.isEnabled()


@pytest.mark.parametrize("key", [K.Key_Return, K.Key_Escape])
def test_the_break_ends_from_the_keyboard_and_says_how(qtbot, engine, key):
    clock = Clock()
    window = open_window(qtbot, engine, clock)
    clock.advance(minutes=45)
    press(qtbot, window, K.Key_Right)
    qtbot.mouseClick(window.wellbeing.prompt.take_button, Qt.MouseButton.LeftButton)
    screen = window.wellbeing.break_screen
    assert screen.isVisible() and "Enter" in screen.back_button.text()
    qtbot.keyClick(screen.back_button, key)  # where the focus is during the break
    qtbot.waitUntil(lambda: not screen.isVisible())
    position = window.labelling.state.item.position
    press(qtbot, window, K.Key_Right)
    assert window.labelling.state.item.position == position + 1  # the labelling keys are back
