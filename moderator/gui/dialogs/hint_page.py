"""Preferences — Model hint: when annotators see the assist model's guess (a project setting).

Reviewers and admins change it; an annotator sees what is in force. Unset, the guess shows only after
the annotator's own answer, and not at all when several annotators label each comment.
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWidget

from moderator.gui.widgets import plain_label

CHOICES = {
    "after-answer": "&After the annotator's own answer (it cannot anchor it)",
    "always": "Al&ways, before answering too",
    "off": "&Never",
}


class HintPage(QWidget):
    def __init__(self, current: str, editable: bool, parent=None):
        super().__init__(parent)
        self.setObjectName("hint_page")
        self._initial = current
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Show the assist model's guess (\u201cmodel: likely toxic, 0.82\u201d):"))
        self.buttons: dict[str, QRadioButton] = {}
        for mode, text in CHOICES.items():
            button = QRadioButton(text)
            button.setObjectName(f"hint_{mode}")
            button.setChecked(mode == current)
            button.setEnabled(editable)
            self.group.addButton(button)
            self.buttons[mode] = button
            layout.addWidget(button)
        who = "For everyone on this project." if editable else "A project setting: reviewers and admins change it."
        note = plain_label(who, grey=True)
        note.setWordWrap(True)
        layout.addSpacing(8)
        layout.addWidget(note)
        layout.addStretch(1)

    def changes(self) -> str | None:
        chosen = next((mode for mode, button in self.buttons.items() if button.isChecked()), self._initial)
        return chosen if chosen != self._initial else None
