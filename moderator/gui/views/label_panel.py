"""The right-hand panel: the label schema's questions with the key for every option."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from ...core.schema import LabelSchema


class LabelPanel(QScrollArea):
    def __init__(self, schema: LabelSchema, parent=None):
        super().__init__(parent)
        self.setObjectName("label_panel")
        self.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        for q in schema.questions:
            box = QGroupBox(q.label + (" *" if q.required else ""))
            box.setObjectName(f"question_{q.id}")
            box.setToolTip(q.guideline)
            rows = QVBoxLayout(box)
            lines = [f"{o.key or ' '}   {o.label}" for o in q.options] or [f"{q.key or ''}   ({q.kind})".strip()]
            for line in lines:
                label = QLabel(line)
                label.setTextFormat(Qt.TextFormat.PlainText)
                rows.addWidget(label)
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(body)
