"""When the window asks "how are you?": at the session's start, after each break, and on quit.

Only when the project turns check-ins on (``WellbeingConfig.checkins``, off by default). Answers go
to the database on the worker (core.wellbeing.checkins); the person never sees them again, and leads
see them only summed up. On quit the question is a small modal dialog, asked once the person has
chosen to leave: one key answers it, Esc skips it, so closing is never held up for more than a key.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from moderator.gui.wellbeing import checkin_strip
from moderator.gui.wellbeing.checkin_strip import CheckinStrip

QUESTIONS = {"start": "Before you start: how are you?", "after_break": "Welcome back: how are you now?"}


class CheckinAsker(QObject):
    def __init__(self, window, anchor: QWidget, enabled: Callable[[], bool]):
        super().__init__(window)
        self.window = window
        self.enabled = enabled
        self.strip = CheckinStrip(window, anchor)
        self.strip.answered.connect(self._answered)
        self.strip.dismissed.connect(self.strip.put_away)
        self.moment: str | None = None
        self._started = False

    def at_start(self) -> None:
        """The project's options are in: ask once per session, if check-ins are on."""
        if self.enabled() and not self._started:
            self._started = True
            self._ask("start")

    def after_break(self) -> None:
        if self.enabled():
            self._ask("after_break")

    def at_quit(self) -> None:
        """The window is closing (the person chose to): ask once more, before the worker stops."""
        self.strip.hide()
        if self.enabled() and not self.window.worker.closed:
            mood = checkin_strip.ask_at_quit(self.window)
            if mood is not None:
                self._record("end", mood)

    def _ask(self, moment: str) -> None:
        self.moment = moment
        self.strip.ask(QUESTIONS[moment])

    def _answered(self, mood: int) -> None:
        self.strip.put_away()
        if self.moment is not None:
            self._record(self.moment, mood)
            self.window.status.showMessage("Thank you.", 3000)

    def _record(self, moment: str, mood: int) -> None:
        window = self.window
        window.worker.submit(
            window.project.record_checkin, window.account.id, moment, mood,
            on_error=lambda exc: window.status.showMessage(f"Your check-in was not stored: {exc}", 8000),
        )  # fmt: skip
