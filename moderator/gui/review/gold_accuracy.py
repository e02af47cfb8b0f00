"""Review → Gold accuracy…: how often each person matches the gold items' reference answers.

The figures are the core's (``gold.accuracy``, read on the worker); this dialog only shows them, least
accurate first: person, gold items answered, accuracy overall, whether that is under the project's
threshold (in words and bold, not by colour alone), then one column per question. Esc closes it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QTableView, QVBoxLayout, QWidget

from moderator.core.gold.accuracy import Accuracy, PersonAccuracy, under_threshold
from moderator.core.schema.definition import LabelSchema
from moderator.gui.review.agreement import Cell, RowsModel
from moderator.gui.widgets import plain_label

HEADS = ("Person", "Gold items", "Accuracy", "Flag")
TIPS = ("", "Gold items the person answered", "Answers matching the reference answer, over every question checked",
        "Below the project's threshold (Preferences → Gold items)")  # fmt: skip
MISSING = "—"
SHOWN_ROWS = 15  # people in sight when the dialog opens
QWIDGETSIZE_MAX = (1 << 24) - 1


def percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def _accuracy(tally: Accuracy | None) -> Cell:
    """ "75 % (9/12)", sorted on the share; nothing checked sorts last."""
    if tally is None or not tally.checked:
        return MISSING, 2.0
    return f"{percent(tally.share)} ({tally.correct}/{tally.checked})", tally.share


def summary(people: list[PersonAccuracy], flagged: int, threshold: float) -> str:
    """ "2 of 6 people answer fewer than 70 % of gold items correctly"."""
    if not people:
        return "No one has answered a gold item yet."
    n, mark = len(people), percent(threshold)
    if not flagged:
        return f"No one answers fewer than {mark} of gold items correctly ({n} {'person' if n == 1 else 'people'})."
    return f"{flagged} of {n} {'person answers' if n == 1 else 'people answer'} fewer than {mark} of gold items correctly."


class AccuracyModel(RowsModel):
    """The people as rows; those under the threshold in bold (and said so in the Flag column)."""

    def __init__(self, people: list[PersonAccuracy], questions: list[tuple[str, str]], threshold: float, parent=None):
        self.people, self.questions = people, questions
        self.flagged = {p.annotator_id for p in under_threshold(people, threshold)}
        self.flag = f"below {percent(threshold)}"
        heads = list(HEADS) + [label for _, label in questions]
        tips = list(TIPS) + [f"Answers to {label} matching the reference answer" for _, label in questions]
        super().__init__(heads, len(people), self._cell, {1, 2, *range(len(HEADS), len(heads))}, tips, parent)

    def _cell(self, row: int, column: int) -> Cell:
        person = self.people[row]
        if column == 0:
            return person.name, person.name.casefold()
        if column == 1:
            return str(person.items), person.items
        if column == 2:
            return _accuracy(person.overall)
        if column == 3:
            flagged = person.annotator_id in self.flagged
            return (self.flag, 0) if flagged else ("", 1)
        return _accuracy(person.questions.get(self.questions[column - len(HEADS)][0]))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.FontRole and index.isValid():
            return _bold() if self.people[self.source_row(index.row())].annotator_id in self.flagged else None
        return super().data(index, role)


def _bold() -> QFont:
    """Bold over the view's own font (only the weight is set: the rest resolves to the table's)."""
    font = QFont()
    font.setBold(True)
    return font


class GoldAccuracyDialog(QDialog):
    def __init__(self, people: list[PersonAccuracy], threshold: float, schema: LabelSchema, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Gold accuracy")
        self.setObjectName("gold_accuracy")
        self.setModal(False)
        asked = {qid for p in people for qid in p.questions}
        questions = [(q.id, q.label) for q in schema.questions if q.id in asked]
        questions += [(qid, qid) for qid in sorted(asked - {q.id for q in schema.questions})]
        self.model = AccuracyModel(people, questions, threshold, self)
        self.summary = plain_label(summary(people, len(self.model.flagged), threshold))
        self.summary.setObjectName("gold_accuracy_summary")
        self.summary.setWordWrap(True)
        self.view = QTableView()
        self.view.setObjectName("gold_accuracy_table")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.view.fontMetrics().height() + 8)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # least accurate first
        self.view.setSortingEnabled(True)
        self.view.resizeColumnsToContents()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        note = plain_label("Each person's answers in force on the gold items they were given, against the reference "
                           "answers; a question counts where both gave an answer.", grey=True)  # fmt: skip
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self._fit(len(people))

    def _fit(self, rows: int) -> None:
        """Wide enough for every column, tall enough for every row (up to SHOWN_ROWS; the table scrolls on)."""
        view = self.view
        width = sum(view.columnWidth(c) for c in range(self.model.columnCount())) + 2 * view.frameWidth() + 40
        table = view.horizontalHeader().sizeHint().height() + 2 * view.frameWidth()
        row = view.verticalHeader().defaultSectionSize()
        view.setFixedHeight(table + max(min(rows, SHOWN_ROWS), 3) * row)  # the layout's height, then free again
        width = min(max(width, 560), 1100)
        layout = self.layout()  # the note wraps: its height depends on the width
        self.resize(width, layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else self.sizeHint().height())
        view.setMinimumHeight(table + 3 * row)
        view.setMaximumHeight(QWIDGETSIZE_MAX)

    def rows(self) -> list[list[str]]:
        """The table as shown (for tests and screenshots' checks)."""
        m = self.model
        return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]
