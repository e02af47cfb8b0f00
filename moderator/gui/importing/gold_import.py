"""File → Import gold items…: a file of comments with reference answers, as gold items (leads only).

The window calls ``GoldImport(window, project, worker, account).start()``: a file dialog, then
``Project.import_gold`` on the window's database worker with the progress dialog up while it runs, then
one line ("5 gold items added (0 already there)") in the status bar and a message; a bad file's
``path:line: reason`` in an error message. The core reads and writes a gold file in one transaction
and takes no Cancel: Esc only puts the progress dialog away (gold files are small; it rarely shows).
No dialog blocks in ``exec()``; tests drive ``start(path)`` and look at ``message_box``.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QProgressDialog, QWidget

from moderator.core.gold.items import GoldAdded
from moderator.core.importing.errors import ImportFailure
from moderator.core.project import Project
from moderator.core.team.accounts import Account
from moderator.gui.background.progress import close_progress, open_progress
from moderator.gui.background.workers import DbWorker

log = logging.getLogger(__name__)
FILE_FILTERS = "Gold items (*.jsonl *.ndjson *.json *.csv *.tsv *.tab);;All files (*)"
TITLE = "Import gold items"
STATUS_MS = 10_000
_last_dir = [""]  # where the last gold file was chosen, for the next dialog


def summary(added: GoldAdded) -> str:
    """ "5 gold items added (0 already there)"."""
    return f"{added.added} gold item{'' if added.added == 1 else 's'} added ({added.already} already there)"


class GoldImport(QObject):
    finished = Signal(str)  # the summary line
    failed = Signal(str)  # the error shown

    def __init__(self, window: QWidget, project: Project, worker: DbWorker, account: Account):
        super().__init__(window)
        self.window, self.project, self.worker, self.account = window, project, worker, account
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None
        self.last_message = ""

    def start(self, path: str | None = None) -> None:
        """Ask for the file (unless given), then import it."""
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self.window, TITLE, _last_dir[0], FILE_FILTERS)
            if not path:
                self.deleteLater()
                return
        _last_dir[0] = os.path.dirname(path)
        self.progress_dialog = open_progress(self.window, f"Importing gold items from {os.path.basename(path)}…", TITLE,
                                             self._hide_progress, "gold_import_progress")  # fmt: skip
        self.progress_dialog.setRange(0, 0)  # busy: one transaction, no steps to count
        self.progress_dialog.setCancelButton(None)
        self.worker.submit(self.project.import_gold, path, self.account, on_done=self._done, on_error=self._failed)

    def _hide_progress(self) -> None:
        """Esc on the progress dialog: it goes, the import (one short transaction) carries on."""

    def _done(self, added: GoldAdded) -> None:
        self._close_progress()
        self._end(summary(added), ok=True)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, ImportFailure | PermissionError | OSError):
            message = str(error)  # path:line: reason; the transaction was rolled back
        else:
            log.error("gold import failed", exc_info=error)
            message = f"The gold import failed: {error}"
        self._end(message, ok=False)

    def _end(self, message: str, ok: bool) -> None:
        self.last_message = message
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(message, STATUS_MS)
        icon = QMessageBox.Icon.Information if ok else QMessageBox.Icon.Warning
        box = QMessageBox(icon, TITLE, message, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("gold_import_message")
        box.setTextFormat(Qt.TextFormat.PlainText)  # paths and file contents are no markup
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(not ok)  # an error waits to be read; the summary does not hold the window up
        self.message_box = box
        box.open() if not ok else box.show()  # never exec(): nothing waits on the user here
        (self.finished if ok else self.failed).emit(message)
        self.deleteLater()

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        close_progress(dialog, self._hide_progress)
