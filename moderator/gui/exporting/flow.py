"""File → Export…: the dialog, then the export on a thread of its own, with progress and Cancel.

The window calls ``ExportController(window, project, account).start()`` and is done: the controller
puts the outcome in the window's status bar (an error also in a message box), emits ``finished`` or
``failed`` with the same line, and deletes itself. One controller per export.

The export runs on a DbWorker of its own, not the window's: a large export takes minutes, and the
labelling loop's worker must stay free. Cancel sets an event that export_file checks after each page;
it writes PATH.part and removes it when stopped, so a cancelled export leaves nothing at PATH.
No dialog blocks in ``exec()``; tests drive ``controller.dialog`` and ``controller.progress_dialog``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QProgressDialog, QWidget

from moderator.core.export import release
from moderator.core.export.writer import ExportCancelled
from moderator.core.progress import Cancelled, Progress
from moderator.core.project import Project
from moderator.core.team.accounts import Account
from moderator.gui.background.progress import STEPS, close_progress, open_progress
from moderator.gui.background.workers import DbWorker
from moderator.gui.exporting.dialog import ExportChoice, ExportDialog

log = logging.getLogger(__name__)
# The command line's rule (core.export.release), asked before the dialog opens.
REFUSED = release.REFUSED[0].upper() + release.REFUSED[1:] + "."
CANCELLED = "Export cancelled; nothing was written."
STATUS_MS = 10_000


def _export(project: Project, account: Account, choice: ExportChoice, progress: Progress, card_started: Callable[[], None],
            cancelled: Cancelled) -> int:  # fmt: skip
    """On the export's own worker: the data file (through PATH.part), then its card."""
    return project.export(account, choice.path, choice.fmt, level=choice.level, card=choice.card,
                          keep_annotators=choice.keep_annotators, scrub=choice.scrub, progress=progress,
                          cancelled=cancelled, card_started=card_started)  # fmt: skip


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# ------------------------------------------------------------------------------------- controller


class ExportController(QObject):
    finished = Signal(str)  # "Exported N records to PATH"
    failed = Signal(str)  # one line: the refusal, the cancellation or the error
    progressed = Signal(float)  # 0..1, throttled
    _progress = Signal(float)  # emitted on the export thread, delivered in the GUI thread
    _card_started = Signal()

    def __init__(self, window: QWidget, project: Project, account: Account):
        super().__init__(window)
        self.window = window
        self.project = project
        self.account = account
        self.dialog: ExportDialog | None = None  # open while choosing, for tests
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None
        self.choice: ExportChoice | None = None
        self.last_message = ""
        self._cancel = threading.Event()
        self._worker: DbWorker | None = None
        self._started = False
        self._progress.connect(self._on_progress)  # queued: the receiver lives in the GUI thread
        self._card_started.connect(self._on_card_started)
        self.destroyed.connect(self._cancel.set)  # the window closed mid-export: stop at the next page

    @property
    def busy(self) -> bool:
        return self._worker is not None

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        if not release.may_export(self.account):
            self._end(REFUSED, ok=False, icon=QMessageBox.Icon.Information)
            return
        dialog = ExportDialog(self.project.display_name, self.window)
        self.dialog = dialog
        dialog.finished.connect(self._chosen)
        dialog.open()  # window-modal, returns at once

    def cancel(self) -> None:
        """What the progress dialog's Cancel does: the core stops after the page it is writing."""
        self._cancel.set()

    # ------------------------------------------------------------------------------------ the flow

    def _chosen(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        self.choice = dialog.choice()
        if result != QDialog.DialogCode.Accepted or self.choice is None:
            self.deleteLater()
            return
        self._show_progress()
        self._worker = DbWorker(self)
        self._worker.submit(_export, self.project, self.account, self.choice, self._reporter(), self._card_started.emit,
                            self._cancel.is_set, on_done=self._done, on_error=self._failed)  # fmt: skip

    def _done(self, count: int) -> None:
        self._stop()
        assert self.choice is not None
        self._end(f"Exported {count} record{'' if count == 1 else 's'} to {self.choice.path}", ok=True)

    def _failed(self, error: BaseException) -> None:
        self._stop()
        if isinstance(error, ExportCancelled):
            self._end(CANCELLED, ok=False)
            return
        if not isinstance(error, OSError):  # a full disk or a foreign README.md needs no traceback
            log.error("export failed", exc_info=error)
        self._end(f"The export failed: {_one_line(error)}", ok=False, icon=QMessageBox.Icon.Warning)

    def _stop(self) -> None:
        self._close_progress()
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.shutdown()  # its one job is over: the thread ends at once

    def _end(self, message: str, ok: bool, icon: QMessageBox.Icon | None = None) -> None:
        self.last_message = message
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(message, STATUS_MS)
        if icon is not None:
            self._show(icon, message)
        (self.finished if ok else self.failed).emit(message)
        self.deleteLater()

    # ------------------------------------------------------------------------------------ feedback

    def _reporter(self) -> Progress:
        """A progress callback for the export thread: at most one signal per percent and 50 ms."""
        last = [-1.0, 0.0]

        def report(fraction: float) -> None:
            now = time.monotonic()
            if self._cancel.is_set():
                return  # nobody is watching, or the controller is gone
            if fraction >= 1.0 or (fraction - last[0] >= 0.01 and now - last[1] >= 0.05):
                last[0], last[1] = fraction, now
                self._progress.emit(fraction)

        return report

    def _on_progress(self, fraction: float) -> None:
        if self.progress_dialog is None:
            return  # a late report of a finished export
        self.progressed.emit(fraction)
        self.progress_dialog.setValue(round(min(max(fraction, 0.0), 1.0) * STEPS))

    def _on_card_started(self) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setLabelText("Writing the dataset card…")
            self.progress_dialog.setCancelButton(None)  # the data is written; the card takes seconds

    def _show_progress(self) -> None:
        self.progress_dialog = open_progress(self.window, "Exporting…", "Export", self.cancel, "export_progress")

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        close_progress(dialog, self.cancel)

    def _show(self, icon: QMessageBox.Icon, text: str) -> None:
        box = QMessageBox(icon, "Export", text, QMessageBox.StandardButton.Ok, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # paths are no markup
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.message_box = box
        box.open()  # never exec(): nothing waits on the user here
