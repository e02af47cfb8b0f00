"""The right-hand panel: the label schema's questions as buttons and fields, each option with its key.

It holds the answers being given to the current comment; the window reads them on submit.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from moderator.core.schema.definition import LabelSchema, Question

SPAN_PREVIEW = 40


def _first_sentence(text: str) -> str:
    """The guideline's opening line: the question itself, kept short beside the options."""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _option_text(key: str | None, label: str) -> str:
    return f"{key}   {label}" if key else label


class LabelPanel(QScrollArea):
    guideline_requested = Signal(str)  # question id
    mark_requested = Signal(str)  # spans question id: mark the current selection

    def __init__(self, schema: LabelSchema, parent=None):
        super().__init__(parent)
        self.setObjectName("label_panel")
        self.setWidgetResizable(True)
        self.schema = schema
        self._buttons: dict[str, dict[Any, QAbstractButton]] = {}
        self._groups: dict[str, QButtonGroup] = {}
        self._texts: dict[str, QLineEdit] = {}
        self._span_lists: dict[str, QListWidget] = {}
        self._boxes: dict[str, QGroupBox] = {}
        self._spans: list[dict[str, Any]] = []
        self._comment_text = ""
        # Questions the annotator answered (or that were stored answered). A default shown but never
        # touched is not an answer: the core records it on submit, never on a skip or flag.
        self._explicit: set[str] = set()
        body = QWidget()
        layout = QVBoxLayout(body)
        # What the lexicon found in the comment ("lexicon: disease metaphor, call for violence"): a hint.
        self.lexicon_hint = QLabel()
        self.lexicon_hint.setObjectName("lexicon_hint")
        self.lexicon_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.lexicon_hint.setWordWrap(True)
        self.lexicon_hint.hide()
        layout.addWidget(self.lexicon_hint)
        # The assist model's suggestion: shown beside the questions, never chosen for the annotator.
        self.model_hint = QLabel()
        self.model_hint.setObjectName("model_hint")
        self.model_hint.setTextFormat(Qt.TextFormat.PlainText)
        self.model_hint.setToolTip("The assist model's guess from the labels so far. Judge the comment yourself.")
        self.model_hint.hide()
        layout.addWidget(self.model_hint)
        for q in schema.questions:
            layout.addWidget(self._question_box(q))
        layout.addStretch(1)
        self.setWidget(body)
        self.clear()

    def _question_box(self, q: Question) -> QGroupBox:
        box = QGroupBox(q.label + (" *" if q.required else ""))
        box.setObjectName(f"question_{q.id}")
        box.setToolTip(q.guideline)
        self._boxes[q.id] = box
        rows = QVBoxLayout(box)
        header = QHBoxLayout()
        hint = QLabel(_first_sentence(q.guideline))
        hint.setObjectName(f"hint_{q.id}")
        hint.setTextFormat(Qt.TextFormat.PlainText)
        hint.setWordWrap(True)
        hint.setEnabled(False)  # drawn in the palette's muted colour, in light and dark themes alike
        help_button = QToolButton()
        help_button.setText("?")
        help_button.setToolTip(f"Guideline for {q.label}")
        help_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        help_button.clicked.connect(lambda _=False, qid=q.id: self.guideline_requested.emit(qid))
        header.addWidget(hint, stretch=1)
        header.addWidget(help_button, alignment=Qt.AlignmentFlag.AlignTop)
        rows.addLayout(header)
        if q.kind in ("ordinal", "nominal", "multi"):
            group = QButtonGroup(self)
            group.setExclusive(False)  # exclusivity handled in choose(): a single choice can be cleared
            self._groups[q.id] = group
            self._buttons[q.id] = {}
            for option in q.options:
                button = (QCheckBox if q.kind == "multi" else QRadioButton)(_option_text(option.key, option.label))
                button.setObjectName(f"option_{q.id}_{option.value}")
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
                button.clicked.connect(lambda checked, qid=q.id, value=option.value: self._clicked(qid, value, checked))
                group.addButton(button)
                rows.addWidget(button)
                self._buttons[q.id][option.value] = button
        elif q.kind == "text":
            edit = QLineEdit()
            edit.setObjectName(f"text_{q.id}")
            edit.setPlaceholderText(q.guideline.splitlines()[0] if q.guideline else q.label)
            rows.addWidget(edit)
            self._texts[q.id] = edit
        elif q.kind == "spans":
            spans = QListWidget()
            spans.setObjectName(f"spans_{q.id}")
            spans.setMaximumHeight(90)
            mark = QPushButton(f"Mark selection ({q.key})" if q.key else "Mark selection")
            mark.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            mark.clicked.connect(lambda _=False, qid=q.id: self.mark_requested.emit(qid))
            remove = QPushButton("Remove span")
            remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            remove.clicked.connect(lambda _=False, qid=q.id: self._remove_selected_span(qid))
            buttons = QHBoxLayout()
            buttons.addWidget(mark)
            buttons.addWidget(remove)
            rows.addWidget(spans)
            rows.addLayout(buttons)
            self._span_lists[q.id] = spans
        return box

    def set_model_hint(self, text: str | None) -> None:
        self.model_hint.setText(text or "")
        self.model_hint.setVisible(bool(text))

    def show_lexicon_hint(self, text: str) -> None:
        self.lexicon_hint.setText(text)
        self.lexicon_hint.setVisible(bool(text))

    # answers --------------------------------------------------------------------------------------

    def choose(self, qid: str, value: Any) -> None:
        """An option's key: a single choice is set, a multiple choice is toggled."""
        buttons = self._buttons[qid]
        if self.schema.question(qid).kind == "multi":
            buttons[value].setChecked(not buttons[value].isChecked())
        else:
            for v, button in buttons.items():
                button.setChecked(v == value)
        self._explicit.add(qid)
        self._mark_missing(qid, False)

    def _clicked(self, qid: str, value: Any, checked: bool) -> None:
        """A mouse click has toggled the button already; a single choice also clears the others."""
        if checked and self.schema.question(qid).kind != "multi":
            for v, button in self._buttons[qid].items():
                button.setChecked(v == value)
        self._explicit.add(qid)
        self._mark_missing(qid, False)

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for qid, buttons in self._buttons.items():
            if qid not in self._explicit:
                continue
            chosen = [v for v, b in buttons.items() if b.isChecked()]
            if self.schema.question(qid).kind == "multi":
                if chosen:
                    values[qid] = chosen
            elif chosen:
                values[qid] = chosen[0]
        for qid, edit in self._texts.items():
            if edit.text().strip():
                values[qid] = edit.text().strip()
        return values

    def spans(self) -> list[dict[str, Any]]:
        return list(self._spans)

    def set_state(self, values: dict[str, Any] | None, spans: list[dict[str, Any]] | None, comment_text: str) -> None:
        """Show a comment's answers in force, or the schema's defaults for an unanswered comment."""
        values = values or {}
        self._comment_text = comment_text
        self._explicit = set(values)
        for qid, buttons in self._buttons.items():
            q = self.schema.question(qid)
            given = values.get(qid, q.default if not values else None)
            chosen = set(given) if isinstance(given, list) else {given}
            for v, button in buttons.items():
                button.setChecked(v in chosen)
        for qid, edit in self._texts.items():
            edit.setText(str(values.get(qid, "")))
        self._spans = [dict(s) for s in spans or []]
        self._refresh_spans()
        for qid in self._boxes:
            self._mark_missing(qid, False)

    def clear(self) -> None:
        self.set_state(None, None, self._comment_text)

    def add_span(self, qid: str, start: int, end: int) -> None:
        if end <= start:
            return
        span = {"start": start, "end": end, "question": qid}
        if span not in self._spans:
            self._spans.append(span)
            self._spans.sort(key=lambda s: (s["start"], s["end"]))
        self._refresh_spans()

    def _remove_selected_span(self, qid: str) -> None:
        widget = self._span_lists[qid]
        row = widget.currentRow()
        mine = [s for s in self._spans if s["question"] == qid]
        if 0 <= row < len(mine):
            self._spans.remove(mine[row])
            self._refresh_spans()

    def _refresh_spans(self) -> None:
        for qid, widget in self._span_lists.items():
            widget.clear()
            for span in (s for s in self._spans if s["question"] == qid):
                text = " ".join(self._comment_text[span["start"] : span["end"]].split())
                shown = text if len(text) <= SPAN_PREVIEW else text[: SPAN_PREVIEW - 1] + "…"
                widget.addItem(QListWidgetItem(f"“{shown}”  [{span['start']}–{span['end']}]"))

    # required questions ---------------------------------------------------------------------------

    def missing_required(self) -> list[str]:
        answered = self.values()
        return [q.id for q in self.schema.questions if q.required and q.default is None and q.id not in answered]

    def show_missing(self, qids: list[str]) -> None:
        for qid in qids:
            self._mark_missing(qid, True)
        if qids:
            self.ensureWidgetVisible(self._boxes[qids[0]])

    def _mark_missing(self, qid: str, missing: bool) -> None:
        box = self._boxes[qid]
        q = self.schema.question(qid)
        box.setTitle(q.label + (" *" if q.required else "") + ("  — answer this to submit" if missing else ""))
        # A property, so the style sheet can mark the box without colour being the only signal.
        box.setProperty("missing", missing)
        # Margins keep the border clear of the title, which a bare border would run through.
        box.setStyleSheet(
            "QGroupBox { border: 2px solid #d9534f; border-radius: 4px; margin-top: 1.2em; padding-top: 0.4em; }"
            "QGroupBox::title { subcontrol-origin: margin; left: 8px; padding: 0 3px; }"
            if missing
            else ""
        )
