"""The note after a gold item: the reference answer, told calmly once the annotator's own is in.

The project may explain its gold items (``store.settings.GoldSettings.feedback``): the core then
returns the reference answers with the answer that was just stored (``session.Advance.feedback``, or
``Project.gold_feedback`` after the outbox is sent). Nothing shows before the answer is submitted. The
note sits above the next comment, never takes the keyboard, and goes at the next answer (or its ×).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QToolButton

from moderator.core.gold.accuracy import same_answer
from moderator.core.schema.definition import LabelSchema, Question
from moderator.gui.colours import mix
from moderator.gui.widgets import plain_label

NO_ANSWER = "nothing"
TINT = 0.12  # the selection colour's share over the page: a calm note, told apart without shouting


def _shown(q: Question | None, value: Any) -> str:
    """An answer as the panel names it: "1 (Not toxic)" for a numbered option, else its label."""
    if value is None or value == [] or value == "":
        return NO_ANSWER
    if q is None:
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if isinstance(value, list):
        return ", ".join(_shown(q, v) for v in value)
    option = q.option(value)
    if option is None:
        return str(value)
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    return f"{value} ({option.label})" if is_number else option.label


def feedback_text(schema: LabelSchema, reference: dict[str, Any], given: dict[str, Any]) -> str:
    """ "The comment you just answered was a check item. Reference answer — Toxicity: 1 (Not toxic);
    Dehumanization: None. You answered: Toxicity 2 (Mildly toxic)." Only answers that differ are repeated."""
    known = {q.id: q for q in schema.questions}
    order = [q.id for q in schema.questions if q.id in reference] + sorted(set(reference) - set(known))
    parts, differ = [], []
    for qid in order:
        q = known.get(qid)
        name = q.label if q else qid
        parts.append(f"{name}: {_shown(q, reference[qid])}")
        answer = given.get(qid, q.default if q else None)
        if not same_answer(answer, reference[qid]):
            shown = _shown(q, answer)
            differ.append(f"nothing for {name}" if shown == NO_ANSWER else f"{name} {shown}")
    mine = f"You answered: {'; '.join(differ)}." if differ else "Your answer matches it."
    return f"The comment you just answered was a check item. Reference answer — {'; '.join(parts)}. {mine}"


class GoldNote(QFrame):
    """A quiet strip above the comment; ``show_feedback`` fills it, ``clear`` puts it away."""

    def __init__(self, schema: LabelSchema, parent=None):
        super().__init__(parent)
        self.setObjectName("gold_note")
        self.schema = schema
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._tinting = False
        self.text = plain_label()
        self.text.setObjectName("gold_note_text")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setObjectName("gold_note_close")
        close.setText("×")
        close.setAutoRaise(True)
        close.setToolTip("Put this note away (the next answer does too)")
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the window's shortcuts
        close.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        row.addWidget(self.text, stretch=1)
        row.addWidget(close, alignment=Qt.AlignmentFlag.AlignTop)
        self.hide()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ParentChange) and not self._tinting:
            self._tint()  # the theme or greyscale changed the window's palette: the tint follows it

    def _tint(self) -> None:
        """The background only, from the window's palette (light, dark or greyscale); the rest inherits."""
        host = self.parentWidget()
        if host is None:
            return
        colours = host.palette()
        own = QPalette()  # only the role set here is this widget's own: the others follow the window
        own.setColor(
            QPalette.ColorRole.Window,
            mix(colours.color(QPalette.ColorRole.Base), colours.color(QPalette.ColorRole.Highlight), TINT),
        )
        self._tinting = True
        try:
            self.setPalette(own)
        finally:
            self._tinting = False

    def show_feedback(self, feedback: tuple[dict[str, Any], dict[str, Any]] | None) -> None:
        """(reference answers, the answers given), or None to put the note away."""
        if not feedback:
            self.clear()
            return
        reference, given = feedback
        self.text.setText(feedback_text(self.schema, reference, given or {}))
        self.show()

    def clear(self) -> None:
        self.text.clear()
        self.hide()
