"""The right-hand panel: the label schema's questions, each option with its key, compact enough that
every question of the default schema shows without scrolling at 1280×800.

Options sit in rows (wrapping when the panel is narrow); a question's guideline is behind its ``?``
button and its tooltip; the rationale is drawn in the comment itself, the panel lists it briefly.
The panel holds the answers being given to the comment on screen; the window reads them on submit.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from moderator.core.labelling.drafts import Draft
from moderator.core.schema.definition import LabelSchema, Question
from moderator.gui.flow_layout import FlowLayout

SPAN_PREVIEW = 40
MIN_WIDTH = 230  # options wrap to the width; below this, titles and fields would crowd
SPAN_ROWS = 3  # rationale spans listed before the short list scrolls
MISSING_STYLE = "QFrame#{name} {{ border: 2px solid #d9534f; border-radius: 4px; }}"


def key_caption(key: str | None) -> str:
    """A key as shown beside an option: short, so options fit in rows (Shift+N → ⇧N)."""
    return (key or "").replace("Shift+", "⇧").replace("Ctrl+", "^")


def _option_text(key: str | None, label: str) -> str:
    return f"{key_caption(key)}  {label}" if key else label


def _title_text(q: Question) -> str:
    """ "Toxicity *"; a question with a default says what is recorded when it is left alone."""
    default = q.option(q.default) if q.default is not None else None
    return q.label + (" *" if q.required and default is None else "") + (f"  ({default.label} unless chosen)" if default else "")


def _title(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)  # a long title ("… (None unless chosen)") wraps rather than widen the panel
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def _small_button(text: str, tip: str) -> QToolButton:
    button = QToolButton()  # a tool button's margins are slim: the panel stays narrow
    button.setText(text)
    button.setToolTip(tip)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
    return button


class LabelPanel(QScrollArea):
    guideline_requested = Signal(str)  # question id
    mark_requested = Signal(str)  # spans question id: mark the current selection
    spans_changed = Signal()  # a rationale span added or removed: the comment redraws its marks
    edited = Signal()  # the annotator gave or changed an answer (the first one times the first key)

    def __init__(self, schema: LabelSchema, parent=None):
        super().__init__(parent)
        self.setObjectName("label_panel")
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # options wrap instead
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setMinimumWidth(MIN_WIDTH)
        self.schema = schema
        self._buttons: dict[str, dict[Any, QAbstractButton]] = {}
        self._texts: dict[str, QLineEdit] = {}
        self._span_lists: dict[str, QListWidget] = {}
        self._span_hints: dict[str, QLabel] = {}
        self._boxes: dict[str, QFrame] = {}
        self._titles: dict[str, QLabel] = {}
        self._spans: list[dict[str, Any]] = []
        self._comment_text = ""
        self._loaded = Draft()  # what the comment had when shown: anything else is a draft
        # Questions the annotator answered (or that were stored answered). A default shown but never
        # touched is not an answer: the core records it on submit, never on a skip or flag.
        self._explicit: set[str] = set()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        # What the lexicon found in the comment ("lexicon: disease metaphor, call for violence"): a hint.
        self.lexicon_hint = self._hint_label("lexicon_hint")
        layout.addWidget(self.lexicon_hint)
        # The assist model's suggestion: shown beside the questions, never chosen for the annotator.
        self.model_hint = self._hint_label("model_hint")
        self.model_hint.setToolTip("The assist model's guess from the labels so far. Judge the comment yourself.")
        layout.addWidget(self.model_hint)
        for q in schema.questions:
            layout.addWidget(self._question_box(q))
        layout.addStretch(1)
        self.setWidget(body)
        self.clear()

    @staticmethod
    def _hint_label(name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.hide()
        return label

    def _question_box(self, q: Question) -> QFrame:
        box = QFrame()
        box.setObjectName(f"question_{q.id}")
        box.setToolTip(q.guideline)
        self._boxes[q.id] = box
        rows = QVBoxLayout(box)
        rows.setContentsMargins(4, 2, 4, 2)
        rows.setSpacing(2)
        header = QHBoxLayout()
        header.setSpacing(6)
        title = _title(_title_text(q))
        self._titles[q.id] = title
        header.addWidget(title, stretch=0 if q.kind == "text" else 1)  # a field takes the row's room, else the title
        help_button = QToolButton()
        help_button.setText("?")
        help_button.setObjectName(f"guideline_{q.id}")
        help_button.setAutoRaise(True)
        help_button.setToolTip(f"Guideline for {q.label} (F1 shows all)")
        help_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        help_button.clicked.connect(lambda _=False, qid=q.id: self.guideline_requested.emit(qid))
        rows.addLayout(header)
        if q.kind in ("ordinal", "nominal", "multi"):
            header.addWidget(help_button, alignment=Qt.AlignmentFlag.AlignTop)
            options = FlowLayout(spacing=2)
            group = QButtonGroup(self)
            group.setExclusive(False)  # exclusivity handled in choose(): a single choice can be cleared
            self._buttons[q.id] = {}
            for option in q.options:
                button = (QCheckBox if q.kind == "multi" else QRadioButton)(_option_text(option.key, option.label))
                button.setObjectName(f"option_{q.id}_{option.value}")
                button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                button.setToolTip(f"Key: {option.key}" if option.key else "")
                button.clicked.connect(lambda checked, qid=q.id, value=option.value: self._clicked(qid, value, checked))
                group.addButton(button)
                options.addWidget(button)
                self._buttons[q.id][option.value] = button
            rows.addLayout(options)
        elif q.kind == "text":  # one row: the title, the field, the guideline
            title.setWordWrap(False)  # short ("Note"): the field wraps nothing, it narrows
            edit = QLineEdit()
            edit.setObjectName(f"text_{q.id}")
            edit.setPlaceholderText(q.guideline.splitlines()[0] if q.guideline else q.label)
            edit.setToolTip(q.guideline)
            edit.textEdited.connect(self.edited)
            header.addWidget(edit, stretch=1)
            header.addWidget(help_button)
            self._texts[q.id] = edit
        elif q.kind == "spans":
            mark = _small_button(f"Mark ({key_caption(q.key)})" if q.key else "Mark", "Mark the selected words")
            mark.clicked.connect(lambda _=False, qid=q.id: self.mark_requested.emit(qid))
            remove = _small_button("Remove", "Remove the span chosen in the list (the last one if none)")
            remove.clicked.connect(lambda _=False, qid=q.id: self._remove_selected_span(qid))
            header.addWidget(help_button, alignment=Qt.AlignmentFlag.AlignTop)
            hint = QLabel(f"Select words with the mouse, or Ctrl+→ and Shift+→, then {q.key or 'Mark'}.")
            hint.setObjectName(f"span_hint_{q.id}")
            hint.setTextFormat(Qt.TextFormat.PlainText)
            hint.setWordWrap(True)
            hint.setEnabled(False)  # the palette's muted colour, in light and dark themes alike
            spans = QListWidget()
            spans.setObjectName(f"spans_{q.id}")
            spans.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            actions = QHBoxLayout()  # the hint wraps beside the buttons, never widening the panel
            actions.addWidget(hint, stretch=10)
            actions.addWidget(mark, alignment=Qt.AlignmentFlag.AlignTop)
            actions.addWidget(remove, alignment=Qt.AlignmentFlag.AlignTop)
            actions.addStretch(1)  # with the hint hidden (spans listed), the buttons stay at the left
            rows.addLayout(actions)
            rows.addWidget(spans)
            self._span_lists[q.id] = spans
            self._span_hints[q.id] = hint
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
        self.ensureWidgetVisible(self._boxes[qid])
        self.edited.emit()

    def _clicked(self, qid: str, value: Any, checked: bool) -> None:
        """A mouse click has toggled the button already; a single choice also clears the others."""
        if checked and self.schema.question(qid).kind != "multi":
            for v, button in self._buttons[qid].items():
                button.setChecked(v == value)
        self._explicit.add(qid)
        self._mark_missing(qid, False)
        self.edited.emit()

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

    def snapshot(self) -> Draft:
        return Draft(self.values(), tuple(self._spans))

    def changed(self) -> bool:
        """Has the annotator changed anything since the comment was shown? (That is a draft.)"""
        return self.snapshot() != self._loaded

    def set_state(self, values: dict[str, Any] | None, spans: list[dict[str, Any]] | None, comment_text: str) -> None:
        """Show a comment's answers in force, or none. A schema's default is never shown chosen (it would
        anchor the answer); the question's title says what a submission records if it is left alone."""
        self._comment_text = comment_text
        self._explicit = set(values or {})
        for qid, buttons in self._buttons.items():
            given = (values or {}).get(qid)
            chosen = set(given) if isinstance(given, list) else {given}
            for v, button in buttons.items():
                button.setChecked(v in chosen)
        for qid, edit in self._texts.items():
            edit.setText(str((values or {}).get(qid, "")))
        self._spans = [dict(s) for s in spans or []]
        self._refresh_spans()
        for qid in self._boxes:
            self._mark_missing(qid, False)
        self._loaded = self.snapshot()
        self.verticalScrollBar().setValue(0)  # every comment opens with its first question in sight

    def restore(self, draft: Draft, values: dict[str, Any] | None, spans: list[dict[str, Any]] | None, comment_text: str) -> None:
        """Show a draft kept for this comment, over what the comment has stored (``values``, ``spans``):
        the draft stays a draft until submitted."""
        self.set_state(values, spans, comment_text)
        stored = self._loaded
        self.set_state(dict(draft.values), list(draft.spans), comment_text)
        self._loaded = stored

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
        self.spans_changed.emit()
        self.edited.emit()

    def _remove_selected_span(self, qid: str) -> None:
        widget = self._span_lists[qid]
        mine = [s for s in self._spans if s["question"] == qid]
        row = widget.currentRow() if widget.currentRow() >= 0 else len(mine) - 1
        if 0 <= row < len(mine):
            self._spans.remove(mine[row])
            self._refresh_spans()
            self.spans_changed.emit()

    def _refresh_spans(self) -> None:
        for qid, widget in self._span_lists.items():
            widget.clear()
            for span in (s for s in self._spans if s["question"] == qid):
                text = " ".join(self._comment_text[span["start"] : span["end"]].split())
                shown = text if len(text) <= SPAN_PREVIEW else text[: SPAN_PREVIEW - 1] + "…"
                widget.addItem(QListWidgetItem(f"“{shown}”"))
            widget.setVisible(widget.count() > 0)
            self._span_hints[qid].setVisible(widget.count() == 0)
            # As tall as its spans, up to a few: the questions below stay in sight.
            rows = min(max(widget.count(), 1), SPAN_ROWS)
            widget.setFixedHeight(rows * widget.sizeHintForRow(0) + 2 * widget.frameWidth() if widget.count() else 0)

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
        self._titles[qid].setText(_title_text(q) + ("  — answer this to submit" if missing else ""))
        # A property and a title, so the mark never rests on colour alone.
        box.setProperty("missing", missing)
        box.setStyleSheet(MISSING_STYLE.format(name=box.objectName()) if missing else "")
