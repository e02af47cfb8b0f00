"""The break prompt (a gentle strip along the bottom, never in the way of the keys) and the break itself.

The prompt appears between comments only, says why, and goes away with Esc or "Not now". The break
covers the window, pauses the session clock and counts down; the annotator comes back when ready.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from moderator.gui.wellbeing.blur import Cover
from moderator.gui.widgets import plain_label


def _button(text: str, name: str, focus: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAutoDefault(False)  # an Enter meant for the next comment never lands here
    if not focus:
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class BreakPrompt(Cover):
    take = Signal()
    dismissed = Signal()

    def __init__(self, window: QWidget, anchor: QWidget):
        super().__init__(window, anchor, "break_prompt", full=False)
        self.reason = plain_label()
        self.reason.setObjectName("break_reason")
        self.reason.setWordWrap(True)
        self.take_button = _button("Take a 5-minute break (B)", "take_break")
        self.later_button = _button("Not now (Esc)", "not_now")
        self.take_button.clicked.connect(self.take.emit)
        self.later_button.clicked.connect(self.dismissed.emit)
        row = QHBoxLayout(self)
        row.addWidget(self.reason, stretch=1)
        row.addWidget(self.take_button)
        row.addWidget(self.later_button)

    def ask(self, reason: str, minutes: int) -> None:
        self.reason.setText(f"{reason} A short break helps: look away, stretch, get some water.")
        self.take_button.setText(f"Take a {minutes}-minute break (B)")
        self.open()


class BreakScreen(Cover):
    """The break under way: a countdown and a way back."""

    back = Signal()

    def __init__(self, window: QWidget, anchor: QWidget):
        super().__init__(window, anchor, "break_screen", full=True)
        self.title = plain_label("Break", bold=True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        self.title.setFont(font)
        self.countdown = plain_label()
        self.countdown.setObjectName("break_countdown")
        self.advice = plain_label("Look away from the screen, stretch, get some water or some air.\n"
                                  "The session clock is paused.")  # fmt: skip
        self.back_button = _button("I'm back (Enter or Esc)", "break_back", focus=True)
        self.back_button.clicked.connect(self.back.emit)
        column = QVBoxLayout(self)
        column.addStretch(1)
        for widget in (self.title, self.countdown, self.advice, self.back_button):
            column.addWidget(widget, alignment=Qt.AlignmentFlag.AlignHCenter)
        column.addStretch(2)

    def show_left(self, seconds: float) -> None:
        seconds = int(seconds + 0.999)
        if seconds > 0:
            self.countdown.setText(f"{seconds // 60}:{seconds % 60:02d} left")
        else:
            self.countdown.setText("Break over. Welcome back, whenever you are ready.")

    def open(self) -> None:
        super().open()
        self.back_button.setFocus()  # Enter, Esc or Space comes back; labelling keys are off meanwhile

    def keyPressEvent(self, event) -> None:
        # The button takes Space itself; Enter and Esc reach the screen, as a dialog's would.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape):
            self.back.emit()
            return
        super().keyPressEvent(event)
