"""The main window: queue on the left, the comment in context in the centre, labels on the right."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QLabel, QListView, QMainWindow, QSplitter
from sqlalchemy import Engine

from ..core.schema import LabelSchema
from ..core.threads import comment_context, count_comments
from .actions import make_actions
from .models.comment_list import CommentListModel
from .views.comment_view import CommentView
from .views.label_panel import LabelPanel


class MainWindow(QMainWindow):
    def __init__(self, engine: Engine, db_name: str, annotator: str, schema: LabelSchema):
        super().__init__()
        self.engine = engine
        self.setWindowTitle(f"Moderator — {db_name}")
        self.resize(1280, 800)
        self.actions_by_id = make_actions(self)

        self.queue_model = CommentListModel(engine, self)
        self.queue = QListView()
        self.queue.setObjectName("queue")
        self.queue.setModel(self.queue_model)
        self.queue.setUniformItemSizes(True)
        self.queue.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # previews are elided
        self.queue.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.comment_view = CommentView()
        self.label_panel = LabelPanel(schema)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.queue)
        splitter.addWidget(self.comment_view)
        splitter.addWidget(self.label_panel)
        splitter.setSizes([300, 680, 300])
        self.setCentralWidget(splitter)

        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.actions_by_id["app.quit"])
        view = self.menuBar().addMenu("&View")
        for action_id in ("nav.previous", "nav.next", "view.zoom_in", "view.zoom_out"):
            view.addAction(self.actions_by_id[action_id])
        self.actions_by_id["file.import"].setEnabled(False)  # the import dialog arrives with the annotator GUI
        self.actions_by_id["app.quit"].triggered.connect(self.close)
        self.actions_by_id["nav.next"].triggered.connect(lambda: self.step(1))
        self.actions_by_id["nav.previous"].triggered.connect(lambda: self.step(-1))
        self.actions_by_id["view.zoom_in"].triggered.connect(lambda: self.zoom(1))
        self.actions_by_id["view.zoom_out"].triggered.connect(lambda: self.zoom(-1))

        annotator_label = QLabel(f"Annotator: {annotator}")
        annotator_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addPermanentWidget(annotator_label)
        self.statusBar().showMessage(f"{count_comments(engine)} comments")

        self.queue.selectionModel().currentChanged.connect(self._show_current)
        if self.queue_model.canFetchMore():
            self.queue_model.fetchMore()
        self.step(0)

    def step(self, delta: int) -> None:
        rows = self.queue_model.rowCount()
        if not rows:
            self.comment_view.caption.setText("No comments yet: import a thread (moderator import FILE).")
            return
        row = min(max(self.queue.currentIndex().row() + delta, 0), rows - 1) if delta else max(self.queue.currentIndex().row(), 0)
        if row == rows - 1 and self.queue_model.canFetchMore():
            self.queue_model.fetchMore()
        index = self.queue_model.index(row)
        self.queue.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self._show_current(index)

    def _show_current(self, index) -> None:
        comment_id = self.queue_model.comment_id(index.row())
        if comment_id is not None:
            self.comment_view.show_context(comment_context(self.engine, comment_id))

    def zoom(self, steps: int) -> None:
        font = self.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() + steps))
        self.setFont(font)
