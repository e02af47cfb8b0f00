"""Preferences — Gold items: how often they come, whether the reference answer is shown, and the accuracy
below which reviewers see a person flagged (project settings: ``store.settings.GoldSettings``).

Only reviewers and admins see this page (annotators answer gold items blind, at a rate they are not
told); what they change is saved for everyone on the project, on the window's worker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QFormLayout, QSpinBox, QVBoxLayout, QWidget

from moderator.core.store.settings import GoldSettings
from moderator.gui.widgets import plain_label

MAX_EVERY = 1000


class GoldPage(QWidget):
    def __init__(self, current: GoldSettings, parent=None):
        super().__init__(parent)
        self.setObjectName("gold_page")
        self._initial = current
        self.every = QSpinBox()
        self.every.setObjectName("gold_every")
        self.every.setRange(0, MAX_EVERY)
        self.every.setPrefix("one in about ")
        self.every.setSuffix(" comments")
        self.every.setSpecialValueText("off: no gold items handed out")  # 0
        self.every.setValue(current.every)
        self.every.setToolTip("0 hands none out; otherwise at least 2 (one gold item in every 2 comments)")
        self._every_before = current.every
        self.every.valueChanged.connect(self._skip_one)
        self.feedback = QCheckBox("Show the &reference answer after a gold item is answered")
        self.feedback.setObjectName("gold_feedback")
        self.feedback.setChecked(current.feedback)
        self.threshold = QSpinBox()
        self.threshold.setObjectName("gold_threshold")
        self.threshold.setRange(0, 100)
        self.threshold.setSuffix(" % of gold items correct")
        self.threshold.setValue(round(current.threshold * 100))
        form = QFormLayout()
        form.addRow("&Hand out:", self.every)
        form.addRow("", self.feedback)
        form.addRow("&Flag people below:", self.threshold)
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label("Gold items are comments with known reference answers, given to annotators blind."))
        layout.addLayout(form)
        note = plain_label("For everyone on this project. Review → Gold accuracy shows who is below the mark.", grey=True)
        note.setWordWrap(True)
        layout.addSpacing(8)
        layout.addWidget(note)
        layout.addStretch(1)

    def _skip_one(self, value: int) -> None:
        """One in 1 would be nothing but gold items: the box steps over it (from 0 up to 2, from 2 down to 0)."""
        if value == 1:
            self.every.setValue(2 if self._every_before == 0 else 0)
            return
        self._every_before = value

    def changes(self) -> dict[str, Any]:
        """What differs from the settings in force, as ``Project.gold_settings`` takes it."""
        now = {"every": self.every.value(), "feedback": self.feedback.isChecked(), "threshold": self.threshold.value() / 100}
        before = {"every": self._initial.every, "feedback": self._initial.feedback,
                  "threshold": round(self._initial.threshold * 100) / 100}  # fmt: skip
        return {key: value for key, value in now.items() if value != before[key]}


def describe(settings: GoldSettings) -> str:
    """ "Gold items: one in about 20 comments, the reference answer shown after; people flagged below 70 %." """
    rate = f"one in about {settings.every} comments" if settings.every else "none handed out"
    shown = "the reference answer shown after" if settings.feedback else "no reference answer shown"
    return f"Gold items: {rate}, {shown}; people flagged below {100 * settings.threshold:.0f} %."
