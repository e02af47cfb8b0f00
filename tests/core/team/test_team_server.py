"""A team server that vouches for itself: an annotator with their own login and a plain SQL client tries
every attack we know of, and the database refuses each one, while the app labels normally.

Runs on a PostgreSQL cluster of its own that checks passwords (scram-sha-256), made and dropped here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from helpers.databases import SCRAM_SKIP, can_make_clusters
from helpers.team_server import DENIED, Team, make_team, refused
from sqlalchemy import text

from moderator.core.agreement import review
from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling import log, session
from moderator.core.labelling.claims import SlotTaken
from moderator.core.store.engine import PasswordNeeded, make_engine, open_database
from moderator.core.team import accounts, logins
from moderator.core.team.identity import AuthError

pytestmark = pytest.mark.skipif(not can_make_clusters(), reason=SCRAM_SKIP)


@pytest.fixture
def cluster(scram_server):
    return scram_server


@pytest.fixture
def team(cluster):
    team = make_team(cluster)
    yield team
    team.drop()


def test_the_server_checks_each_persons_password(team):
    with pytest.raises(PasswordNeeded) as missing:
        open_database(team.url("ana", with_password=False))
    assert not missing.value.wrong
    with pytest.raises(PasswordNeeded) as wrong:
        open_database(team.url("ana", password="not-her-password"))
    assert wrong.value.wrong
    ana = team.engine("ana")
    try:
        account = accounts.authenticate(ana, None, None)
        assert (account.name, account.role) == (team.names["ana"], "annotator")
        with pytest.raises(AuthError, match="signed in to the database as"):
            accounts.authenticate(ana, team.names["bo"], team.passwords[team.names["bo"]])
    finally:
        ana.dispose()
    with team.owner.connect() as conn:  # no password, and no hash of one, in any table
        assert conn.execute(text("SELECT count(*) FROM annotators WHERE password_hash IS NOT NULL")).scalar() == 0


def test_an_annotator_labels_through_the_app_and_every_attack_from_psql_isrefused(team):
    n = team.names
    bo_engine, ana_engine, rita_engine = team.engine("bo"), team.engine("ana"), team.engine("rita")
    try:
        bo = accounts.authenticate(bo_engine, None, None)
        ana = accounts.authenticate(ana_engine, None, None)
        rita = accounts.authenticate(rita_engine, None, None)
        # bo labels the first comment, a reviewer decides its gold label.
        first = session.load_resume(bo_engine, bo.id)
        session.answer_and_advance(bo_engine, bo.id, first.item.id, {"toxicity": 4, "dehumanization": "none"}, [])
        review.decide(rita_engine, first.item.id, rita, {"toxicity": 3})
        # ana labels normally through the app: k = 1, so bo's comment is not offered to her.
        state = session.load_resume(ana_engine, ana.id)
        assert state is not None and state.item.id != first.item.id
        advance = session.answer_and_advance(ana_engine, ana.id, state.item.id, {"toxicity": 1, "dehumanization": "none"}, [])
        assert advance.label.values["toxicity"] == 1 and advance.next is not None
        assert session.undo_and_load(ana_engine, ana.id).item.id == state.item.id  # undo is a new row: allowed
        session.answer_and_advance(ana_engine, ana.id, state.item.id, {"toxicity": 2, "dehumanization": "none"}, [])
        with pytest.raises(SlotTaken):  # the app asked to answer a full comment: the database said no
            log.submit(ana_engine, first.item.id, ana.id, {"toxicity": 1, "dehumanization": "none"})
    finally:
        for engine in (bo_engine, ana_engine, rita_engine):
            engine.dispose()

    with team.sql("ana") as psql:
        # Reading: threads and comments yes; others' labels, gold, secrets, hashes, profiles no.
        assert psql.execute("SELECT count(*) FROM comments").fetchone()[0] == 6
        rows = psql.execute("SELECT DISTINCT annotator_id FROM annotations").fetchall()
        assert rows == [(ana.id,)]
        assert psql.execute("SELECT name FROM annotators").fetchall() == [(n["ana"],)]
        assert psql.execute("SELECT count(*) FROM assignments WHERE annotator_id <> %s", (ana.id,)).fetchone()[0] == 0
        refused(psql, "SELECT * FROM gold_labels")
        refused(psql, "SELECT * FROM project_secrets")
        assert "author_key_secret" not in str(psql.execute("SELECT key FROM project_settings").fetchall())
        refused(psql, "SELECT moderator_slots_taken(1, 1)")
        # The log is append-only and one's own: no UPDATE, DELETE or TRUNCATE, no row as someone else.
        refused(psql, "UPDATE annotations SET values = '{\"toxicity\": 1}'")
        refused(psql, "DELETE FROM annotations")
        refused(psql, "TRUNCATE annotations")
        schema_id = psql.execute("SELECT max(id) FROM label_schemas").fetchone()[0]
        second = psql.execute("SELECT id FROM comments ORDER BY id OFFSET 4 LIMIT 1").fetchone()[0]
        insert = ("INSERT INTO annotations (comment_id, annotator_id, schema_id, values, spans, status, action, submitted_at) "
                  "VALUES (%s, %s, %s, '{}', '[]', 'submitted', %s, now())")  # fmt: skip
        refused(psql, insert, (second, bo.id, schema_id, "submit"))  # as bo
        refused(psql, insert, (second, ana.id, schema_id, "import"))  # a dataset's label, forged
        bo_row = team.owner.connect().execute(text("SELECT id FROM annotations WHERE annotator_id = :b"), {"b": bo.id}).scalar()
        refused(psql, insert.replace("submitted_at)", "submitted_at, supersedes_id)").replace("now())", "now(), %s)"),
                 (first.item.id, ana.id, schema_id, "edit", bo_row), code="MD002")  # hijack bo's chain  # fmt: skip
        # Claims: only one's own, never over k (checked inside the database), never for a year.
        lease = "INSERT INTO assignments (comment_id, annotator_id, claimed_at, expires_at) VALUES (%s, %s, now(), %s)"
        refused(psql, lease, (second, bo.id, datetime.now(UTC) + timedelta(minutes=5)))
        taken = psql.execute(lease, (first.item.id, ana.id, datetime.now(UTC) + timedelta(minutes=5)))
        assert taken.rowcount == 0  # a lease over k is not stored
        refused(psql, insert, (first.item.id, ana.id, schema_id, "submit"), code="MD001")
        psql.execute(lease, (second, ana.id, datetime(2100, 1, 1, tzinfo=UTC)))
        held = psql.execute("SELECT expires_at - now() FROM assignments WHERE comment_id = %s", (second,)).fetchone()[0]
        assert held <= timedelta(minutes=30)
        # Roles, settings, the schema, grants: none of them are hers to change.
        refused(psql, "UPDATE annotators SET role = 'admin'")
        refused(psql, "INSERT INTO annotators (name, role, login, password_reset, created_at) "
                       "VALUES ('x', 'admin', 'x', false, now())")  # fmt: skip
        refused(psql, "UPDATE project_settings SET value = '5' WHERE key = 'overlap'")
        refused(psql, "INSERT INTO project_settings (key, value) VALUES ('ordering', '\"random\"')")
        # Nor to put herself in an experiment's arm of her choosing, or rewrite how a label was made.
        refused(psql, "INSERT INTO project_settings (key, value) VALUES "
                       "('experiment', '{\"factor\": \"hint\", \"unit\": \"person\", \"seed\": 3}')")  # fmt: skip
        refused(psql, "UPDATE annotations SET provenance = '{\"hint_shown\": false}'")  # no UPDATE grant, and the trigger besides
        refused(psql, "INSERT INTO label_schemas (name, version, definition, sha256, created_at) "
                       "VALUES ('x', 9, '{}', 'x', now())")  # fmt: skip
        refused(psql, f'GRANT "{team.database}_admins" TO "{n["ana"]}"', code=DENIED)
        refused(psql, f'SET ROLE "{team.database}_admins"', code=DENIED)
        refused(psql, f'ALTER ROLE "{n["ana"]}" CREATEROLE', code=DENIED)
        refused(psql, "CREATE TABLE mine (x int)")
        refused(psql, "CREATE TEMP TABLE mine (x int)")
        refused(psql, "ALTER TABLE annotations DISABLE TRIGGER ALL", code=DENIED)
        # The counts she may see say how full a comment is, and nothing of whose answers they are.
        assert psql.execute("SELECT count(*) FROM answers_in_force WHERE comment_id = %s", (first.item.id,)).fetchone()[0] == 1

    with team.sql("rita") as psql:  # a reviewer reads every label and the gold, yet cannot rewrite the log
        assert psql.execute("SELECT count(DISTINCT annotator_id) FROM annotations").fetchone()[0] == 2
        assert psql.execute("SELECT count(*) FROM gold_labels").fetchone()[0] == 1
        refused(psql, "UPDATE annotations SET values = '{}'")
        refused(psql, "DELETE FROM gold_labels")
        refused(psql, "UPDATE annotators SET role = 'admin'")
    with team.sql("adam") as psql:  # an admin changes settings and roles, yet the log stays append-only
        psql.execute("UPDATE project_settings SET value = '2' WHERE key = 'overlap'")
        refused(psql, "DELETE FROM annotations")
        refused(psql, "DELETE FROM gold_labels")
        refused(psql, "TRUNCATE gold_labels")
    with team.superuser() as psql:  # the trigger holds even for a superuser: only the tables' owner may
        refused(psql, "DELETE FROM annotations", code="MD003")
        refused(psql, "UPDATE gold_labels SET note = 'changed'", code="MD003")
    with team.owner.connect() as conn:  # everything above left the labels as they were
        counts = conn.execute(text("SELECT annotator_id, count(*) FROM annotations GROUP BY annotator_id")).all()
        assert dict(counts) == {bo.id: 1, ana.id: 3}  # ana: answer, undo, answer again; nothing refused got in
        assert conn.execute(text("SELECT count(*) FROM gold_labels")).scalar() == 1


def test_only_admins_add_people_and_a_disabled_person_cannot_connect(team):
    n = team.names
    rita_engine = team.engine("rita")
    try:
        with pytest.raises(AuthError, match="only an admin"):
            logins.add_login(rita_engine, f"eve_{uuid.uuid4().hex[:6]}", "annotator", "pw-eve-123")
    finally:
        rita_engine.dispose()
    adam_engine = team.engine("adam")
    try:
        logins.disable_login(adam_engine, n["bo"])
        with pytest.raises(Exception, match="permission denied"):
            team.engine("bo")
        states = {info.name: info.access for info in accounts.list_accounts(adam_engine)}
        assert states[n["bo"]] == "disabled" and states[n["ana"]] == "active"
        account, new = logins.add_login(adam_engine, n["bo"], "annotator", None)  # back again, same password
        assert not new and account.name == n["bo"]
        team.engine("bo").dispose()
    finally:
        adam_engine.dispose()


def test_an_earlier_team_database_upgrades_with_one_time_passwords(cluster):
    team = Team(cluster)
    try:
        ana = team.names["ana"]
        lead = accounts.add_account(team.owner, team.names["lead"], "admin", "old-lead-pw")
        accounts.add_account(team.owner, ana, "annotator", "old-ana-pw", by=lead)
        report = logins.setup_team(team.owner)
        assert set(report.one_time) == {ana} and report.owner == team.names["lead"]
        with team.owner.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM annotators WHERE password_hash IS NOT NULL")).scalar() == 0
        with pytest.raises(PasswordNeeded):
            open_database(team.url("ana", password="old-ana-pw"))  # the old password went with its hash
        engine = open_database(team.url("ana", password=report.one_time[ana]))
        try:
            assert accounts.authenticate(engine, None, None).must_change_password
            logins.set_password(engine, ana, "her-own-pw")
            assert not accounts.authenticate(engine, None, None).must_change_password
        finally:
            engine.dispose()
        open_database(team.url("ana", password="her-own-pw")).dispose()
    finally:
        team.drop()


def test_the_command_line_signs_in_with_the_persons_own_login(team, monkeypatch, capsys):
    from moderator.cli.main import main

    n = team.names
    ana_url = team.url("ana", with_password=False).render_as_string(hide_password=False)
    lead_url = team.url("lead").render_as_string(hide_password=False)
    monkeypatch.setenv("MODERATOR_PASSWORD", team.passwords[n["ana"]])
    assert main(["stats", "--db", ana_url]) == 0
    assert main(["project", "--overlap", "3", "--db", ana_url]) == 1
    assert "only a reviewer or admin" in capsys.readouterr().err
    assert main(["export", "--format", "jsonl", "--db", ana_url]) == 1
    assert "only reviewers and admins export" in capsys.readouterr().err
    monkeypatch.setenv("MODERATOR_PASSWORD", "wrong")
    assert main(["stats", "--db", ana_url]) == 1
    assert "wrong password" in capsys.readouterr().err
    # An admin adds a person; the new password is MODERATOR_NEW_PASSWORD, never the admin's own.
    newcomer = f"cleo_{uuid.uuid4().hex[:6]}"
    monkeypatch.delenv("MODERATOR_PASSWORD")
    monkeypatch.setenv("MODERATOR_NEW_PASSWORD", "cleos-own-pw")
    try:
        assert main(["annotators", "add", newcomer, "--db", lead_url]) == 0
        engine = open_database(team.url("ana").set(username=newcomer, password="cleos-own-pw"))
        assert accounts.authenticate(engine, None, None).role == "annotator"
        engine.dispose()
    finally:
        lead = make_engine(team.url("lead"))
        logins.drop_login(lead, newcomer)
        lead.dispose()


def test_a_reviewer_imports_a_dataset_with_its_labels_and_exports_it_pseudonymised(team):
    import io
    import json

    from moderator.core.export.writer import write_export
    from moderator.core.importing.drafts import PriorLabel
    from moderator.core.schema.definition import load_schema

    rita_engine = team.engine("rita")
    try:
        rita = accounts.authenticate(rita_engine, None, None)
        labelled = [CommentDraft("they are vermin", author="Real Name", prior_labels=[PriorLabel("Ann1", {"toxicity": 4})])]
        thread = ThreadDraft(source="lewidi", title="Data", comments=labelled, prior_schema=load_schema().definition)
        summary = import_drafts(rita_engine, [thread], name="d.json", fmt="lewidi")
        assert summary.labels_added == 1
        out = io.StringIO()
        write_export(rita_engine, out, "jsonl", None, rita, level="annotation")
    finally:
        rita_engine.dispose()
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert all(r["annotator"].startswith("annotator_") for r in records) and "Ann1" not in out.getvalue()
    assert "Real Name" not in out.getvalue()  # the pseudonym key was the reviewer's to read
    with team.sql("ana") as psql:  # the same import, tried by an annotator, is refused by the database
        refused(psql, "INSERT INTO threads (source, article, meta, content_hash) VALUES ('x', '', '{}', 'x')")
