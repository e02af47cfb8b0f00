"""Team mode in the window: sign in with a password, label blind, give the slot back on quit."""

import pytest
from helpers.databases import sqlite_database
from sqlalchemy import select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.store.tables import Assignment
from moderator.core.team.accounts import add_account
from moderator.gui.main_window import MainWindow
from moderator.gui.sign_in import sign_in


@pytest.fixture
def team_db(tmp_path):
    engine = sqlite_database(tmp_path / "team.sqlite")
    import_drafts(
        engine, [ThreadDraft(source="t", title="T", comments=[CommentDraft("one"), CommentDraft("two")])], name="t", fmt="t"
    )
    admin = add_account(engine, "root", "admin", "rootpw")
    add_account(engine, "ana", "annotator", "anapw", by=admin)
    add_account(engine, "bo", "annotator", "bopw", by=admin)
    yield engine
    engine.dispose()


def test_sign_in_takes_the_right_password_only(qtbot, team_db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", "anapw")
    account = sign_in(Project(team_db), "ana")
    assert account.name == "ana" and account.role == "annotator"
    monkeypatch.setenv("MODERATOR_PASSWORD", "wrong")
    monkeypatch.setattr("moderator.gui.sign_in.QMessageBox.warning", lambda *a: None)
    monkeypatch.setattr("moderator.gui.sign_in.QInputDialog.getText", lambda *a, **k: ("", False))  # user gives up
    assert sign_in(Project(team_db), "ana") is None


def test_the_window_holds_a_lease_and_gives_it_back_on_quit(qtbot, team_db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", "anapw")
    account = sign_in(Project(team_db), "ana")
    window = MainWindow(Project(team_db), "team.sqlite", account, active_schema(team_db)[1])
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state is not None)
    first = window.labelling.state.item.id
    with team_db.connect() as conn:
        assert conn.execute(select(Assignment.comment_id)).scalars().all() == [first]
    window.close()
    with team_db.connect() as conn:
        assert conn.execute(select(Assignment.id)).all() == []  # released: the comment is free again


def test_only_reviewers_get_the_review_menu(qtbot, team_db, monkeypatch):
    monkeypatch.setenv("MODERATOR_PASSWORD", "anapw")
    annotator = MainWindow(Project(team_db), "team.sqlite", sign_in(Project(team_db), "ana"), active_schema(team_db)[1])
    qtbot.addWidget(annotator)
    monkeypatch.setenv("MODERATOR_PASSWORD", "rootpw")
    admin = MainWindow(Project(team_db), "team.sqlite", sign_in(Project(team_db), "root"), active_schema(team_db)[1])
    qtbot.addWidget(admin)
    menus = lambda w: [a.text() for a in w.menuBar().actions()]  # noqa: E731
    assert "&Review" not in menus(annotator) and not annotator.actions_by_id["review.open"].isEnabled()
    assert "&Review" in menus(admin) and admin.actions_by_id["review.open"].isEnabled()
    qtbot.waitUntil(lambda: not annotator.busy and not admin.busy)


def test_a_solo_file_needs_no_password_and_its_owner_sees_everything(qtbot, tmp_path, monkeypatch):
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    engine = sqlite_database(tmp_path / "solo.sqlite")
    account = sign_in(Project(engine), "me")  # no dialog: a QInputDialog here would block the test
    assert account.name == "me" and account.sees_all
    engine.dispose()
