"""Preferences — Appearance: light, dark, or the look the system has (applied at once, no restart)."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QRadioButton, QVBoxLayout, QWidget

from moderator.gui import settings
from moderator.gui.theme import THEMES
from moderator.gui.widgets import plain_label

CHOICES = {"light": "&Light", "dark": "&Dark", "system": "Follow the &system"}


class AppearancePage(QWidget):
    def __init__(self, current: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("appearance_page")
        chosen = current if current is not None else settings.theme()
        self._initial = chosen if chosen in THEMES else "system"
        self.group = QButtonGroup(self)
        layout = QVBoxLayout(self)
        self.buttons: dict[str, QRadioButton] = {}
        for name, text in CHOICES.items():
            button = QRadioButton(text)
            button.setObjectName(f"theme_{name}")
            button.setChecked(name == self._initial)
            self.group.addButton(button)
            self.buttons[name] = button
            layout.addWidget(button)
        note = plain_label("Your own setting, on this computer; it applies as soon as you press OK.", grey=True)
        note.setWordWrap(True)
        layout.addSpacing(8)
        layout.addWidget(note)
        layout.addStretch(1)

    def choice(self) -> str:
        return next(name for name, button in self.buttons.items() if button.isChecked())

    def changes(self) -> str | None:
        """The theme chosen, when it differs from the one in use."""
        return self.choice() if self.choice() != self._initial else None
