"""Wellbeing check-ins: recorded per moment, summed up without anyone's own answers, off by default."""

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from moderator.core.project import Project
from moderator.core.store.tables import Checkin
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.core.wellbeing import checkins
from moderator.core.wellbeing import session as wellbeing


def test_check_ins_are_recorded_and_summed_up_per_moment(engine):
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    for who, moment, mood in [(ana, "start", 4), (bo, "start", 2), (ana, "after_break", 3), (ana, "start", 5)]:
        checkins.record_checkin(engine, who, moment, mood)
    summary = checkins.checkin_summary(engine)
    assert list(summary) == ["start", "after_break", "end"]
    assert summary["start"] == {"n": 3, "people": 2, "mean": 3.67, "distribution": {1: 0, 2: 1, 3: 0, 4: 1, 5: 1}}
    assert summary["after_break"]["n"] == 1 and summary["after_break"]["mean"] == 3
    assert summary["end"] == {"n": 0, "people": 0, "mean": None, "distribution": dict.fromkeys(range(1, 6), 0)}


def test_a_check_in_out_of_range_is_refused_by_the_app_and_by_the_database(engine):
    ana = ensure_annotator(engine, "ana")
    for moment, mood in [("lunch", 3), ("start", 0), ("start", 6), ("start", True), ("start", 2.5)]:
        with pytest.raises(ValueError):
            checkins.record_checkin(engine, ana, moment, mood)
    for values in ({"moment": "start", "mood": 9}, {"moment": "lunch", "mood": 3}):
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(insert(Checkin).values(annotator_id=ana, **values))
    assert checkins.checkin_summary(engine)["start"]["n"] == 0


def test_check_ins_are_off_by_default_a_lead_turns_them_on_and_only_leads_read_them(engine):
    project = Project(engine)
    assert not project.wellbeing_config().checkins
    assert project.configure_wellbeing(checkins=True).checkins and wellbeing.load_config(engine).checkins
    with pytest.raises(ValueError, match="on or off"):
        project.configure_wellbeing(checkins="yes")
    ana = ensure_annotator(engine, "ana")
    project.record_checkin(ana, "end", 1)
    with pytest.raises(PermissionError):
        project.checkin_summary(viewer=Account(ana, "ana", "annotator"))
    assert project.checkin_summary(viewer=Account(ana, "lead", "admin"))["end"]["distribution"][1] == 1
