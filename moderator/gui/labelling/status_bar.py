"""The status bar: progress, time spent this session, and who is labelling."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QStatusBar

from moderator.core.labelling.browse import AnswerCounts
from moderator.gui.widgets import plain_label


class StatusBar(QStatusBar):
    def __init__(self, annotator: str, parent=None):
        super().__init__(parent)
        self.progress_label = plain_label()
        self.progress_label.setObjectName("progress")
        self.clock = plain_label("0:00:00")
        self.clock.setObjectName("session_time")
        self.clock.setToolTip("Time in this session. Take a break every hour.")
        self.severe_label = plain_label()
        self.severe_label.setObjectName("severe_count")
        self.severe_label.setToolTip("Likely severe comments you have read: this session · today (all sessions)")
        self.annotator_label = plain_label(f"Annotator: {annotator}")
        self.annotator_label.setObjectName("annotator")
        self.sync_label = plain_label()  # team servers: offline, answers waiting, all sent
        self.sync_label.setObjectName("sync_state")
        for widget in (self.sync_label, self.progress_label, self.severe_label, self.clock, self.annotator_label):
            self.addPermanentWidget(widget)
        self._start = time.monotonic()
        self.elapsed: Callable[[], float] = lambda: time.monotonic() - self._start  # the wellbeing session's, paused on breaks
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(1000)

    def set_progress(self, progress: tuple[AnswerCounts, int]) -> None:
        """ "7 / 12 answered (58%) · 1 set aside · 3 this session": skips and flags are not answers."""
        counts, session = progress
        share = f" ({100 * counts.answered / counts.total:.0f}%)" if counts.total else ""
        aside = f" · {counts.set_aside} skipped or flagged" if counts.set_aside else ""
        self.progress_label.setText(f"{counts.answered} / {counts.total} answered{share}{aside} · {session} this session")

    def set_severe(self, session: int, today: int) -> None:
        self.severe_label.setText(f"Severe: {session} this session · {today} today")

    def _tick(self) -> None:
        seconds = int(self.elapsed())
        self.clock.setText(f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}")
