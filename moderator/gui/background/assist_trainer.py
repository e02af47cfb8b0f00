"""Retrain the assist model in the background as labels arrive.

Training and scoring run in a child process (``core.assist.run``), watched from a thread of their
own, never on the DB worker the labelling loop waits on: they take seconds and would hold the
interpreter lock, the labelling jobs milliseconds. The core writes the scores in short
transactions, so submissions go on meanwhile. One pass at a time; labels arriving during a pass
start one more pass afterwards, if the core finds it due (``assist.RETRAIN_EVERY`` new labels,
both classes present, counting everyone's labels, not only this window's).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Signal

from moderator.core.assist import model as assist
from moderator.core.project import Project
from moderator.core.store.settings import AssistModelInfo
from moderator.gui.background.workers import DbWorker

LAUNCH_DELAY_MS = 5000


QUIT_WAIT_S = 5.0


class AssistTrainer(QObject):
    trained = Signal(object)  # the new model's facts (AssistModelInfo)
    failed = Signal(str)

    def __init__(self, project: Project, parent=None, every: int = assist.RETRAIN_EVERY):
        super().__init__(parent)
        self.project = project
        self.every = every
        self._thread = DbWorker(self)  # a single-thread executor that reports back on the GUI thread
        self._thread.failed.connect(lambda exc: self.failed.emit(str(exc)))
        self._new_labels = 0
        self._running = False
        self._again = False
        self._stop = threading.Event()

    @property
    def running(self) -> bool:
        return self._running

    def start(self, delay_ms: int = LAUNCH_DELAY_MS) -> None:
        """After launch: train if labels arrived since the last model (e.g. from other annotators).

        Delayed, so that opening the project and its first comment do not share the CPU with it.
        """
        QTimer.singleShot(delay_ms, self, self._launch)

    def note_label(self, *_args) -> None:
        """A label was stored; every ``every`` of them, check whether a new model is due."""
        self._new_labels += 1
        if self._new_labels >= self.every:
            self._new_labels = 0
            self._launch()

    def _launch(self) -> None:
        if self._stop.is_set():
            return
        if self._running:
            self._again = True
            return
        self._running = True
        self._thread.submit(self.project.retrain_if_due, self._stop, on_done=self._done, on_error=self._error)

    def _done(self, facts: AssistModelInfo | None) -> None:
        self._running = False
        if facts is not None:
            self.trained.emit(facts)
        if self._again:
            self._again = False
            self._launch()

    def _error(self, exc: Exception) -> None:
        self._running = False
        self._again = False
        self.failed.emit(str(exc))

    def shutdown(self) -> None:
        """Stop the child (the model stays as stored: an unfinished pass is not recorded) and wait a little:
        a check stuck on a server that stopped answering is left behind, as nothing of it needs keeping."""
        self._stop.set()
        self._thread.shutdown(timeout_s=QUIT_WAIT_S)
