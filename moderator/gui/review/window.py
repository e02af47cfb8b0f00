"""Review disagreements: the disputed comments, every annotator's answer side by side, and a gold label.

Only reviewers and admins may open it; the core checks again on every query. All database work runs
on the DbWorker (the jobs are core.agreement.review's, through the Project); everything shown is plain
text, since comments and answers are user data.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFrame,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from moderator.core.agreement.review import Answer, Disagreement, ReviewItem, aggregate
from moderator.core.project import Project
from moderator.core.schema.definition import CHOICE_KINDS, LabelSchema, Question
from moderator.core.store.failures import explain
from moderator.core.team.accounts import Account, AuthError
from moderator.gui import settings
from moderator.gui.actions import ActionSpec, conflicts, effective_keys, schema_actions
from moderator.gui.background.workers import DbWorker
from moderator.gui.labelling.comment_view import CommentView
from moderator.gui.labelling.label_panel import LabelPanel
from moderator.gui.widgets import plain_label, plain_tooltip

REVIEW_ACTIONS = (
    ActionSpec("review.save", "Save gold label", ("Ctrl+Return", "Ctrl+Enter"), "Review"),
    ActionSpec("review.next", "Next disputed comment", ("J", "Down"), "Review"),
    ActionSpec("review.previous", "Previous disputed comment", ("K", "Up"), "Review"),
)
DECIDED = "✓ "
DISPUTE, IS_DECIDED = Qt.ItemDataRole.UserRole, Qt.ItemDataRole.UserRole + 1
MAX_COLUMN = 150  # pixels


def majority(schema: LabelSchema, given: list[Answer]) -> dict[str, Any]:
    """The majority answer to each choice question (see core.review.aggregate); ties stay open."""
    found, _ = aggregate([a.values for a in given if a.status == "submitted"])
    choice = {q.id for q in schema.questions if q.kind in CHOICE_KINDS}
    return {qid: value for qid, value in found.items() if qid in choice and value not in (None, [])}


def describe(q: Question, value: Any) -> str:
    """An answer as the table shows it: option labels (ordinal values first), multi answers joined."""
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(describe(q, v) for v in value)
    option = q.option(value)
    if option is None:
        return str(value)
    return f"{value} {option.label}" if q.kind == "ordinal" and isinstance(value, int) else option.label


def summary(d: Disagreement, decided: bool) -> str:
    counts = " ".join(
        f"{'+'.join(map(str, v)) if isinstance(v, tuple) else v}:{n}"
        for v, n in sorted(d.values.items(), key=lambda kv: str(kv[0]))
    )
    return f"{DECIDED if decided else ''}#{d.comment_id} · {d.answers} answers · {d.majority_share:.0%} agree · {counts}"


class ReviewWindow(QDialog):
    def __init__(self, project: Project, worker: DbWorker, reviewer: Account, schema: LabelSchema, parent=None):
        if not reviewer.sees_all:
            raise AuthError("only reviewers and admins review disagreements (labelling is blind)")
        super().__init__(parent)
        self.project, self.worker, self.reviewer, self.schema = project, worker, reviewer, schema
        # On a server, a decision goes to the outbox on this computer first, as every answer does.
        self.saver = DbWorker(self) if project.keeps_outbox else None
        self.box = project.outbox_path(f"annotator {reviewer.id}") if project.keeps_outbox else None
        self.setObjectName("review_window")
        self.setWindowTitle("Review disagreements")
        self.setModal(False)
        self.setAttribute(Qt.WidgetAttribute.WA_WindowPropagation)  # follow the main window's zoomed font
        self.resize(1360, 800)
        self.item: ReviewItem | None = None
        self._pending = 0
        self._saving = False
        self._loading_id: int | None = None
        self._notice = ""  # "saved" news, kept in front of the next comment's status line
        self._columns = [q for q in schema.questions if q.kind != "spans"]  # spans are not in an answer's values
        self._build()
        self._make_actions()
        self.refresh()

    # layout ---------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.question_box = QComboBox()
        self.question_box.setObjectName("review_question")
        for q in self.schema.questions:
            if q.kind in CHOICE_KINDS:
                self.question_box.addItem(q.label, q.id)
        default = self.question_box.findData("toxicity")
        self.question_box.setCurrentIndex(max(default, 0))
        self.question_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # letters stay shortcuts
        self.question_box.currentIndexChanged.connect(lambda _: self.refresh())
        self.list = QListWidget()
        self.list.setObjectName("review_list")
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # elide, full text in the tooltip
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.currentRowChanged.connect(self._on_row)
        left = _column(plain_label("Disputed on:"), self.question_box, self.list, stretch=self.list)

        self.comment_view = CommentView()
        self.table = QTableWidget(0, len(self._columns) + 2)
        self.table.setObjectName("review_answers")
        self.table.setHorizontalHeaderLabels(["Annotator", "Status"] + [q.label for q in self._columns])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setWordWrap(True)
        self.centre = centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.comment_view)
        centre.addWidget(self.table)
        centre.setSizes([520, 220])

        self.label_panel = LabelPanel(self.schema)
        for q in self.schema.questions:
            if q.kind == "spans":  # a gold label has values only
                self.label_panel.findChild(QFrame, f"question_{q.id}").hide()
        self.note = QLineEdit()
        self.note.setObjectName("review_note")
        self.note.setPlaceholderText("Note on this decision (optional)")
        self.save_button = QPushButton("Save gold label  (Ctrl+Return)")
        self.save_button.setObjectName("review_save_button")
        self.save_button.setAutoDefault(False)  # Return in the note field must not save
        self.save_button.clicked.connect(self.save)
        self.right = right = _column(
            plain_label("Gold label", bold=True), self.label_panel, self.note, self.save_button, stretch=self.label_panel
        )

        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (left, centre, right):
            splitter.addWidget(widget)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([270, 750, 340])
        self.status = plain_label("")
        self.status.setObjectName("review_status")
        self.status.setWordWrap(True)
        QVBoxLayout(self).addWidget(splitter, stretch=1)
        self.layout().addWidget(self.status)

    def _make_actions(self) -> None:
        """Window-local shortcuts; option keys follow the user's remapped label keys."""
        overrides = settings.key_overrides()
        resolved = list(REVIEW_ACTIONS)
        for spec in schema_actions(self.schema):
            if not spec.id.endswith(".mark"):  # no rationale spans in a gold label
                resolved.append(ActionSpec(f"review.{spec.id}", spec.text, effective_keys(spec, overrides), spec.group))
        self.actions_by_id: dict[str, QAction] = {}
        for spec in resolved:
            action = QAction(spec.text, self)
            action.setObjectName(spec.id)
            action.setShortcuts([QKeySequence(k) for k in spec.keys])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            self.addAction(action)
            self.actions_by_id[spec.id] = action
        a = self.actions_by_id
        a["review.save"].triggered.connect(self.save)
        a["review.next"].triggered.connect(lambda: self.step(1))
        a["review.previous"].triggered.connect(lambda: self.step(-1))
        for q in self.schema.questions:
            for option in q.options:
                a[f"review.label.{q.id}.{option.value}"].triggered.connect(
                    lambda _=False, qid=q.id, v=option.value: self.label_panel.choose(qid, v)
                )
        clashes = conflicts(tuple(resolved), {})
        if clashes:  # shown in front of the first comment's status line
            self._notice = "Keys bound twice here: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in clashes.items()) + ". "

    # loading --------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._pending > 0

    @property
    def question(self) -> str:
        return self.question_box.currentData()

    def _run(self, fn, *args, on_done) -> None:
        self._pending += 1

        def done(result):
            self._pending -= 1
            on_done(result)

        def failed(exc):
            self._pending -= 1
            self._saving = False
            self._say(f"Error: {explain(exc)}", error=True)

        self.worker.submit(fn, *args, on_done=done, on_error=failed)

    def refresh(self) -> None:
        """Reload the disputed comments for the chosen question (e.g. when the window is shown again)."""
        self._say("Loading disputed comments…")
        self._run(self.project.review_list, self.reviewer, self.question, on_done=self._on_list)

    def _on_list(self, result: tuple[list[Disagreement], set[int]]) -> None:
        found, decided = result
        keep = self.item.comment_id if self.item else None
        self.list.blockSignals(True)
        self.list.clear()
        for d in found:
            entry = QListWidgetItem(summary(d, d.comment_id in decided))
            entry.setData(DISPUTE, d)
            entry.setData(IS_DECIDED, d.comment_id in decided)
            entry.setToolTip(plain_tooltip(entry.text()))
            self.list.addItem(entry)
        self.list.blockSignals(False)
        label = self.question_box.currentText()
        self._say(
            f"{len(found)} comments disputed on {label}, {len(decided)} decided." if found else f"No disagreements on {label}."
        )
        ids = [d.comment_id for d in found]
        self.centre.setEnabled(bool(found))
        self.right.setEnabled(bool(found))
        if found:
            self.list.setCurrentRow(ids.index(keep) if keep in ids else 0)
            self._on_row(self.list.currentRow())  # reload even when the row did not change
        else:
            self.item = self._loading_id = None  # nothing to decide: the greyed panes are inert
            self.table.setRowCount(0)
        self.list.setFocus()

    def _on_row(self, row: int) -> None:
        entry = self.list.item(row)
        if entry is None:
            return
        comment_id = entry.data(DISPUTE).comment_id
        self._loading_id = comment_id
        self._run(self.project.review_item, comment_id, self.reviewer, on_done=self._on_item)

    def _on_item(self, item: ReviewItem) -> None:
        if item.comment_id != self._loading_id:
            return  # the reviewer has moved on; a newer load is on its way
        self.item = item
        self.comment_view.show_context(item.context)
        self._fill_table(item)
        found = majority(self.schema, item.answers)
        self.label_panel.set_state(item.gold or found, None, item.context.comment.text)
        self.note.clear()
        notice, self._notice = self._notice, ""
        if item.gold:
            text = f"#{item.comment_id} already has a gold label (shown); saving again replaces it."
        elif self.question in found:
            text = f"#{item.comment_id}: pre-filled with the majority answer; change it or save it."
        else:
            text = f"#{item.comment_id}: no majority on {self.question_box.currentText()}; choose the gold answer."
        self._say(notice + text)

    def _fill_table(self, item: ReviewItem) -> None:
        rows = [(a.annotator, a.status, a.values, a.submitted_at) for a in item.answers]
        rows.append(("majority", "", majority(self.schema, item.answers), None))
        self.table.setRowCount(len(rows))
        for r, (who, status, values, when) in enumerate(rows):
            cells = [who, status] + [describe(q, values.get(q.id)) for q in self._columns]
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)  # item views draw text as is: no HTML
                cell.setToolTip(plain_tooltip(text if when is None else f"{text}\n{who}, {when:%Y-%m-%d %H:%M}"))
                if when is None:  # the majority row, set apart from the annotators
                    font = cell.font()
                    font.setItalic(True)
                    cell.setFont(font)
                self.table.setItem(r, c, cell)
        for c, q in enumerate(self._columns, start=2):  # questions nobody answered only widen the table
            self.table.setColumnHidden(c, not any(q.id in values for _, _, values, _ in rows))
        self.table.resizeColumnsToContents()
        for c in range(self.table.columnCount()):  # long answers wrap rather than push the rest out of sight
            self.table.setColumnWidth(c, min(self.table.columnWidth(c), MAX_COLUMN))
        self.table.resizeRowsToContents()

    # actions --------------------------------------------------------------------------------------

    def step(self, delta: int) -> None:
        row = min(max(self.list.currentRow() + delta, 0), self.list.count() - 1)
        if row >= 0:
            self.list.setCurrentRow(row)

    def save(self) -> None:
        if self.item is None or self._saving or self.item.comment_id != self._loading_id:
            return  # nothing shown yet, a save in flight, or the next comment still loading
        missing = self.label_panel.missing_required()
        if missing:
            self.label_panel.show_missing(missing)
            names = ", ".join(self.schema.question(q).label for q in missing)
            self._say(f"Not saved: answer {names} first.", error=True)
            return
        self._saving = True
        comment_id, note = self.item.comment_id, self.note.text().strip() or None
        if self.saver is not None:
            payload = {"comment_id": comment_id, "reviewer_id": self.reviewer.id, "reviewer_name": self.reviewer.name,
                       "reviewer_role": self.reviewer.role, "values": self.label_panel.values(), "note": note}  # fmt: skip
            self.saver.submit(self.project.keep, self.box, "gold", payload, on_done=lambda _entry: self._kept(comment_id),
                              on_error=self._not_kept)  # fmt: skip
            return
        self._run(self.project.decide, comment_id, self.reviewer, self.label_panel.values(), note,
                  on_done=lambda _id: self._on_saved(comment_id))  # fmt: skip

    def _kept(self, comment_id: int) -> None:
        """On disk here; sent now if the server is there (else with the next answers the outbox sends)."""
        self._on_saved(comment_id)
        self.worker.submit(self.project.send_outbox, self.box, on_error=lambda _exc: None)

    def _not_kept(self, exc: Exception) -> None:
        self._saving = False
        self._say(f"Not saved: {explain(exc)}", error=True)

    def _on_saved(self, comment_id: int) -> None:
        self._saving = False
        rows = [self.list.item(r) for r in range(self.list.count())]
        for entry in rows:
            if entry.data(DISPUTE).comment_id == comment_id and not entry.data(IS_DECIDED):
                entry.setData(IS_DECIDED, True)
                entry.setText(DECIDED + entry.text())
                entry.setToolTip(plain_tooltip(entry.text()))
        current = max(self.list.currentRow(), 0)
        order = list(range(current + 1, len(rows))) + list(range(current + 1))  # onwards, then wrap round
        undecided = [r for r in order if not rows[r].data(IS_DECIDED)]
        if undecided:
            self._notice = f"Gold label saved for #{comment_id}. "
            self._say(self._notice.strip())
            self.list.setCurrentRow(undecided[0])
        else:
            self._say(f"Gold label saved for #{comment_id}. Every disputed comment here now has a gold label.")

    def _say(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #c9302c;" if error else "")


def _column(*widgets: QWidget, stretch: QWidget) -> QWidget:
    column = QWidget()
    layout = QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget, stretch=1 if widget is stretch else 0)
    return column
