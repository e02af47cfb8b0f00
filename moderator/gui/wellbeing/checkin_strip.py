"""The "how are you?" question (1-5): a strip along the bottom while labelling, a small dialog on quit.

The strip takes the keyboard while it is up, so the 1-4 typed into it answer it and never label the
comment (they are the window's shortcuts otherwise: it claims them first, as a text field does in
labelling.field_keys). Other keys, e.g. the arrows, still move through the queue; Esc or "Not now"
puts it away. Nothing is asked again until the next moment (after a break, at the end).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from moderator.gui.wellbeing.blur import Cover
from moderator.gui.widgets import plain_label

MOODS = ((1, "Very bad"), (2, "Bad"), (3, "OK"), (4, "Good"), (5, "Very good"))
MOOD_KEYS = {getattr(Qt.Key, f"Key_{mood}"): mood for mood, _ in MOODS}
PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)  # the digit row or the keypad


def _mood_of(event) -> int | None:
    return MOOD_KEYS.get(event.key()) if event.modifiers() in PLAIN else None


def _mood_buttons(row: QHBoxLayout, pick) -> list[QPushButton]:
    buttons = []
    for mood, text in MOODS:
        button = QPushButton(f"{mood} {text}")
        button.setObjectName(f"mood_{mood}")
        button.setAutoDefault(False)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the keys go to the question, not to a button
        button.clicked.connect(lambda _=False, m=mood: pick(m))
        row.addWidget(button)
        buttons.append(button)
    return buttons


class CheckinStrip(Cover):
    answered = Signal(int)
    dismissed = Signal()

    def __init__(self, window: QWidget, anchor: QWidget):
        super().__init__(window, anchor, "checkin_strip", full=False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.question = plain_label()
        self.question.setObjectName("checkin_question")
        row = QHBoxLayout(self)
        row.addWidget(self.question, stretch=1)
        self.buttons = _mood_buttons(row, self.answered.emit)
        self.later_button = QPushButton("Not now (Esc)")
        self.later_button.setObjectName("checkin_not_now")
        self.later_button.setAutoDefault(False)
        self.later_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.later_button.clicked.connect(self.dismissed.emit)
        row.addWidget(self.later_button)
        self._focus_before: QWidget | None = None

    def ask(self, question: str) -> None:
        self.question.setText(f"{question} Press 1 (very bad) to 5 (very good).")
        focused = QApplication.focusWidget()
        self._focus_before = focused if focused is not self else self._focus_before
        self.open()
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def put_away(self) -> None:
        had_focus = self.hasFocus()
        self.hide()
        if had_focus:  # the keys go back where they were, e.g. the queue list
            try:
                if self._focus_before is not None and self._focus_before.isVisible():
                    self._focus_before.setFocus(Qt.FocusReason.OtherFocusReason)
            except RuntimeError:  # that widget is gone
                pass
        self._focus_before = None

    def event(self, event) -> bool:
        # Claimed before the window's shortcuts see them: the key press then comes here.
        if event.type() == QEvent.Type.ShortcutOverride and (_mood_of(event) or event.key() == Qt.Key.Key_Escape):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        mood = _mood_of(event)
        if mood:
            self.answered.emit(mood)
        elif event.key() == Qt.Key.Key_Escape:
            self.dismissed.emit()
        else:
            super().keyPressEvent(event)


class QuitCheckin(QDialog):
    """The same question once more as the app closes: one key answers it, Esc skips it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("quit_checkin")
        self.setWindowTitle("Before you go")
        self.mood: int | None = None
        column = QVBoxLayout(self)
        column.addWidget(plain_label("How are you now? Press 1 (very bad) to 5 (very good), or Esc to skip."))
        row = QHBoxLayout()
        _mood_buttons(row, self._pick)
        column.addLayout(row)

    def _pick(self, mood: int) -> None:
        self.mood = mood
        self.accept()

    def keyPressEvent(self, event) -> None:
        mood = _mood_of(event)
        if mood:
            self._pick(mood)
        else:
            super().keyPressEvent(event)  # Esc rejects: nothing recorded


def ask_at_quit(parent: QWidget) -> int | None:
    """The mood chosen as the window closes, or None when skipped (tests replace this, as drafts_prompt's)."""
    dialog = QuitCheckin(parent)
    dialog.exec()
    return dialog.mood
