"""Importing threads from the GUI: files (chosen, dropped) and the clipboard, with a preview for pastes.

The main window owns one ``ImportController(window, project, worker)`` and calls ``choose_files()``,
``paste_from_clipboard()`` and ``install_drop_target(self)``; it listens to ``imported`` to refresh.

Reading, analysing and writing run on the database worker; the GUI thread only shows dialogs. No
dialog blocks in ``exec()``: the preview opens with ``open()`` and the flow continues when it is
finished, so tests drive ``controller.preview`` (and ``controller.progress_dialog``) directly.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog, QWidget

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.formats import (
    ImportCancelled,
    ImportFailure,
    SourceText,
    detect_format,
    file_extensions,
    read_source,
    text_source,
)
from moderator.core.importing.formats.paste.layout import PasteLayout
from moderator.core.importing.formats.paste.reader import analyse, check_size
from moderator.core.importing.writer import ImportSummary
from moderator.core.progress import Progress
from moderator.core.project import Project
from moderator.gui.background.progress import STEPS, close_progress, open_progress
from moderator.gui.background.workers import DbWorker
from moderator.gui.importing.paste_preview import PastePreviewDialog

log = logging.getLogger(__name__)
# Every extension an importer claims (a Reddit .zst, a Disqus .xml, a LeWiDi .json…), then anything.
FILE_FILTERS = f"Threads ({' '.join('*' + suffix for suffix in file_extensions())});;All files (*)"
CANCELLED = "Import cancelled; nothing was imported."
EMPTY_CLIPBOARD = "The clipboard holds no text. Copy a news article's comment section in the browser, then paste again."


@dataclass
class Prepared:
    """A decoded source and what to do with it: a paste is previewed first, unless imported before."""

    source: SourceText
    fmt: str
    layout: PasteLayout | None = None
    previous_batch: int | None = None


# ------------------------------------------------------------------------------ worker-thread jobs
# Run on the database worker, never the GUI thread: the database work is the Project's.


def _classify(project: Project, source: SourceText, fmt: str) -> Prepared:
    prepared = Prepared(source, fmt)
    if fmt == "paste":  # analysed here, as a 10 MB paste takes a while; not at all if imported before
        prepared.previous_batch = project.previous_import(source.sha256)
        if prepared.previous_batch is None:
            check_size(source)  # a text no pasted page is: refused before its analysis holds many copies of it
            prepared.layout = analyse(source.text)
    return prepared


def _prepare_files(project: Project, paths: Sequence[str], progress, cancelled) -> list[Prepared]:
    out = []
    for i, path in enumerate(paths):
        if cancelled():
            raise ImportCancelled()
        source = read_source(path)
        out.append(_classify(project, source, detect_format(source)))
        progress((i + 1) / len(paths))
    return out


def _prepare_text(project: Project, text: str, progress, cancelled) -> list[Prepared]:
    """Clipboard text always goes through the paste importer and its preview."""
    return [_classify(project, text_source("<clipboard>", text), "paste")]


def _write(project: Project, direct: list[SourceText], drafts: list[tuple[SourceText, ThreadDraft]], progress, cancelled):
    """Files in one transaction, then each previewed paste in its own; returns (summaries, error)."""
    summaries: list[ImportSummary] = []
    units = (len(direct) + len(drafts)) or 1
    try:
        if direct:
            share = len(direct) / units
            summaries += project.import_sources(direct, "auto", lambda f: progress(share * f), cancelled)
        for n, (source, draft) in enumerate(drafts, len(direct) + 1):
            if cancelled():
                raise ImportCancelled()
            summaries.append(project.import_drafts([draft], name=source.name, fmt="paste", sha256=source.sha256))
            progress(n / units)
    except Exception as exc:  # noqa: BLE001 - keep what was committed before the failure
        if not isinstance(exc, (ImportFailure, ImportCancelled)):
            log.error("import failed", exc_info=exc)
        return summaries, exc
    return summaries, None


# ------------------------------------------------------------------------------------- controller


class ImportController(QObject):
    imported = Signal(list)  # list[ImportSummary], after anything was imported (or found imported before)
    failed = Signal(str)  # the message shown for an error, a cancellation or an empty clipboard
    progressed = Signal(float)  # 0..1 of the running job, throttled (for a status bar)
    _progress = Signal(int, float)  # (job, fraction), emitted on the worker thread

    def __init__(self, parent_widget: QWidget, project: Project, worker: DbWorker):
        super().__init__(parent_widget)
        self.parent_widget = parent_widget
        self.project = project
        self.worker = worker
        self.preview: PastePreviewDialog | None = None  # the open preview, for tests
        self.progress_dialog: QProgressDialog | None = None
        self.message_box: QMessageBox | None = None  # the last message shown
        self.last_message = ""
        self._cancel = threading.Event()
        self._job = 0
        self._busy = False
        self._queue: list[Prepared] = []
        self._direct: list[SourceText] = []
        self._drafts: list[tuple[SourceText, ThreadDraft]] = []
        self._earlier: list[ImportSummary] = []  # pastes found imported before
        self._last_dir = ""
        self._progress.connect(self._on_progress)  # queued: the receiver lives in the GUI thread

    @property
    def busy(self) -> bool:
        return self._busy

    # --------------------------------------------------------------------------------- entry points

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.parent_widget, "Import threads", self._last_dir, FILE_FILTERS)
        if paths:
            self._last_dir = os.path.dirname(paths[0])
            self.import_files(paths)

    def import_files(self, paths: Sequence[str]) -> None:
        paths = [str(p) for p in paths if str(p)]
        if paths and self._start("Reading files…"):
            self._run(_prepare_files, self.project, paths, on_done=self._prepared)

    def paste_from_clipboard(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def paste_text(self, text: str) -> None:
        if not text.strip():
            self._warn(EMPTY_CLIPBOARD, QMessageBox.Icon.Information)
            return
        if self._start("Reading the pasted text…"):
            self._run(_prepare_text, self.project, text, on_done=self._prepared)

    def install_drop_target(self, widget: QWidget) -> None:
        """Let ``widget`` (the main window: ``controller.install_drop_target(self)``) take dropped files."""
        widget.setAcceptDrops(True)
        widget.installEventFilter(_DropFilter(self, widget))

    def cancel(self) -> None:
        """What the progress dialog's Cancel does: the core stops before writing and rolls back."""
        self._cancel.set()

    # ------------------------------------------------------------------------------------ the flow

    def _start(self, label: str) -> bool:
        if self._busy:
            self._warn("An import is already running; wait for it to finish.", QMessageBox.Icon.Information)
            return False
        self._busy = True
        self._cancel.clear()
        self._queue, self._direct, self._drafts, self._earlier = [], [], [], []
        self._show_progress(label)
        return True

    def _run(self, fn: Callable, *args, on_done: Callable) -> None:
        self._job += 1
        self.worker.submit(fn, *args, self._reporter(self._job), self._cancel.is_set, on_done=on_done, on_error=self._failed)

    def _prepared(self, items: list[Prepared]) -> None:
        self._close_progress()
        for item in items:
            if item.fmt != "paste":
                self._direct.append(item.source)
            elif item.previous_batch is not None:
                self._earlier.append(ImportSummary(item.source.name, "paste", item.previous_batch, already_imported=True))
            else:
                self._queue.append(item)
        self._next_preview()

    def _next_preview(self) -> None:
        if not self._queue:
            self._write()
            return
        item = self._queue.pop(0)
        assert item.layout is not None
        dialog = PastePreviewDialog(item.layout, item.source.name, self.parent_widget)
        self.preview = dialog
        dialog.finished.connect(lambda result: self._previewed(item, dialog, result))
        dialog.open()  # window-modal, returns at once

    def _previewed(self, item: Prepared, dialog: PastePreviewDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            self._drafts.append((item.source, dialog.draft()))
        self.preview = None
        dialog.deleteLater()
        self._next_preview()

    def _write(self) -> None:
        if not self._direct and not self._drafts:  # every preview cancelled, or all imported before
            self._finish(([], None))
            return
        self._show_progress("Importing…")
        self._run(_write, self.project, self._direct, self._drafts, on_done=self._finish)

    def _finish(self, outcome: tuple[list[ImportSummary], BaseException | None]) -> None:
        self._close_progress()
        self._busy = False
        summaries, error = self._earlier + outcome[0], outcome[1]
        if summaries:
            self.imported.emit(summaries)
        if error is not None:
            self._failed(error, summaries)
        elif summaries:
            self._tell(summaries)

    def _failed(self, error: BaseException, done: Sequence[ImportSummary] = ()) -> None:
        self._close_progress()
        self._busy = False
        if isinstance(error, ImportCancelled):
            message = CANCELLED if not done else "Import cancelled."
        elif isinstance(error, ImportFailure):
            message = str(error)  # path:line: reason; the transaction was rolled back
        else:
            log.error("import failed", exc_info=error)
            message = f"The import failed: {error}"
        if done:
            message += "\n\nImported before that:\n" + "\n".join(s.describe() for s in done)
        self._warn(message)

    # ------------------------------------------------------------------------------------ feedback

    def _reporter(self, job: int) -> Progress:
        """A progress callback for the worker thread: at most one signal per percent and 50 ms."""
        last = [-1.0, 0.0]

        def report(fraction: float) -> None:
            now = time.monotonic()
            if fraction >= 1.0 or (fraction - last[0] >= 0.01 and now - last[1] >= 0.05):
                last[0], last[1] = fraction, now
                self._progress.emit(job, fraction)

        return report

    def _on_progress(self, job: int, fraction: float) -> None:
        if job != self._job or self.progress_dialog is None:
            return  # a late report of a finished job
        self.progressed.emit(fraction)
        self.progress_dialog.setValue(round(min(max(fraction, 0.0), 1.0) * STEPS))

    def _show_progress(self, label: str) -> None:
        self._close_progress()
        self.progress_dialog = open_progress(self.parent_widget, label, "Import", self.cancel)

    def _close_progress(self) -> None:
        dialog, self.progress_dialog = self.progress_dialog, None
        close_progress(dialog, self.cancel)

    def _tell(self, summaries: Sequence[ImportSummary]) -> None:
        added = sum(s.comments_added for s in summaries)
        head = f"Imported {added} comment{'' if added == 1 else 's'}."
        self._show(QMessageBox.Icon.Information, "\n\n".join([head, *(s.describe() for s in summaries)]), modal=False)

    def _warn(self, message: str, icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> None:
        self.failed.emit(message)
        self._show(icon, message, modal=True)

    def _show(self, icon: QMessageBox.Icon, text: str, modal: bool) -> None:
        self.last_message = text
        box = QMessageBox(icon, "Import", text, QMessageBox.StandardButton.Ok, self.parent_widget)
        box.setTextFormat(Qt.TextFormat.PlainText)  # paths and file contents are no markup
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setModal(modal)  # QMessageBox is modal unless told otherwise
        self.message_box = box
        box.open() if modal else box.show()  # never exec(): nothing waits on the user here


def local_files(mime: QMimeData) -> list[str]:
    return [url.toLocalFile() for url in mime.urls() if url.isLocalFile()] if mime.hasUrls() else []


class _DropFilter(QObject):
    """Accepts drags of local files on the watched widget and imports them when dropped."""

    def __init__(self, controller: ImportController, parent: QWidget):
        super().__init__(parent)
        self.controller = controller

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove, QEvent.Type.Drop):
            paths = local_files(event.mimeData())  # type: ignore[attr-defined]
            if not paths:
                return False
            event.acceptProposedAction()  # type: ignore[attr-defined]
            if kind == QEvent.Type.Drop:
                # After the drop returns: some platforms refuse dialogs inside a drop handler.
                QTimer.singleShot(0, self.controller, lambda: self.controller.import_files(paths))
            return True
        return False
