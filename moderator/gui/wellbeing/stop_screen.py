"""The gentle stop at the daily cap of severe comments: the next severe one stays covered.

The annotator may skip it (it goes back to the pool, and milder comments can still be labelled),
stop for today, or go on; going on takes a deliberate tick first, so it is never a reflex.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from moderator.gui.wellbeing.blur import Cover
from moderator.gui.widgets import plain_label


class StopScreen(Cover):
    skip = Signal()
    close_app = Signal()
    go_on = Signal()

    def __init__(self, window: QWidget, anchor: QWidget):
        super().__init__(window, anchor, "stop_screen", full=True)
        self.title = plain_label("That's enough for today", bold=True)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        self.title.setFont(font)
        self.message = plain_label()
        self.message.setObjectName("stop_message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.skip_button = QPushButton("Skip this comment for my wellbeing (W)")
        self.skip_button.setObjectName("stop_skip")
        self.close_button = QPushButton("Stop for today")
        self.close_button.setObjectName("stop_close")
        self.confirm = QCheckBox("I have thought about it and choose to read more severe comments today")
        self.confirm.setObjectName("stop_confirm")
        self.go_on_button = QPushButton("Continue anyway")
        self.go_on_button.setObjectName("stop_go_on")
        self.go_on_button.setEnabled(False)
        self.confirm.toggled.connect(self.go_on_button.setEnabled)
        self.skip_button.clicked.connect(self.skip.emit)
        self.close_button.clicked.connect(self.close_app.emit)
        self.go_on_button.clicked.connect(self.go_on.emit)
        for button in (self.skip_button, self.close_button, self.go_on_button):
            button.setAutoDefault(False)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.close_button)
        buttons.addStretch(1)
        override = QHBoxLayout()
        override.addStretch(1)
        override.addWidget(self.confirm)
        override.addWidget(self.go_on_button)
        override.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addWidget(self.title, alignment=Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(self.message)
        column.addSpacing(12)
        column.addLayout(buttons)
        column.addSpacing(24)
        column.addLayout(override)
        column.addStretch(2)

    def stop(self, seen_today: int, cap: int) -> None:
        self.message.setText(
            f"You have read {seen_today} severe comment{'s' if seen_today != 1 else ''} today; your project's daily limit is {cap}.\n"
            "The next comment is likely severe too, so it stays covered. Thank you for the work you did today."
        )
        self.confirm.setChecked(False)
        self.open()
        self.close_button.setFocus()
