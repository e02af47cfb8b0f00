"""The annotator survey of the label schema: the consent text first, then the questions.

Everything works from the keyboard: Enter agrees (then saves), Esc is "not now", Tab moves between
answers, a choice is a drop-down that takes the arrows and type-ahead. Every text here (consent,
questions, options) is shown as plain text. The dialog only collects answers; the flow stores them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from moderator.core.schema.survey import MAX_ANSWER, Survey, SurveyError, SurveyQuestion
from moderator.gui.widgets import plain_label

UNANSWERED = "—"


def _button(text: str, name: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    return button


class _Answer:
    """One question's input widget, and its answer read back (None for unanswered)."""

    def __init__(self, q: SurveyQuestion):
        self.question = q
        if q.kind == "choice":
            self.widget = QComboBox()
            self.widget.addItems([UNANSWERED, *q.options])
        elif q.kind == "multi":
            self.widget = QWidget()
            column = QVBoxLayout(self.widget)
            column.setContentsMargins(0, 0, 0, 0)
            self.boxes = [QCheckBox(option.replace("&", "&&")) for option in q.options]
            for box in self.boxes:
                column.addWidget(box)
        elif q.kind == "number":
            low = q.minimum if q.minimum is not None else 0
            self.widget = QSpinBox()
            self.widget.setRange(low - 1, q.maximum if q.maximum is not None else 10_000)
            self.widget.setSpecialValueText(UNANSWERED)  # the value below the range: not answered
            self.widget.setValue(low - 1)
        else:
            self.widget = QLineEdit()
            self.widget.setMaxLength(MAX_ANSWER)
        self.widget.setObjectName(f"survey_{q.id}")

    def value(self) -> Any:
        q, widget = self.question, self.widget
        if q.kind == "choice":
            return q.options[widget.currentIndex() - 1] if widget.currentIndex() > 0 else None
        if q.kind == "multi":
            return [option for option, box in zip(q.options, self.boxes) if box.isChecked()] or None
        if q.kind == "number":
            return None if widget.value() == widget.minimum() else widget.value()
        return widget.text().strip() or None


class SurveyDialog(QDialog):
    answered = Signal(dict)  # the answers, checked against the survey
    declined = Signal()  # "Don't ask again"

    def __init__(self, survey: Survey, parent: QWidget | None = None):
        super().__init__(parent)
        self.survey = survey
        self.setObjectName("survey_dialog")
        self.setWindowTitle("About you (optional)")
        self.resize(560, 520)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._consent_page())
        self.pages.addWidget(self._questions_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.show_consent()

    def _consent_page(self) -> QWidget:
        page = QWidget()
        self.consent = QPlainTextEdit(self.survey.consent)  # plain text: the schema's words, never markup
        self.consent.setObjectName("survey_consent")
        self.consent.setReadOnly(True)
        self.consent.setTabChangesFocus(True)
        self.agree_button = _button("&Agree and continue", "survey_agree")
        self.later_button = _button("&Not now", "survey_later")
        self.never_button = _button("&Don't ask again", "survey_never")
        self.agree_button.clicked.connect(self.show_questions)
        self.later_button.clicked.connect(self.reject)
        self.never_button.clicked.connect(self._decline)
        buttons = QHBoxLayout()
        buttons.addWidget(self.never_button)
        buttons.addStretch(1)
        buttons.addWidget(self.later_button)
        buttons.addWidget(self.agree_button)
        column = QVBoxLayout(page)
        column.addWidget(plain_label("A few questions about you, before you label", bold=True))
        column.addWidget(self.consent, stretch=1)
        column.addLayout(buttons)
        return page

    def _questions_page(self) -> QWidget:
        page = QWidget()
        self.answers = [_Answer(q) for q in self.survey.questions]
        form_host = QWidget()
        form = QFormLayout(form_host)
        for answer in self.answers:
            q = answer.question
            # With a buddy a label reads "&" as a mnemonic: the schema's "&" stays a character.
            label = plain_label((q.label + (" (optional)" if q.optional else "")).replace("&", "&&"))
            label.setWordWrap(True)
            label.setBuddy(answer.widget)
            form.addRow(label, answer.widget)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        self.error = plain_label()
        self.error.setObjectName("survey_error")
        self.error.setWordWrap(True)
        self.save_button = _button("&Save answers", "survey_save")
        self.back_button = _button("&Back", "survey_back")
        self.save_button.clicked.connect(self._save)
        self.back_button.clicked.connect(self.show_consent)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        column = QVBoxLayout(page)
        column.addWidget(scroll, stretch=1)
        column.addWidget(self.error)
        column.addLayout(buttons)
        return page

    def show_consent(self) -> None:
        self.pages.setCurrentIndex(0)
        self.agree_button.setDefault(True)  # Enter agrees
        self.save_button.setDefault(False)
        self.agree_button.setFocus()

    def show_questions(self) -> None:
        self.pages.setCurrentIndex(1)
        self.agree_button.setDefault(False)
        self.save_button.setDefault(True)  # Enter saves
        if self.answers:
            self.answers[0].widget.setFocus(Qt.FocusReason.TabFocusReason)

    def values(self) -> dict[str, Any]:
        return {a.question.id: a.value() for a in self.answers if a.value() is not None}

    def _save(self) -> None:
        try:
            answers = self.survey.clean_answers(self.values())  # no database: the survey's own rules
        except SurveyError as exc:
            qid = str(exc).split(":", 1)[0]
            label = next((q.label for q in self.survey.questions if q.id == qid), qid)
            self.error.setText(f"{label}: {str(exc).split(':', 1)[-1].strip()}")
            return
        self.answered.emit(answers)
        self.accept()

    def _decline(self) -> None:
        self.declined.emit()
        self.accept()
