"""Rolling backups while the window is open: at start, on the timer, never in the way of labelling."""

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.core.labelling.log import active_schema, current_label
from moderator.core.project import Project
from moderator.core.store.backup import list_backups
from moderator.core.store.engine import make_engine, open_database
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.devtools.crash_check import integrity
from moderator.devtools.crash_drive import prepare
from moderator.gui import settings
from moderator.gui.background.backup_scheduler import BackupScheduler
from moderator.gui.main_window import MainWindow


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "project.sqlite"
    prepare(str(path), 30)
    engine = open_database(str(path))
    yield path, engine
    engine.dispose()


def test_a_backup_at_start_then_one_per_interval_keeping_the_newest(qtbot, project, tmp_path):
    path, engine = project
    folder = tmp_path / "backups"
    scheduler = BackupScheduler(Project(engine), interval_minutes=10, folder=folder, keep=2)
    scheduler.start()
    qtbot.waitUntil(lambda: len(list_backups(path, folder)) == 1)
    assert scheduler.timer.isActive() and scheduler.timer.interval() == 10 * 60_000
    made = []
    scheduler.done.connect(made.append)
    scheduler.timer.setInterval(20)  # the ten minutes, fast-forwarded
    qtbot.waitUntil(lambda: len(made) >= 4, timeout=10_000)
    scheduler.timer.stop()
    qtbot.waitUntil(lambda: not scheduler.running)  # the copy under way is in, and reported
    scheduler.stop()
    kept = list_backups(path, folder)
    assert len(kept) == 2 and kept[-1] == made[-1]
    assert all(integrity(p) == "ok" for p in kept)


def test_a_slow_backup_never_holds_up_a_submission(qtbot, project, tmp_path, monkeypatch):
    path, engine = project
    release, threads = threading.Event(), []

    def slow_backup(project, folder, keep):
        threads.append(threading.current_thread())
        release.wait(30)  # a big project on a slow disk
        return project.backup_file

    monkeypatch.setattr(Project, "rolling_backup", slow_backup)
    _, schema = active_schema(engine)
    annotator = ensure_annotator(engine, "ana")
    window = MainWindow(Project(engine), "project.sqlite", Account(annotator, "ana", "annotator"), schema)
    qtbot.addWidget(window)
    scheduler = BackupScheduler(window.project, 10, folder=tmp_path / "backups", parent=window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    scheduler.start()
    try:
        qtbot.waitUntil(lambda: bool(threads))
        first = window.labelling.state.item.id
        qtbot.keyClick(window, Qt.Key.Key_3)
        qtbot.keyClick(window, Qt.Key.Key_Return)
        # Stored and the next comment shown while the backup is still copying.
        qtbot.waitUntil(lambda: not window.busy and window.labelling.state.item.id != first)
        assert current_label(engine, first, annotator).values["toxicity"] == 3
        assert scheduler.running and threads[0] is not threading.main_thread()
    finally:
        release.set()
    qtbot.waitUntil(lambda: not scheduler.running)
    scheduler.stop()


def test_nothing_is_scheduled_without_a_sqlite_file_or_with_backups_off(qtbot, project, tmp_path):
    path, engine = project
    memory = make_engine("sqlite://")
    for scheduler in (
        BackupScheduler(Project(memory), 10, folder=tmp_path / "b"),
        BackupScheduler(Project(engine), 0, folder=tmp_path / "b"),
    ):
        scheduler.start()
        assert not scheduler.timer.isActive() and not scheduler.running
    assert not (tmp_path / "b").exists()


def test_the_interval_is_a_preference_of_ten_minutes_by_default():
    assert settings.backup_interval_minutes() == 10
    settings.set_backup_interval_minutes(25)
    assert settings.backup_interval_minutes() == 25
    settings.set_backup_interval_minutes(0)  # off
    assert settings.backup_interval_minutes() == 0
