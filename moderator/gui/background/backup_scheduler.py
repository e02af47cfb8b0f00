"""Rolling backups while the app runs: one at start, then every N minutes, copied off the GUI thread.

The copy runs on a worker of its own, not the labelling worker, so a long copy of a big project never
queues a submission behind it. The core does the work (Project.rolling_backup); this only schedules.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from moderator.core.project import Project
from moderator.core.store.backup import KEEP
from moderator.gui.background.workers import DbWorker


class BackupScheduler(QObject):
    done = Signal(object)  # Path of the new backup
    failed = Signal(str)

    def __init__(self, project: Project, interval_minutes: int, folder: Path | None = None, keep: int = KEEP, parent=None):
        super().__init__(parent)
        self.project = project
        # Only a SQLite file can be copied here; a PostgreSQL project is backed up with pg_dump.
        self.database = self.project.backup_file
        self.folder = folder
        self.keep = keep
        self.running = False
        self.worker = DbWorker(self)
        self.timer = QTimer(self, interval=max(1, interval_minutes) * 60_000)
        self.timer.timeout.connect(self.back_up_now)
        self.enabled = self.database is not None and interval_minutes > 0

    def start(self) -> None:
        if self.enabled:
            self.back_up_now()
            self.timer.start()

    def back_up_now(self) -> None:
        if self.running or self.database is None:
            return  # one copy at a time: a slow disk must not pile them up
        self.running = True
        self.worker.submit(self.project.rolling_backup, self.folder, self.keep, on_done=self._done, on_error=self._failed)

    def stop(self) -> None:
        """No more backups; wait for one under way (a killed copy would only leave a .part file)."""
        self.timer.stop()
        self.worker.shutdown()

    def _done(self, path: Path) -> None:
        self.running = False
        self.done.emit(path)

    def _failed(self, exc: Exception) -> None:
        self.running = False
        self.failed.emit(f"Backup failed: {exc}")
