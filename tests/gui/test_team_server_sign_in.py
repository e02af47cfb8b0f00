"""The window on a team server: the password goes to the server, a one-time password is replaced first,
and the annotator labels with their own login, the database enforcing what they may see."""

from __future__ import annotations

import pytest
from helpers.databases import SCRAM_SKIP, can_make_clusters
from helpers.team_server import make_team
from sqlalchemy import text

from moderator.core.labelling.log import active_schema
from moderator.core.team import logins
from moderator.gui import sign_in as sign_in_module
from moderator.gui.main_window import MainWindow
from moderator.gui.sign_in import open_project, sign_in

pytestmark = pytest.mark.skipif(not can_make_clusters(), reason=SCRAM_SKIP)


@pytest.fixture(scope="module")
def team(scram_server):
    team = make_team(scram_server)
    yield team
    team.drop()


def test_the_window_asks_for_the_password_and_labels_with_the_persons_login(qtbot, team, monkeypatch):
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    name = team.names["ana"]
    typed = iter(["wrong password", team.passwords[name]])
    warnings = []
    monkeypatch.setattr(sign_in_module, "_ask", lambda parent, prompt: next(typed))
    monkeypatch.setattr(sign_in_module.QMessageBox, "warning", lambda parent, title, message: warnings.append(message))
    project = open_project(team.url("ana", with_password=False))
    assert project is not None and warnings == [f"Wrong password for {name}."]
    account = sign_in(project, None)
    assert (account.name, account.role, account.team_server) == (name, "annotator", True)
    assert not account.trains_assist_model  # an annotator's window reads only her own labels
    window = MainWindow(project, "team", account, active_schema(project.engine)[1])
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state is not None, timeout=20000)
    shown = window.labelling.state.item.id
    window.label_panel.choose("toxicity", 2)
    window.label_panel.choose("dehumanization", "none")
    window.actions_by_id["label.submit"].trigger()
    qtbot.waitUntil(lambda: not window.busy and window.labelling.state.item.id != shown, timeout=20000)

    def stored():
        with team.owner.connect() as conn:
            query = "SELECT a.comment_id, p.login FROM annotations a JOIN annotators p ON p.id = a.annotator_id"
            return conn.execute(text(query)).all()

    qtbot.waitUntil(lambda: stored() != [], timeout=30000)  # kept on disk first, then sent in the background
    assert stored() == [(shown, name)]
    window.close()
    project.close()


def test_a_one_time_password_is_replaced_before_labelling(qtbot, team, monkeypatch):
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)
    name = team.names["bo"]
    logins.set_password(team.owner, name, "one-time-pw")  # an admin's reset counts as one-time
    team.passwords[name] = "one-time-pw"
    typed = iter(["short", "bos-own-password", "different", "bos-own-password", "bos-own-password"])
    warnings = []
    monkeypatch.setattr(sign_in_module, "_ask", lambda parent, prompt: next(typed))
    monkeypatch.setattr(sign_in_module.QMessageBox, "warning", lambda parent, title, message: warnings.append(message))
    project = open_project(team.url("bo"))
    account = sign_in(project, None)
    assert account is not None and not account.must_change_password
    assert len(warnings) == 2  # too short, then the two entries differed
    project.close()
    team.passwords[name] = "bos-own-password"
    open_project(team.url("bo")).close()  # the new password opens it
