"""Asking the schema's survey once: at window start, when the schema has one and the person has no profile.

Whether it is due is read on the worker after the first comment was asked for, so labelling never
waits for it; the dialog is window-modal but not a nested loop (``open``), so the worker's results keep
arriving. "Not now" records nothing and asks again next time the window opens; "Don't ask again"
stores an empty, declined profile; answers are stored once (core.team.profiles).
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from moderator.gui.dialogs.survey_dialog import SurveyDialog


class SurveyFlow(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.dialog: SurveyDialog | None = None
        self.due: bool | None = None  # None until the worker has said
        if window.schema.survey is not None:
            # Optional for everyone: if the question cannot be read now, it is simply not asked this time.
            window.worker.submit(window.project.survey_due, window.account.id, on_done=self._offer, on_error=lambda _exc: None)
        else:
            self.due = False

    def _offer(self, due: bool) -> None:
        self.due = due
        survey = self.window.schema.survey
        if not due or survey is None:
            return
        self.dialog = SurveyDialog(survey, self.window)
        project, thanks = self.window.project, "Thank you: your answers are stored."
        self.dialog.answered.connect(lambda answers: self._store(thanks, project.save_profile, answers, survey.consent_version))
        self.dialog.declined.connect(lambda: self._store("The survey will not be asked again.", project.decline_survey))
        self.dialog.open()

    def _store(self, thanks: str, save, *args) -> None:
        window = self.window

        def stored(_result) -> None:
            self.due = False
            window.status.showMessage(thanks, 5000)

        window.worker.submit(
            save, window.account.id, *args, on_done=stored,
            on_error=lambda exc: window.status.showMessage(f"Your answers were not stored: {exc}", 10000),
        )  # fmt: skip
