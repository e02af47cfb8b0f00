"""Gold items in the main window: the note after a check item, Review → Gold accuracy… and File → Import
gold items… (the last two for reviewers and admins: annotators do not see them).

The window makes one ``GoldFlow(window)`` once its labelling controller and actions exist. Everything the
database says is read on the window's worker; this only forwards the actions and shows the results.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from moderator.core.store.failures import explain
from moderator.gui.importing.gold_import import GoldImport
from moderator.gui.labelling.gold_note import GoldNote
from moderator.gui.review.gold_accuracy import GoldAccuracyDialog

LEAD_ACTIONS = ("review.gold_accuracy", "file.import_gold")


class GoldFlow(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.note = GoldNote(window.schema)  # above the comment, whatever the comment view shows
        window.comment_view.layout().insertWidget(0, self.note)
        window.labelling.feedback.connect(self.note.show_feedback)
        self.dialog: GoldAccuracyDialog | None = None
        self.importer: GoldImport | None = None
        actions = window.actions_by_id
        for action_id in LEAD_ACTIONS:
            actions[action_id].setEnabled(window.account.sees_all)
            actions[action_id].setVisible(window.account.sees_all)
        actions["review.gold_accuracy"].triggered.connect(self.show_accuracy)
        actions["file.import_gold"].triggered.connect(self.import_gold)

    def show_accuracy(self) -> None:
        """Each person's accuracy on the gold items and the project's threshold, read on the worker."""
        w = self.window
        if not w.account.sees_all:
            return
        w.status.showMessage("Reading gold accuracy…")

        def read():
            return w.project.gold_accuracy(w.account), w.project.gold_settings().threshold

        def show(result) -> None:
            w.status.clearMessage()
            if self.dialog is not None:
                self.dialog.close()
                self.dialog.deleteLater()
            self.dialog = GoldAccuracyDialog(*result, w.schema, w)  # kept: the dialog is not modal
            self.dialog.show()
            self.dialog.raise_()
            self.dialog.activateWindow()

        w.worker.submit(read, on_done=show,
                        on_error=lambda exc: w.status.showMessage(f"Could not read gold accuracy: {explain(exc)}", 10000))  # fmt: skip

    def import_gold(self, path: str | None = None) -> None:
        w = self.window
        if w.account.sees_all:
            self.importer = GoldImport(w, w.project, w.worker, w.account)
            self.importer.start(path or None)
