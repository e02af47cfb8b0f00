"""File → New project, Open project, Open recent: a new window on the other project, the old one closed."""

import os
from pathlib import Path

import pytest
import shiboken6
from helpers.databases import PG_ENV, PG_SKIP, sqlite_database, throwaway_postgres
from PySide6.QtWidgets import QMenu, QMessageBox
from sqlalchemy import make_url, select

from moderator.core.demo import load_demo
from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.store.engine import open_database
from moderator.core.store.tables import LabelSchemaRow
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui import settings
from moderator.gui.main_window import MainWindow
from moderator.gui.projects import switcher
from moderator.gui.projects.switcher import ProjectSwitcher


@pytest.fixture(autouse=True)
def no_backups(isolated_settings, monkeypatch, tmp_path):
    """No rolling backup threads copying files under the tests' feet (backups have tests of their own)."""
    settings.set_backup_interval_minutes(0)
    monkeypatch.setenv("MODERATOR_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.delenv("MODERATOR_PASSWORD", raising=False)


@pytest.fixture
def messages(monkeypatch):
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: said.append(text))
    return said


@pytest.fixture
def first(qtbot, tmp_path):
    """The window the user has open, on a project of their own; every window is closed afterwards."""
    engine = sqlite_database(tmp_path / "first.sqlite")
    _, schema = active_schema(engine)
    window = MainWindow(Project(engine), "first.sqlite", Account(ensure_annotator(engine, "tester"), "tester", "admin"), schema)
    window.show()
    qtbot.waitUntil(lambda: not window.busy)
    yield window
    for w in [window, *switcher._windows]:
        if shiboken6.isValid(w) and w.isVisible():
            w.close()
    qtbot.waitUntil(lambda: not switcher._windows)  # closed windows are deleted, and let go
    engine.dispose()


def switched(qtbot, old, new):
    """The new window loaded its first item, and the old one is closed and gone."""
    assert new is not None and new is not old and new.isVisible()
    qtbot.waitUntil(lambda: not new.busy)
    qtbot.waitUntil(lambda: not shiboken6.isValid(old))


def test_a_new_project_is_an_empty_file_with_the_default_schema_in_a_new_window(qtbot, first, tmp_path, monkeypatch):
    monkeypatch.setattr(switcher, "_ask_new_path", lambda parent: str(tmp_path / "fresh"))
    new = ProjectSwitcher(first).new_project()
    switched(qtbot, first, new)
    path = tmp_path / "fresh.sqlite"  # the app's own suffix when none was typed
    assert path.is_file()
    assert new.windowTitle() == "Moderator — fresh.sqlite"
    assert new.queue_model.rowCount() == 0
    assert new.account.name and new.schema.questions
    engine = open_database(str(path))
    with engine.connect() as conn:
        assert conn.scalar(select(LabelSchemaRow.id)) is not None  # the default schema, stored
    engine.dispose()
    assert settings.recent_projects()[0] == f"sqlite:///{path}"


def test_a_new_project_never_overwrites_a_file(qtbot, first, tmp_path, monkeypatch, messages):
    taken = tmp_path / "taken.sqlite"
    taken.write_bytes(b"someone's labels")
    monkeypatch.setattr(switcher, "_ask_new_path", lambda parent: str(taken))
    assert ProjectSwitcher(first).new_project() is None
    assert messages == ["taken.sqlite already exists: choose another name, or open it with Open project."]
    assert taken.read_bytes() == b"someone's labels" and first.isVisible()


def test_opening_a_project_shows_its_comments_and_closes_the_old_window(qtbot, first, tmp_path, monkeypatch):
    other = tmp_path / "demo project.sqlite"
    engine = open_database(str(other))
    load_demo(engine)
    engine.dispose()
    monkeypatch.setattr(switcher, "_ask_open_path", lambda parent: str(other))
    new = ProjectSwitcher(first).open_project()
    switched(qtbot, first, new)
    assert new.windowTitle() == "Moderator — demo project.sqlite"
    assert new.queue_model.rowCount() > 5
    assert new.comment_view.title.text().startswith("Harrowmere")
    assert new.comment_view.text.toPlainText().startswith("I wonder")
    assert settings.recent_projects() == [f"sqlite:///{other}"]


def test_a_damaged_file_is_named_in_one_line_and_the_old_window_stays(qtbot, first, tmp_path, monkeypatch, messages):
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"this is not a database, whatever its name says" * 100)
    monkeypatch.setattr(switcher, "_ask_open_path", lambda parent: str(damaged))
    assert ProjectSwitcher(first).open_project() is None
    assert messages == ["Could not open damaged.sqlite: it is not a Moderator project, or it is damaged."]
    assert first.isVisible() and not first.labelling.closed
    assert not switcher._windows and settings.recent_projects() == []


