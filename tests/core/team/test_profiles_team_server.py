"""On a team server, profiles and check-ins are written by each person for themselves and read by leads
only: an annotator's own login, in the app or in psql, can neither read them nor write them for others.

Runs on a PostgreSQL cluster that checks passwords (scram-sha-256), made once for the session (tests/conftest.py).
"""

from __future__ import annotations

import psycopg
import pytest
from helpers.databases import SCRAM_SKIP, can_make_clusters
from helpers.team_server import make_team, refused

from moderator.core.schema.definition import schema_from_dict
from moderator.core.team import accounts, profiles
from moderator.core.wellbeing import checkins

pytestmark = pytest.mark.skipif(not can_make_clusters(), reason=SCRAM_SKIP)
SURVEY = schema_from_dict({
    "name": "s", "version": 1,
    "questions": [{"id": "t", "kind": "nominal", "options": [{"value": 1, "label": "a"}, {"value": 2, "label": "b"}]}],
    "survey": {"consent": "ok?", "consent_version": "v1",
               "questions": [{"id": "age", "kind": "choice", "options": ["young", "old"]}]},
}).survey  # fmt: skip


@pytest.fixture
def team(scram_server):
    team = make_team(scram_server, comments=1)
    yield team
    team.drop()


def test_annotators_add_their_own_profile_and_check_ins_and_read_none_back(team):
    engines = {who: team.engine(who) for who in ("ana", "bo", "rita", "adam")}
    try:
        ids = {who: accounts.authenticate(engine, None, None).id for who, engine in engines.items()}
        ana, bo = engines["ana"], engines["bo"]
        assert profiles.survey_due(ana, ids["ana"])
        profiles.save_profile(ana, ids["ana"], {"age": "young"}, "v1", SURVEY)
        profiles.save_profile(bo, ids["bo"], {}, profiles.DECLINED)
        assert not profiles.survey_due(ana, ids["ana"])  # the view answers her about herself
        with pytest.raises(profiles.ProfileExists):
            profiles.save_profile(ana, ids["ana"], {"age": "old"}, "v1", SURVEY)
        checkins.record_checkin(ana, ids["ana"], "start", 4)  # no RETURNING: she may not read the row back
        checkins.record_checkin(bo, ids["bo"], "start", 2)
        with pytest.raises(Exception, match="permission denied|InsufficientPrivilege"):
            profiles.profiles_summary(ana)
        with pytest.raises(Exception, match="permission denied|InsufficientPrivilege"):
            checkins.checkin_summary(ana)
        # Leads read them all, summed up or raw; only an admin erases a profile.
        assert profiles.profiles_summary(engines["rita"], min_group=1)["questions"][0]["counts"] == {"young": 1}
        assert {r["annotator_id"] for r in profiles.profiles_raw(engines["rita"])} == {ids["ana"], ids["bo"]}
        assert checkins.checkin_summary(engines["rita"])["start"]["n"] == 2
    finally:
        for engine in engines.values():
            engine.dispose()

    with team.sql("ana") as psql:
        refused(psql, "SELECT * FROM profiles")
        refused(psql, "SELECT * FROM checkins")
        assert psql.execute("SELECT annotator_id FROM profiles_done").fetchall() == [(ids["ana"],)]  # not bo's
        refused(psql, "INSERT INTO checkins (annotator_id, moment, mood, at) VALUES (%s, 'end', 1, now())", (ids["bo"],))
        refused(psql, "INSERT INTO profiles (annotator_id, answers, consent_version, answered_at) "
                       "VALUES (%s, '{}', 'declined', now())", (ids["rita"],))  # fmt: skip
        refused(psql, "UPDATE profiles SET answers = '{}'")
        refused(psql, "DELETE FROM profiles")
        refused(psql, "DELETE FROM checkins")
        with pytest.raises(psycopg.Error) as caught:  # her own, but not past the scale
            psql.execute("INSERT INTO checkins (annotator_id, moment, mood, at) VALUES (%s, 'end', 9, now())", (ids["ana"],))
        assert caught.value.sqlstate == "23514"
    with team.sql("rita") as psql:
        assert psql.execute("SELECT count(*) FROM profiles").fetchone()[0] == 2
        refused(psql, "UPDATE profiles SET answers = '{}'")
        refused(psql, "DELETE FROM profiles")
    with team.sql("adam") as psql:  # a person's right to have their answers erased
        assert psql.execute("DELETE FROM profiles WHERE annotator_id = %s", (ids["ana"],)).rowcount == 1
