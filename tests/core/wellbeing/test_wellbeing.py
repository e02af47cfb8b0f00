"""Wellbeing rules: what is severe, the session clock and breaks, the daily cap and where a day ends."""

import io
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from moderator.core.agreement.report import agreement_report
from moderator.core.export.writer import write_export
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.claims import configure as configure_project
from moderator.core.labelling.log import SKIP_REASON_KEY, current_label, skip_reason, submit
from moderator.core.labelling.session import claim_item
from moderator.core.schema.definition import LabelError
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import ensure_annotator
from moderator.core.wellbeing import session as wellbeing
from moderator.core.wellbeing.lexicon import Severity
from moderator.core.wellbeing.session import Session, WellbeingConfig

SEVERE, MILD, NONE = Severity.SEVERE, Severity.MILD, Severity.NONE
UTC = UTC
BERLIN_WINTER = timezone(timedelta(hours=1))


class Clock:
    def __init__(self, start=datetime(2031, 3, 4, 9, 0, tzinfo=UTC)):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


def session(clock=None, **options):
    return Session(WellbeingConfig(**options), clock or Clock(), tz=UTC)


# what counts as severe ------------------------------------------------------------------------------


def test_severity_comes_from_the_lexicon_and_a_model_score_can_raise_it():
    assert wellbeing.severity("Vermin, the lot of them.") == SEVERE
    assert wellbeing.severity("a plague of parking wardens") == MILD
    assert wellbeing.severity("I can do Saturday mornings") == NONE
    assert wellbeing.severity("I can do Saturday mornings", score=0.93) == SEVERE
    assert wellbeing.severity("I can do Saturday mornings", score=0.6) == MILD
    assert wellbeing.severity("Vermin, the lot of them.", score=0.1) == SEVERE  # a low score never hides a match


def test_only_severe_items_are_blurred_and_only_when_the_project_blurs():
    assert wellbeing.should_blur(WellbeingConfig(), SEVERE)
    assert not wellbeing.should_blur(WellbeingConfig(), MILD)
    assert not wellbeing.should_blur(WellbeingConfig(blur=False), SEVERE)


# breaks -------------------------------------------------------------------------------------------


def test_a_break_is_suggested_after_the_set_minutes_and_not_before():
    clock = Clock()
    s = session(clock, break_minutes=45)
    clock.advance(minutes=44, seconds=59)
    assert s.break_due() is None
    clock.advance(seconds=1)
    assert s.break_due() == "You have been labelling for 45 minutes."


def test_a_break_is_suggested_after_the_set_number_of_severe_items():
    s = session(break_severe=3)
    for comment_id in (1, 2):
        assert s.saw(comment_id, SEVERE)
    s.saw(10, MILD)
    s.saw(2, SEVERE)  # the same comment again (back and forth) is read once
    assert s.break_due() is None
    s.saw(3, SEVERE)
    assert "3 severe comments" in s.break_due()


def test_not_now_asks_again_after_another_full_interval():
    clock = Clock()
    s = session(clock, break_minutes=45)
    clock.advance(minutes=50)
    s.dismiss_break()
    clock.advance(minutes=44)
    assert s.break_due() is None
    clock.advance(minutes=1)
    assert s.break_due() is not None


def test_a_break_pauses_the_session_clock_and_counts_down():
    clock = Clock()
    s = session(clock, break_length_minutes=5)
    clock.advance(minutes=30)
    s.start_break()
    assert s.on_break and s.break_due() is None
    clock.advance(minutes=2)
    assert s.active_seconds() == 30 * 60 and s.break_left() == 3 * 60
    clock.advance(minutes=4)
    assert s.break_left() == 0
    s.end_break()
    clock.advance(minutes=1)
    assert s.active_seconds() == 31 * 60


def test_breaks_can_be_turned_off():
    clock = Clock()
    s = session(clock, breaks=False, break_severe=1)
    s.saw(1, SEVERE)
    clock.advance(hours=5)
    assert s.break_due() is None


# the daily cap --------------------------------------------------------------------------------------


def test_the_cap_stops_the_next_severe_item_not_a_mild_one_nor_one_already_seen():
    s = session(daily_cap=2)
    for comment_id in (1, 2):
        assert not s.over_cap(comment_id, SEVERE)
        s.saw(comment_id, SEVERE)
    assert s.over_cap(3, SEVERE)
    assert not s.over_cap(4, MILD)
    assert not s.over_cap(2, SEVERE)


def test_an_override_lifts_the_cap_until_the_day_ends():
    clock = Clock(datetime(2031, 3, 4, 22, 0, tzinfo=UTC))
    s = session(clock, daily_cap=1)
    s.saw(1, SEVERE)
    s.override_cap()
    assert not s.over_cap(2, SEVERE)
    s.saw(2, SEVERE)
    assert s.severe_today() == 2
    clock.advance(hours=2)  # midnight: a new day, a fresh count, and the cap is back
    assert s.severe_today() == 0
    s.saw(3, SEVERE)
    assert s.over_cap(4, SEVERE)
    assert len(s.seen) == 3  # the session count does not reset at midnight


def test_no_cap_when_it_is_zero():
    s = session(daily_cap=0)
    for comment_id in range(500):
        s.saw(comment_id, SEVERE)
    assert not s.over_cap(1000, SEVERE)


