"""The queue list: a lazy model that pages the annotator's queue in thread order as the view scrolls."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from sqlalchemy import Engine

from ...core.queue import QueueItem, queue_page

PAGE = 200
CommentIdRole = Qt.ItemDataRole.UserRole + 1
STATUS_MARKS = {"submitted": "✓", "skipped": "↷", "flagged": "⚑", None: "·"}


class QueueModel(QAbstractListModel):
    def __init__(self, engine: Engine, annotator_id: int, filter_name: str = "all", search: str = "", parent=None):
        super().__init__(parent)
        self._engine = engine
        self._annotator_id = annotator_id
        self._filter = filter_name
        self._search = search
        self._rows: list[QueueItem] = []
        self._row_of: dict[int, int] = {}
        self._exhausted = False

    @property
    def filter_name(self) -> str:
        return self._filter

    def set_query(self, filter_name: str, search: str = "") -> None:
        """Start over with another filter or search; rows load again as the view asks for them."""
        self.beginResetModel()
        self._filter, self._search = filter_name, search
        self._rows, self._row_of, self._exhausted = [], {}, False
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid() or self._exhausted:
            return
        after = self._rows[-1].key if self._rows else None
        page = queue_page(self._engine, self._annotator_id, self._filter, self._search, after, PAGE)
        if len(page) < PAGE:
            self._exhausted = True
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._rows.extend(page)
            self._row_of.update((item.id, first + i) for i, item in enumerate(page))
            self.endInsertRows()

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{STATUS_MARKS.get(item.status, '·')} {item.author or 'anonymous'}: {item.preview}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"#{item.position + 1} · {item.status or 'not answered'}"
        if role == CommentIdRole:
            return item.id
        return None

    def item(self, row: int) -> QueueItem | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, comment_id: int, load: bool = True) -> int | None:
        """The row of a comment, paging further in while it is not loaded yet (if ``load``)."""
        while comment_id not in self._row_of and load and self.canFetchMore():
            self.fetchMore()
        return self._row_of.get(comment_id)

    def update_item(self, item: QueueItem) -> None:
        """Show a comment's new status (after an answer or an undo) without reloading the list."""
        row = self._row_of.get(item.id)
        if row is not None:
            self._rows[row] = item
            index = self.index(row)
            self.dataChanged.emit(index, index)
