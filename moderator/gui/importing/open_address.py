"""File → Open address… (Ctrl+L): a thread read from its address, then written as one import batch.

The window keeps one ``AddressOpener(window, project, worker, on_imported, action)``; the action runs
``start()``: the address dialog, then ``fetching.fetch_thread`` on a thread of its own (a slow server
never holds up the labelling loop's database worker), with the progress dialog and a working Cancel
(the core polls it), then ``write_fetched`` on the window's database worker. ``on_imported`` gets the
summaries, as after File → Import, so the queue refreshes and an empty one shows the new comments; the
outcome is one line in the status bar. A failure is one line ("ADDRESS: reason") in a message box.

A page whose comments could not be read gives its article alone: the user is asked to paste them under
it (the paste preview, with the article in place, reading the clipboard), to import the article alone
(opening the address again later offers the paste again, and adds the comments to the same thread), or
to cancel. No dialog blocks in ``exec()``; tests drive ``dialog``, ``prompt`` and ``preview``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QDialog, QMainWindow, QMessageBox, QProgressDialog, QWidget

from moderator.core.fetching.importer import FETCH_SHARE, AddressImport, fetch_thread, write_fetched
from moderator.core.fetching.result import NO_COMMENTS, FetchedThread, with_comments
from moderator.core.fetching.settings import FetchSettings
from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.progress import Cancelled, Progress
from moderator.core.project import Project
from moderator.core.store.failures import explain, is_system_error
from moderator.gui.background.progress import STEPS, close_progress, open_progress
from moderator.gui.background.workers import DbWorker
from moderator.gui.importing.address_dialog import AddressDialog, clipboard_address
from moderator.gui.importing.article_paste import FROM_PAGE, article_layout, pasted_comments, usable_paste
from moderator.gui.importing.paste_preview import PastePreviewDialog
from moderator.gui.widgets import plain_label

log = logging.getLogger(__name__)
TITLE = "Open address"
STATUS_MS = 10_000
STATUS_ADDRESS = 48  # characters of the address in the status bar's line
PREVIEW_NOTE = "The title and article were read from the page; the comments below them are the pasted text."
CANCELLED = "Cancelled; nothing was imported."
BUSY = "An address is being opened; wait for it to finish."
NO_COMMENTS_FOUND = "No comments found on this page. Paste them under the article?"
COPY_FIRST = (
    "Copy the comment section in your browser, then choose Paste comments: the preview shows them under the "
    "article before anything is imported.\n\nImport article only keeps the article as a thread; open the "
    "address again later to paste its comments."
)
NOTHING_COPIED = "The clipboard holds no comments yet. Copy the comment section in your browser, then choose Paste comments."


def _write(project: Project, fetched: FetchedThread, cancelled: Cancelled) -> list[AddressImport]:
    """On the database worker: the thread in one transaction, unless cancelled before it started."""
    if cancelled():
        raise ImportCancelled()
    return write_fetched(project.engine, [fetched])


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0] if lines else ""


def _short(address: str, limit: int = 70) -> str:
    return address if len(address) <= limit else address[: limit // 2 - 1] + "…" + address[-(limit // 2) :]


def status_line(result: AddressImport, article_only: bool = False, width: int | None = None) -> str:
    """The outcome in one line: "ADDRESS (reddit): 6 comments in 1 new thread", "…: already imported…".

    ``width``: the address shortened to that many characters (the status bar's line, beside its counters).
    """
    summary = result.summary
    line = summary.describe().splitlines()[0]
    if width is not None and line.startswith(summary.path):
        line = _short(summary.path, width) + line[len(summary.path) :]
    warnings = [w for w in summary.warnings if w != NO_COMMENTS]
    if article_only and not summary.already_imported:
        line += "; the article alone: open the address again to paste its comments"
    if warnings:
        line += f" ({len(warnings)} warning{'' if len(warnings) == 1 else 's'})"
    return line


class AddressOpener(QObject):
    imported = Signal(list)  # list[ImportSummary], after a write (or "already imported")
    finished = Signal(str)  # the status line of an import
    failed = Signal(str)  # the error or cancellation, one line
    _progress = Signal(float)  # emitted on the fetching thread, delivered in the GUI thread

    def __init__(self, window: QWidget, project: Project, worker: DbWorker, on_imported: Callable[[list], None] | None = None,
                 action: QAction | None = None):  # fmt: skip
        super().__init__(window)
        self.window, self.project, self.worker = window, project, worker
        self.settings: FetchSettings | None = None  # bounds and API addresses; tests point them at a local server
        self.dialog: AddressDialog | None = None  # each open while it is shown, for tests
        self.prompt: QMessageBox | None = None
        self.preview: PastePreviewDialog | None = None
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None  # the last message shown
        self.last_message = ""
        self._fmt = "auto"  # the format last chosen, offered again
        self._address = ""
        self._fetched: FetchedThread | None = None
        self._fetcher: DbWorker | None = None  # the network's own thread, for one address
        self._cancel = threading.Event()  # the running job's: a cancelled job goes on alone, unheard
        self._closed = threading.Event()  # the window is gone: every job stops at its next check
        self._job = 0  # only the current job's results are taken
        self._phase = ""  # reading, asking, previewing, saving
        self._busy = False
        self._progress.connect(self._on_progress)  # queued: the receiver lives in the GUI thread
        if on_imported is not None:
            self.imported.connect(on_imported)
        if action is not None:
            action.triggered.connect(self.start)
        self.destroyed.connect(self._closed.set)  # the window closed mid-fetch: the core stops at its next check

    @property
    def busy(self) -> bool:
        return self._busy

    # --------------------------------------------------------------------------------- entry points

    def start(self) -> None:
        """The address dialog, prefilled from the clipboard when it holds an address."""
        if self._busy:
            self._say(BUSY)
            return
        if self.dialog is not None:
            self.dialog.raise_()
            return
        dialog = AddressDialog(self.window, clipboard_address(), self._fmt)
        self.dialog = dialog
        dialog.finished.connect(self._chosen)
        dialog.open()  # window-modal, returns at once

    def open_address(self, address: str, fmt: str = "auto") -> None:
        """Read ``address`` and import its thread, without the dialog."""
        if self._busy:
            self._say(BUSY)
            return
        self._busy = True
        self._address, self._fetched = address, None
        self._show_progress(f"Reading {_short(address)}…")
        self._fetcher = DbWorker(self)
        cancelled = self._next_job()
        self._fetcher.submit(fetch_thread, address, fmt, self._reporter(), cancelled, self.settings,
                             on_done=self._current(self._read), on_error=self._current(self._failed))  # fmt: skip

    def cancel(self) -> None:
        """The progress dialog's Cancel: the flow ends now, nothing is written. The fetch (or the reading of
        the paste) stops at the core's next check, on its own thread; what it reports then is ignored.
        Saving is one short transaction: it shows no Cancel and is not stopped."""
        if self._phase == "reading":
            self._cancel.set()
            self._job += 1
            self._failed(ImportCancelled())

    # ------------------------------------------------------------------------------------ the flow

    def _chosen(self, result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is None:
            return
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self._fmt = dialog.fmt()
            self.open_address(dialog.address(), self._fmt)

    def _read(self, fetched: FetchedThread) -> None:
        if fetched.comments_found:
            self._save(fetched)
        else:
            self._close_progress()
            self._fetched = fetched
            self._ask()

    def _ask(self, warning: str = "") -> None:
        box = QMessageBox(QMessageBox.Icon.Question, TITLE, NO_COMMENTS_FOUND, QMessageBox.StandardButton.NoButton, self.window)
        box.setObjectName("open_address_prompt")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(warning or COPY_FIRST)
        paste = box.addButton("&Paste comments…", QMessageBox.ButtonRole.YesRole)
        box.addButton("Import &article only", QMessageBox.ButtonRole.NoRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(paste)
        box.setEscapeButton(cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.prompt = box
        self._phase = "asking"
        box.finished.connect(lambda _result: self._answered(box))
        box.open()

    def _answered(self, box: QMessageBox) -> None:
        self.prompt = None
        fetched = self._fetched
        clicked = box.clickedButton()
        role = box.buttonRole(clicked) if clicked is not None else QMessageBox.ButtonRole.RejectRole
        if fetched is None or role not in (QMessageBox.ButtonRole.YesRole, QMessageBox.ButtonRole.NoRole):
            self._end("Nothing imported.")
            return
        if role == QMessageBox.ButtonRole.NoRole:
            self._save(fetched, article_only=True)
            return
        text = QGuiApplication.clipboard().text()
        if not usable_paste(text, fetched.address):
            self._ask(NOTHING_COPIED)
            return
        self._show_progress("Reading the pasted comments…")
        self._next_job()
        assert self._fetcher is not None
        self._fetcher.submit(article_layout, fetched, text, on_done=self._current(self._show_preview),
                             on_error=self._current(self._failed))  # fmt: skip

    def _show_preview(self, layout) -> None:
        self._close_progress()
        dialog = PastePreviewDialog(layout, self._address, self.window)
        dialog.layout().insertWidget(0, plain_label(PREVIEW_NOTE, grey=True))
        dialog.select_row(next((i for i, b in enumerate(layout.blocks) if b.detail != FROM_PAGE), 0))  # the first pasted
        self.preview = dialog
        self._phase = "previewing"
        dialog.finished.connect(lambda result: self._previewed(dialog, result))
        dialog.open()  # window-modal, returns at once

    def _previewed(self, dialog: PastePreviewDialog, result: int) -> None:
        self.preview = None
        dialog.deleteLater()
        fetched = self._fetched
        if result != QDialog.DialogCode.Accepted or fetched is None:
            self._end("Nothing imported.")
            return
        self._save(with_comments(fetched, pasted_comments(dialog.draft(), fetched)))

    def _save(self, fetched: FetchedThread, article_only: bool = False) -> None:
        if self.progress_dialog is None:
            self._show_progress("Saving the thread…")
        else:
            self.progress_dialog.setLabelText("Saving the thread…")
        self._phase = "saving"
        assert self.progress_dialog is not None
        self.progress_dialog.setCancelButton(None)  # one short transaction, all or nothing
        self._on_progress(FETCH_SHARE)
        self.worker.submit(_write, self.project, fetched, self._closed.is_set,
                           on_done=lambda results: self._saved(results, article_only), on_error=self._failed)  # fmt: skip

    def _saved(self, results: list[AddressImport], article_only: bool) -> None:
        self._close_progress()
        self.imported.emit([r.summary for r in results])
        line = status_line(results[0], article_only)
        warnings = [w for r in results for w in r.summary.warnings if w != NO_COMMENTS]
        if warnings:  # worth reading (comments behind "more" links not loaded…), but no reason to block
            self._show(QMessageBox.Icon.Information, "\n".join([line, "", *warnings]), modal=False)
        self._end(status_line(results[0], article_only, width=STATUS_ADDRESS))
        self.finished.emit(line)

    def _failed(self, error: BaseException) -> None:
        self._close_progress()
        if isinstance(error, ImportCancelled):
            message = CANCELLED
        else:
            if isinstance(error, ImportFailure):
                message = _one_line(str(error))  # "ADDRESS: reason"; nothing was written
            else:  # the database refused the write (worded, and logged, by explain), or a bug (logged here)
                if not is_system_error(error):
                    log.error("opening %s failed", self._address, exc_info=error)
                message = f"{self._address}: {_one_line(explain(error)) or type(error).__name__}"
            self._show(QMessageBox.Icon.Warning, message, modal=True)
        self._end(message)
        self.failed.emit(message)

    def _end(self, message: str) -> None:
        self._say(message)
        self._busy = False
        self._phase = ""
        self._fetched = None
        fetcher, self._fetcher = self._fetcher, None
        if fetcher is not None:
            fetcher.shutdown(0)  # its jobs are over (or, after a cancel, end at the core's next check)

    # ------------------------------------------------------------------------------------ feedback

    def _next_job(self) -> Cancelled:
        """A new job of the reading phase, with its own Cancel; its ``cancelled()`` for the core."""
        self._job += 1
        self._phase = "reading"
        self._cancel = cancel = threading.Event()
        closed = self._closed
        return lambda: cancel.is_set() or closed.is_set()

    def _current(self, callback: Callable) -> Callable:
        """``callback``, unless a newer job (or a Cancel) came since it was made: then nothing."""
        job = self._job
        return lambda payload: callback(payload) if job == self._job else None

    def _reporter(self) -> Progress:
        """A progress callback for the fetching thread: at most one signal per percent and 50 ms."""
        last = [-1.0, 0.0]
        cancel = self._cancel

        def report(fraction: float) -> None:
            now = time.monotonic()
            if not cancel.is_set() and (fraction >= 1.0 or (fraction - last[0] >= 0.01 and now - last[1] >= 0.05)):
                last[0], last[1] = fraction, now
                self._progress.emit(FETCH_SHARE * fraction)

        return report

    def _on_progress(self, fraction: float) -> None:
        if self.progress_dialog is not None:
            self.progress_dialog.setValue(round(min(max(fraction, 0.0), 1.0) * STEPS))

    def _show_progress(self, label: str) -> None:
        self._close_progress()
        self.progress_dialog = open_progress(self.window, label, TITLE, self.cancel, "open_address_progress")
        self.progress_dialog.setValue(0)  # starts its clock: shown after a moment even if the server stays silent

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        close_progress(dialog, self.cancel)

    def _say(self, message: str) -> None:
        self.last_message = message
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(message, STATUS_MS)

    def _show(self, icon: QMessageBox.Icon, text: str, modal: bool) -> None:
        box = QMessageBox(icon, TITLE, text, QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("open_address_message")
        box.setTextFormat(Qt.TextFormat.PlainText)  # addresses and pages' words are no markup
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(modal)
        self.message_box = box
        box.open() if modal else box.show()  # never exec(): nothing waits on the user here
