"""The queue list: a lazy model that pages comments in thread order as the view scrolls."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from sqlalchemy import Engine

from ...core.threads import CommentRow, comment_page

PAGE = 200
CommentIdRole = Qt.ItemDataRole.UserRole + 1


class CommentListModel(QAbstractListModel):
    def __init__(self, engine: Engine, parent=None):
        super().__init__(parent)
        self._engine = engine
        self._rows: list[CommentRow] = []
        self._exhausted = False

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        last = self._rows[-1] if self._rows else None
        page = comment_page(self._engine, (last.thread_id, last.position) if last else None, PAGE)
        if len(page) < PAGE:
            self._exhausted = True
        if page:
            self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
            self._rows.extend(page)
            self.endInsertRows()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.author or 'anonymous'}: {row.preview}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.preview
        if role == CommentIdRole:
            return row.id
        return None

    def comment_id(self, row: int) -> int | None:
        return self._rows[row].id if 0 <= row < len(self._rows) else None
