"""Project settings: typed, checked, and stored in the format existing databases already hold."""

import pytest
from sqlalchemy import insert, select

from moderator.core.store import settings
from moderator.core.store.engine import writer
from moderator.core.store.settings import AssistModelInfo, ClaimSettings, WellbeingConfig
from moderator.core.store.tables import ProjectSecret, ProjectSetting


def stored(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(ProjectSetting.key, ProjectSetting.value)).all())


def test_a_fresh_project_reads_the_defaults(engine):
    with engine.connect() as conn:
        assert settings.claim_settings(conn) == ClaimSettings(overlap=1, lease_minutes=30, ordering="thread")
        assert settings.wellbeing_config(conn) == WellbeingConfig()
        assert settings.assist_model_info(conn) is None
        assert settings.active_schema_id(conn) is None


def test_the_stored_keys_and_json_values_do_not_change(engine):
    info = AssistModelInfo(version=2, mark=41, labels_trained_on=40, comments=30, positives=9,
                           trained_at="2025-01-02T03:04:05+00:00", scored=120, scored_through=-1)  # fmt: skip
    with writer(engine) as conn, conn.begin():
        settings.set_claim_settings(conn, overlap=3, lease_minutes=45, ordering="least")
        settings.set_wellbeing_config(conn, blur=False, daily_cap=80)
        settings.set_active_schema_id(conn, 7)
        settings.set_assist_model_info(conn, info)
        secret = settings.author_key_secret(conn)
    assert stored(engine) == {
        "overlap": 3,
        "lease_minutes": 45,
        "ordering": "least",
        "wellbeing": {"blur": False, "greyscale": False, "breaks": True, "break_minutes": 45, "break_severe": 25,
                      "break_length_minutes": 5, "daily_cap": 80, "checkins": False},  # check-ins: issue 16
        "active_schema_id": 7,
        "assist_model": {"version": 2, "mark": 41, "labels_trained_on": 40, "comments": 30, "positives": 9,
                         "trained_at": "2025-01-02T03:04:05+00:00", "scored": 120, "scored_through": -1},
    }  # fmt: skip
    # The pseudonym key is a secret, kept apart from the settings every annotator may read.
    with engine.connect() as conn:
        assert conn.scalar(select(ProjectSecret.value).where(ProjectSecret.key == "author_key_secret")) == secret
    assert len(secret) == 64 and int(secret, 16) >= 0


def test_values_written_by_earlier_versions_read_back_typed(engine):
    rows = {
        "overlap": 2, "ordering": "random", "active_schema_id": 3,
        "wellbeing": {"greyscale": True, "break_minutes": 30, "retired_option": 1},
        "assist_model": {"labels_trained_on": 12, "comments": 10, "positives": 4, "version": 1},  # before marks
    }  # fmt: skip
    with engine.begin() as conn:
        conn.execute(insert(ProjectSetting), [{"key": k, "value": v} for k, v in rows.items()])
        conn.execute(insert(ProjectSecret).values(key="author_key_secret", value="f" * 32))
    with writer(engine) as conn, conn.begin():
        assert settings.claim_settings(conn) == ClaimSettings(overlap=2, lease_minutes=30, ordering="random")
        assert settings.wellbeing_config(conn) == WellbeingConfig(greyscale=True, break_minutes=30)
        assert settings.active_schema_id(conn) == 3
        assert settings.assist_model_info(conn) == AssistModelInfo(version=1, labels_trained_on=12, comments=10, positives=4)
        assert settings.author_key_secret(conn) == "f" * 32  # never replaced


def test_mistyped_stored_values_read_as_their_defaults(engine):
    rows = {"overlap": "3", "lease_minutes": True, "ordering": "alphabetical", "wellbeing": [1], "assist_model": "x"}
    with engine.begin() as conn:
        conn.execute(insert(ProjectSetting), [{"key": k, "value": v} for k, v in rows.items()])
    with engine.connect() as conn:
        assert settings.claim_settings(conn) == ClaimSettings()
        assert settings.wellbeing_config(conn) == WellbeingConfig()
        assert settings.assist_model_info(conn) is None


@pytest.mark.parametrize(
    "bad", [{"overlap": 0}, {"overlap": True}, {"lease_minutes": settings.MIN_LEASE_MINUTES - 1}, {"ordering": "alphabetical"}]
)
def test_a_refused_claim_setting_changes_nothing(engine, bad):
    with writer(engine) as conn, conn.begin():
        with pytest.raises(ValueError):
            settings.set_claim_settings(conn, **{"overlap": 2, **bad})
        assert settings.claim_settings(conn) == ClaimSettings()


def test_changes_leave_the_other_settings_as_they_are(engine):
    with writer(engine) as conn, conn.begin():
        settings.set_claim_settings(conn, overlap=2)
        assert settings.set_claim_settings(conn, ordering="uncertain") == ClaimSettings(overlap=2, ordering="uncertain")
        settings.set_wellbeing_config(conn, breaks=False)
        assert settings.set_wellbeing_config(conn, daily_cap=0, breaks=None) == WellbeingConfig(breaks=False, daily_cap=0)
        with pytest.raises(ValueError, match="unknown wellbeing option"):
            settings.set_wellbeing_config(conn, colour=True)


def test_author_keys_are_stable_pseudonyms():
    # Stored in every imported comment: a changed definition would give the same author a new key.
    assert settings.author_key("f" * 32, "Ann") == "ca760ce0233259b6"
    assert settings.author_key("f" * 32, "  ann ") == settings.author_key("f" * 32, "Ann")
    assert settings.author_key("0" * 32, "Ann") != settings.author_key("f" * 32, "Ann")
    assert settings.author_key("f" * 32, "") is None and settings.author_key("f" * 32, None) is None
