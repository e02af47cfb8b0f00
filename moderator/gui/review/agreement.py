"""Inter-annotator agreement: the report of ``core.agreement_report`` as read-only tables.

The report is computed elsewhere (on the DB worker); this dialog only shows it. Models format cells
on request and the per-question tables are filled only for the selected question, so a report with
hundreds of annotators (and tens of thousands of pairs) opens at once. Everything is plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from moderator.core.agreement.report import applies
from moderator.gui.widgets import plain_label

UNDEFINED, NOT_APPLICABLE = "n/a", "—"
LEGEND = "n/a: undefined (no comment with two answers, or every answer the same)    —: does not apply to this kind of question"
# (header, report key, tooltip); None-valued metrics show as "n/a".
METRICS = (
    ("α nominal", "krippendorff_alpha_nominal", "Krippendorff's alpha, every disagreement counting the same"),
    ("α ordinal", "krippendorff_alpha_ordinal", "Krippendorff's alpha on the option order (ordinal and numeric questions)"),
    ("α interval", "krippendorff_alpha_interval", "Krippendorff's alpha on the option values (numeric questions)"),
    ("Fleiss κ", "fleiss_kappa", "Fleiss' kappa over every item with two or more answers"),
    ("Items", "items", "Comments with at least one answer"),
    ("Answers", "annotations", "Answers in force (submitted, not skipped or flagged)"),
    ("Annotators", "annotators", "Annotators who answered the question"),
)
MAJORITY_HEADS = ("Annotator", "Share", "Items")
MAJORITY_TIPS = (
    "",
    "Share of the items where the annotator gave the other annotators' majority value (ties left out)",
    "Items on which the other annotators had a clear majority",
)
PAIR_HEADS = ("Annotator", "Annotator", "κ", "Common items")
PAIR_TIPS = ("", "", "Cohen's kappa over the items both annotators answered; n/a if both used one value only", "")
Cell = tuple[str, Any]  # (text shown, value sorted on)


def _number(value: Any, applicable: bool = True) -> Cell:
    if value is None:  # below every number when sorted
        return (UNDEFINED, float("-inf")) if applicable else (NOT_APPLICABLE, float("-inf"))
    if isinstance(value, float):
        return f"{value:.3f}", value
    return f"{value:,}", value


def _no_cell(row: int, column: int) -> Cell:
    return "", 0


class RowsModel(QAbstractTableModel):
    """A read-only table over ``count`` rows whose cells ``cell(row, column)`` formats on demand."""

    def __init__(
        self, headers: Sequence[str], count: int, cell: Callable[[int, int], Cell], numeric: set[int], tips=(), parent=None
    ):
        super().__init__(parent)
        self._headers, self._cell, self._numeric, self._tips = list(headers), cell, numeric, list(tips)
        self._order = list(range(count))  # display row → source row, after sorting

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._order)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def source_row(self, row: int) -> int:
        return self._order[row]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell(self._order[index.row()], index.column())[0]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self._numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section]
        if role == Qt.ItemDataRole.ToolTipRole and section < len(self._tips):
            return self._tips[section] or None
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        # Sorted in Python once, not through a proxy that calls data() per comparison.
        self.layoutAboutToBeChanged.emit()
        if column < 0:  # no sort column: the report's own order
            self._order.sort()
        else:
            key = lambda r: self._cell(r, column)[1]  # noqa: E731
            self._order.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


def _table(model: QAbstractTableModel, *, sortable: bool = True) -> QTableView:
    """A compact read-only table whose first column (names) takes the spare width."""
    view = QTableView()
    view.setModel(model)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # start in report order
    view.setSortingEnabled(sortable)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


def _fit(view: QTableView) -> None:
    """Columns to their contents (only for short tables: it reads every cell), names stretched."""
    header = view.horizontalHeader()
    if view.model().rowCount() <= 200:
        view.resizeColumnsToContents()
    if header.count():
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)


class AgreementDialog(QDialog):
    """Questions × metrics on top; the selected question's annotators and pairs below."""

    def __init__(self, report: dict[str, dict], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Inter-annotator agreement")
        self.setObjectName("agreement")
        self.setModal(False)
        self.report = report
        self._ids = list(report)

        heads = ["Question", "Kind"] + [m[0] for m in METRICS]
        tips = ["Question id; each option of a multi question is a yes/no question: question.option", ""]
        tips += [m[2] for m in METRICS]
        self.questions = RowsModel(heads, len(self._ids), self._question_cell, set(range(2, len(heads))), tips, self)
        self.question_view = _table(self.questions)

        self.title = plain_label(bold=True)
        self.majority_view = _table(RowsModel(MAJORITY_HEADS, 0, _no_cell, set(), parent=self))  # until a question is picked
        self.pairs_view = _table(RowsModel(PAIR_HEADS, 0, _no_cell, set(), parent=self))
        majority_box, pairs_box = QWidget(), QWidget()
        for box, caption, view in (
            (majority_box, "Agreement with the other annotators' majority", self.majority_view),
            (pairs_box, "Cohen's κ for every two annotators", self.pairs_view),
        ):
            box_layout = QVBoxLayout(box)
            box_layout.setContentsMargins(0, 0, 0, 0)
            box_layout.addWidget(plain_label(caption))
            box_layout.addWidget(view)
        details = QSplitter(Qt.Orientation.Horizontal)
        details.addWidget(majority_box)
        details.addWidget(pairs_box)
        details.setChildrenCollapsible(False)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(plain_label(LEGEND))
        lower_layout.addSpacing(6)
        lower_layout.addWidget(self.title)
        lower_layout.addWidget(details, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.question_view)
        split.addWidget(lower)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        if not report:  # a database whose labels have not started: no schema stored yet
            split.hide()
            layout.addWidget(plain_label("Nothing to report yet: no label schema here has a choice question."))
            layout.addStretch(1)
        layout.addWidget(buttons)

        _fit(self.question_view)
        self.question_view.selectionModel().currentRowChanged.connect(lambda current, _: self._show(current.row()))
        if self._ids:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.question_view.selectionModel().setCurrentIndex(self.questions.index(0, 0), flags)
        self.resize(*((980, 640) if report else (560, 120)))

    def _question_cell(self, row: int, column: int) -> Cell:
        qid = self._ids[row]
        if column == 0:
            return qid, qid
        if column == 1:
            return self.report[qid].get("kind", ""), self.report[qid].get("kind", "")
        entry, metric = self.report[qid], METRICS[column - 2][1]
        return _number(entry.get(metric), applies(entry, metric))

    def selected_question(self) -> str | None:
        row = self.question_view.currentIndex().row()
        return self._ids[self.questions.source_row(row)] if row >= 0 else None

    def _show(self, row: int) -> None:
        if row < 0:
            return
        qid = self._ids[self.questions.source_row(row)]
        entry = self.report[qid]
        label = entry.get("label") or qid
        self.title.setText(qid if label == qid else f"{qid} — {label}")

        shares = entry.get("annotator_majority_agreement", {})
        counts = entry.get("annotator_majority_items", {})
        people = sorted(shares)

        def majority_cell(r: int, c: int) -> Cell:
            name = people[r]
            return (name, name.casefold()) if c == 0 else _number(shares[name]) if c == 1 else _number(counts.get(name))

        pairs = entry.get("cohen_kappa_pairs", [])

        def pair_cell(r: int, c: int) -> Cell:
            pair = pairs[r]
            if c < 2:
                name = pair["a" if c == 0 else "b"]
                return name, name.casefold()
            return _number(pair["kappa"] if c == 2 else pair["items"])

        self._replace(self.majority_view, RowsModel(MAJORITY_HEADS, len(people), majority_cell, {1, 2}, MAJORITY_TIPS))
        self._replace(self.pairs_view, RowsModel(PAIR_HEADS, len(pairs), pair_cell, {2, 3}, PAIR_TIPS))

    def _replace(self, view: QTableView, model: RowsModel) -> None:
        old = view.model()
        model.setParent(self)
        view.setModel(model)
        if old is not None and old.parent() is self:
            old.deleteLater()
        view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        _fit(view)
