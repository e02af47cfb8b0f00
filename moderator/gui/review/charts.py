"""Charts: one tab per chart of ``core.charts`` (labels, progress, agreement, time), drawn as PNGs.

The core renders (and decides what a viewer may see: an annotator's charts hold only their own
labels); this dialog asks for a chart when its tab is first shown, on a thread of its own so that a
slow chart never holds up the labelling worker, and shows the image.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QScrollArea, QTabWidget, QVBoxLayout

from moderator.core.project import Project
from moderator.gui.background.workers import DbWorker
from moderator.gui.widgets import plain_label

TITLES = {"labels": "Labels", "progress": "Progress", "agreement": "Agreement", "time": "Time"}


def _kinds() -> tuple[str, ...]:
    from moderator.core.export import charts  # matplotlib loads when the dialog is first used

    return tuple(charts.CHARTS)


class ChartsDialog(QDialog):
    def __init__(self, project: Project, viewer: Any = None, parent=None):
        super().__init__(parent)
        self.setObjectName("charts_dialog")
        self.setWindowTitle("Charts")
        self.resize(820, 620)
        self.project = project
        self.viewer = viewer
        self.kinds: tuple[str, ...] = _kinds()
        self.images: dict[str, QLabel] = {}
        self._asked: set[str] = set()
        self._renderer = DbWorker(self)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("chart_tabs")
        for kind in self.kinds:
            image = plain_label("")
            image.setObjectName(f"chart_{kind}")
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(image)
            self.images[kind] = image
            self.tabs.addTab(scroll, TITLES.get(kind, kind.capitalize()))
        self.tabs.currentChanged.connect(lambda index: self.render(self.kinds[index]))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        refresh = QPushButton("Refresh")
        refresh.setObjectName("charts_refresh")
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        refresh.clicked.connect(self.refresh)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        if self.kinds:
            self.render(self.kinds[0])

    @property
    def busy(self) -> bool:
        return self._renderer.busy

    def refresh(self) -> None:
        """Draw the visible chart again with today's data; the others when next shown."""
        self._asked.clear()
        self.render(self.kinds[self.tabs.currentIndex()])

    def render(self, kind: str) -> None:
        if kind in self._asked:
            return
        self._asked.add(kind)
        image = self.images[kind]
        image.setPixmap(QPixmap())
        image.setText("Drawing…")
        self._renderer.submit(
            self.project.render_chart, kind, self.viewer,
            on_done=lambda png, k=kind: self._show(k, png),
            on_error=lambda exc, k=kind: self._failed(k, exc),
        )  # fmt: skip

    def _show(self, kind: str, png: bytes) -> None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(png, "PNG"):
            self._failed(kind, ValueError("the chart is not a PNG image"))
            return
        self.images[kind].setText("")
        self.images[kind].setPixmap(pixmap)

    def _failed(self, kind: str, exc: Exception) -> None:
        self._asked.discard(kind)  # let Refresh or the next visit try again
        self.images[kind].setText(f"Could not draw this chart: {exc}")
