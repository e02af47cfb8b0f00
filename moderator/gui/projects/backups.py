"""Rolling backups of the project a window shows: started with the window, stopped before it goes."""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow

from moderator.gui import settings
from moderator.gui.background.backup_scheduler import BackupScheduler


def start_backups(window: QMainWindow) -> BackupScheduler:
    """A backup of ``window.project`` now and every N minutes (settings), on a thread of its own."""
    backups = BackupScheduler(window.project, settings.backup_interval_minutes(), parent=window)
    backups.failed.connect(lambda text: window.statusBar().showMessage(text, 15000))
    backups.start()
    return backups


def stop_backups(window: QMainWindow) -> None:
    """No more backups of the window's project: a window closed for another project is not deleted at once."""
    for backups in window.findChildren(BackupScheduler):
        backups.stop()
