"""Preferences — Wellbeing: the project's blur, greyscale, break, daily-cap and check-in options, and the lexicon."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

from PySide6.QtWidgets import QCheckBox, QFormLayout, QPushButton, QSpinBox, QVBoxLayout, QWidget

from moderator.core.wellbeing.lexicon import user_lexicon_path
from moderator.core.wellbeing.session import WellbeingConfig
from moderator.gui.widgets import plain_label


def _spin(name: str, value: int, minimum: int, maximum: int, suffix: str, special: str = "") -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(minimum, maximum)
    spin.setValue(value)
    spin.setSuffix(suffix)
    if special:
        spin.setSpecialValueText(special)  # shown at the minimum, e.g. "no limit" for 0
    return spin


class WellbeingPage(QWidget):
    def __init__(self, config: WellbeingConfig, editable: bool, edit_lexicon: Callable[[], None], parent=None):
        super().__init__(parent)
        self.setObjectName("wellbeing_page")
        self._initial = config
        self.blur = QCheckBox("&Blur likely severe comments until revealed (Space or a click reveals)")
        self.blur.setObjectName("wellbeing_blur")
        self.greyscale = QCheckBox("&Greyscale: no colour highlights, a desaturated window")
        self.greyscale.setObjectName("wellbeing_greyscale")
        self.breaks = QCheckBox("Suggest a b&reak")
        self.breaks.setObjectName("wellbeing_breaks")
        self.checkins = QCheckBox("Ask “&how are you?” (1–5) at the start, after each break and at the end")
        self.checkins.setObjectName("wellbeing_checkins")
        switches = ((self.blur, config.blur), (self.greyscale, config.greyscale), (self.breaks, config.breaks),
                    (self.checkins, config.checkins))  # fmt: skip
        for box, on in switches:
            box.setChecked(on)
        self.break_minutes = _spin("wellbeing_break_minutes", config.break_minutes, 1, 600, " min")
        self.break_severe = _spin("wellbeing_break_severe", config.break_severe, 1, 10_000, " severe comments")
        self.break_length = _spin("wellbeing_break_length", config.break_length_minutes, 1, 60, " min")
        self.daily_cap = _spin("wellbeing_daily_cap", config.daily_cap, 0, 100_000, " severe comments", "no limit")
        self.breaks.toggled.connect(lambda on: [w.setEnabled(on) for w in (self.break_minutes, self.break_severe)])

        form = QFormLayout()
        form.addRow(self.blur)
        form.addRow(self.greyscale)
        form.addRow(self.breaks)
        form.addRow("   after", self.break_minutes)
        form.addRow("   or after", self.break_severe)
        form.addRow("Break &length:", self.break_length)
        form.addRow("Daily &limit:", self.daily_cap)
        form.addRow(self.checkins)
        note = "Project settings: they apply to everyone who labels in this database."
        if not editable:
            note += " Only reviewers and admins change them."
        self.note = plain_label(note, grey=True)
        self.note.setWordWrap(True)
        for widget in (
            self.blur,
            self.greyscale,
            self.breaks,
            self.break_minutes,
            self.break_severe,
            self.break_length,
            self.daily_cap,
            self.checkins,
        ):
            widget.setEnabled(editable and (widget not in (self.break_minutes, self.break_severe) or config.breaks))
        self.lexicon_button = QPushButton("Edit l&exicon…")
        self.lexicon_button.setObjectName("edit_lexicon")
        self.lexicon_button.clicked.connect(edit_lexicon)
        lexicon_note = plain_label(f"Your lexicon: {user_lexicon_path()} (made from the bundled one on first edit).", grey=True)
        lexicon_note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addSpacing(12)
        layout.addWidget(self.lexicon_button)
        layout.addWidget(lexicon_note)
        layout.addStretch(1)

    def config(self) -> WellbeingConfig:
        return WellbeingConfig(
            blur=self.blur.isChecked(), greyscale=self.greyscale.isChecked(), breaks=self.breaks.isChecked(),
            break_minutes=self.break_minutes.value(), break_severe=self.break_severe.value(),
            break_length_minutes=self.break_length.value(), daily_cap=self.daily_cap.value(),
            checkins=self.checkins.isChecked(),
        )  # fmt: skip

    def changes(self) -> dict:
        """Only the options changed on this page (so two leads editing different ones do not clash)."""
        before, after = asdict(self._initial), asdict(self.config())
        return {k: v for k, v in after.items() if before[k] != v}