def test_cancelling_the_dialogs_changes_nothing(qtbot, first, monkeypatch, messages):
    for name in ("_ask_open_path", "_ask_new_path", "_ask_server_url"):
        monkeypatch.setattr(switcher, name, lambda parent: None)
    projects = ProjectSwitcher(first)
    assert projects.open_project() is None and projects.new_project() is None and projects.open_server() is None
    assert first.isVisible() and not messages


def test_recent_projects_are_newest_first_without_repeats_and_at_most_eight(isolated_settings):
    for n in range(10):
        settings.add_recent_project(f"sqlite:////projects/{n}.sqlite")
    settings.add_recent_project("sqlite:////projects/5.sqlite")
    recent = settings.recent_projects()
    assert recent == [f"sqlite:////projects/{n}.sqlite" for n in (5, 9, 8, 7, 6, 4, 3, 2)]
    settings.remove_recent_project("sqlite:////projects/9.sqlite")
    assert "sqlite:////projects/9.sqlite" not in settings.recent_projects()
    settings.clear_recent_projects()
    assert settings.recent_projects() == []


def test_a_server_password_is_never_stored(isolated_settings):
    settings.add_recent_project("postgresql+psycopg://bob:s3cret-pw@db.example:5433/labels?sslmode=require&password=other-pw")
    settings.add_recent_project(make_url("postgresql+psycopg://bob:s3cret-pw@db.example:5433/labels?sslmode=require"))
    assert settings.recent_projects() == ["postgresql+psycopg://bob@db.example:5433/labels?sslmode=require"]
    from PySide6.QtCore import QSettings

    QSettings("Moderator", "Moderator").sync()
    stored = "".join(p.read_text(errors="replace") for p in Path(isolated_settings).rglob("*") if p.is_file())
    assert "labels" in stored and "s3cret" not in stored and "other-pw" not in stored


def test_the_recent_menu_lists_the_other_projects_and_opens_one(qtbot, first, tmp_path):
    other = tmp_path / "other & co.sqlite"
    open_database(str(other)).dispose()
    settings.add_recent_project(f"sqlite:///{other}")
    settings.add_recent_project(first.project.url)  # the one on screen: not offered
    projects = ProjectSwitcher(first)
    menu = QMenu()
    projects.fill_recent_menu(menu)
    ids = [a.objectName() for a in menu.actions() if a.objectName()]
    assert ids == ["file.recent.1", "file.recent.clear"]
    entry = menu.actions()[0]
    assert entry.text().startswith("&1  other && co.sqlite") and entry.statusTip() == str(other)
    entry.trigger()
    qtbot.waitUntil(lambda: not shiboken6.isValid(first))
    (new,) = switcher._windows
    assert new.windowTitle() == "Moderator — other & co.sqlite"
    assert [make_url(url).database for url in settings.recent_projects()] == [str(other), str(tmp_path / "first.sqlite")]
    qtbot.waitUntil(lambda: not new.busy)


def test_clear_recent_empties_the_list(qtbot, first, tmp_path):
    settings.add_recent_project(f"sqlite:///{tmp_path / 'gone.sqlite'}")
    menu = QMenu()
    ProjectSwitcher(first).fill_recent_menu(menu)
    next(a for a in menu.actions() if a.objectName() == "file.recent.clear").trigger()
    assert settings.recent_projects() == []
    ProjectSwitcher(first).fill_recent_menu(menu)
    assert [a.objectName() for a in menu.actions() if a.objectName()] == ["file.recent.clear"]
    assert not menu.actions()[-1].isEnabled()


def test_a_recent_project_that_was_deleted_is_said_so_and_dropped(qtbot, first, tmp_path, messages):
    gone = f"sqlite:///{tmp_path / 'gone.sqlite'}"
    settings.add_recent_project(gone)
    assert ProjectSwitcher(first).open_recent(gone) is None
    assert messages == ["gone.sqlite is no longer there (moved or deleted?)."]
    assert not (tmp_path / "gone.sqlite").exists()  # not made again, empty, by opening it
    assert settings.recent_projects() == [] and first.isVisible()


def test_a_server_address_must_be_postgresql(qtbot, first, monkeypatch, messages):
    monkeypatch.setattr(switcher, "_ask_server_url", lambda parent: "mysql://me@host/db")
    assert ProjectSwitcher(first).open_server() is None
    assert messages == ["Not a team server address: write it as postgresql://login@host/database."]


def test_a_team_server_opens_and_is_remembered_without_its_password(qtbot, first, monkeypatch):
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    with throwaway_postgres(url, "moderator_switch_test") as engine:
        address = engine.url.set(password="not-kept").render_as_string(hide_password=False)
        monkeypatch.setattr(switcher, "_ask_server_url", lambda parent: address)
        new = ProjectSwitcher(first).open_server()
        switched(qtbot, first, new)
        assert new.windowTitle() == f"Moderator — {engine.url.database}@{engine.url.host}"
        remembered = make_url(settings.recent_projects()[0])
        assert remembered.database == engine.url.database and remembered.password is None
        assert "not-kept" not in "".join(settings.recent_projects())
        new.close()
        new.project.close()