def test_the_day_ends_at_local_midnight():
    clock = Clock(datetime(2031, 3, 4, 22, 30, tzinfo=UTC))  # 23:30 in Berlin
    s = Session(WellbeingConfig(), clock, tz=BERLIN_WINTER)
    s.saw(1, SEVERE)
    clock.advance(minutes=29)
    assert s.severe_today() == 1
    clock.advance(minutes=1)  # 00:00 in Berlin, still 23:00 in UTC
    assert s.today() == date(2031, 3, 5) and s.severe_today() == 0


def test_the_count_from_earlier_sessions_adds_to_this_one_without_counting_twice():
    s = session(daily_cap=3)
    s.add_stored(date(2031, 3, 4), {1, 2})
    s.add_stored(date(2031, 3, 3), {7, 8, 9})  # yesterday's: ignored
    s.saw(2, SEVERE)
    assert s.severe_today() == 2
    assert not s.over_cap(3, SEVERE)
    s.saw(3, SEVERE)
    assert s.over_cap(4, SEVERE)


# project options ------------------------------------------------------------------------------------


def test_options_are_stored_in_the_project_and_validated(engine):
    assert wellbeing.load_config(engine) == WellbeingConfig()
    wellbeing.configure(engine, blur=False, daily_cap=80)
    wellbeing.configure(engine, break_minutes=30, greyscale=None)
    assert wellbeing.load_config(engine) == WellbeingConfig(blur=False, daily_cap=80, break_minutes=30)
    for bad in ({"break_minutes": 0}, {"blur": "yes"}, {"daily_cap": -1}, {"colour": True}, {"break_severe": True}):
        with pytest.raises(ValueError):
            wellbeing.configure(engine, **bad)
    assert wellbeing.load_config(engine).daily_cap == 80


# stored data: severe items answered today, and the skip for wellbeing ------------------------------------------


@pytest.fixture
def thread(engine):
    texts = ["Vermin, the lot of them.", "I can do Saturday mornings.", "They must all die.", "A plague on both houses."]
    import_drafts(
        engine, [ThreadDraft(source="test", title="T", comments=[CommentDraft(t) for t in texts])], name="t", fmt="test"
    )
    with engine.connect() as conn:
        return conn.scalars(select(Comment.id).order_by(Comment.position)).all()


def test_severe_items_answered_today_survive_a_restart(engine, thread):
    ana = ensure_annotator(engine, "ana")
    for comment_id in thread:
        submit(engine, comment_id, ana, {}, status="skipped")
    today = datetime.now(UTC).date()
    found = wellbeing.severe_answered_on(engine, ana, today, UTC, wellbeing.severity)
    assert found == {thread[0], thread[2]}
    assert wellbeing.severe_answered_on(engine, ana, today - timedelta(days=1), UTC, wellbeing.severity) == set()
    assert wellbeing.severe_answered_on(engine, ensure_annotator(engine, "bo"), today, UTC, wellbeing.severity) == set()


def test_a_skip_for_wellbeing_keeps_its_reason_returns_to_the_pool_and_is_never_a_label(engine, thread):
    configure_project(engine, overlap=1)
    ana, bo, cy = (ensure_annotator(engine, n) for n in ("ana", "bo", "cy"))
    assert claim_item(engine, ana, None).item.id == thread[0]
    label = submit(engine, thread[0], ana, {SKIP_REASON_KEY: wellbeing.WELLBEING_SKIP}, status="skipped")
    assert skip_reason(current_label(engine, thread[0], ana)) == "wellbeing" and label.status == "skipped"
    assert claim_item(engine, bo, None).item.id == thread[0]  # back in the pool for someone else
    submit(engine, thread[0], bo, {"toxicity": 4, "dehumanization": "explicit"})
    submit(engine, thread[0], cy, {"toxicity": 1, "dehumanization": "none"}, status="skipped")

    out = io.StringIO()
    write_export(engine, out, "jsonl", keep_annotators=True)
    record = json.loads(out.getvalue().splitlines()[0])
    by_name = {a["annotator"]: a for a in record["annotations"]}
    assert by_name["ana"]["status"] == "skipped" and by_name["ana"]["values"].get("toxicity") is None
    assert record["majority"]["toxicity"] == 4  # bo's answer alone: the skips are no labels
    toxicity = agreement_report(engine)["toxicity"]
    assert toxicity["annotations"] == 1 and toxicity["pairable_items"] == 0 and toxicity["annotators"] == 1


def test_only_a_skip_carries_a_reason(engine, thread):
    ana = ensure_annotator(engine, "ana")
    with pytest.raises(LabelError):
        submit(engine, thread[1], ana, {"toxicity": 1, SKIP_REASON_KEY: "wellbeing"})
    with pytest.raises(LabelError):
        submit(engine, thread[1], ana, {SKIP_REASON_KEY: "bored"}, status="skipped")


def test_command_line_sets_the_projects_options(tmp_path, capsys):
    from moderator.cli.main import main
    from moderator.core.store.engine import open_database

    db = str(tmp_path / "cli.sqlite")
    assert main(["--db", db, "project", "--blur", "off", "--greyscale", "on", "--daily-cap", "0", "--break-minutes", "30"]) == 0
    assert (
        "blur = off, greyscale = on, breaks = after 30 min or 25 severe, 5 min long, daily cap = none" in capsys.readouterr().out
    )
    assert main(["--db", db, "project", "--break-severe", "0"]) == 1  # refused, and nothing changed
    engine = open_database(db)
    assert wellbeing.load_config(engine) == WellbeingConfig(blur=False, greyscale=True, daily_cap=0, break_minutes=30)
    engine.dispose()
