"""The queue list: a lazy model that pages the annotator's queue in thread order as the view scrolls.

Memory stays flat however far the list is paged: per row the model keeps only the comment id, in a
typed array (8 bytes a row), filled by cheap keyset pages of ids; and per block of PAGE rows, the
(thread_id, position) key of its first row, which is enough to find any loaded comment's row (the rows
are in key order). What a row shows (author, preview, status) is loaded a block at a time when the view
asks for it, and only the most recently used blocks are kept.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from sqlalchemy import Engine

from moderator.core.labelling.browse import QueueItem, comment_key, queue_items, queue_keys

PAGE = 200  # rows per fetchMore, and per block of display data
CACHED_PAGES = 32  # blocks of display data kept (about 6,400 rows: several screenfuls either way)
SEEK_PAGE = 20_000  # the largest keyset page when paging ahead to a far comment (row_of)
CommentIdRole = Qt.ItemDataRole.UserRole + 1
STATUS_MARKS = {"submitted": "✓", "skipped": "↷", "flagged": "⚑", None: "·"}


class QueueModel(QAbstractListModel):
    def __init__(self, engine: Engine, annotator_id: int, filter_name: str = "all", search: str = "", parent=None):
        super().__init__(parent)
        self._engine = engine
        self._annotator_id = annotator_id
        self._filter = filter_name
        self._search = search
        self._clear()

    def _clear(self) -> None:
        self._ids = array("q")  # one per loaded row, in thread order: keys (thread, position) ascend strictly
        self._block_threads = array("q")  # the key of the first row of each block of PAGE rows
        self._block_positions = array("q")
        self._last: tuple[int, int] | None = None  # the key of the last loaded row: the keyset page goes on from it
        self._pages: OrderedDict[int, list[QueueItem | None]] = OrderedDict()  # block number -> items, LRU
        self._exhausted = False
        self._inserting = False  # rows are going in: a slot of rowsAboutToBeInserted/rowsInserted must not fetch

    @property
    def filter_name(self) -> str:
        return self._filter

    def set_query(self, filter_name: str, search: str = "") -> None:
        """Start over with another filter or search; rows load again as the view asks for them."""
        self.beginResetModel()
        self._filter, self._search = filter_name, search
        self._clear()
        self.endResetModel()

    # paging ---------------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and not self._exhausted and not self._inserting

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self._fetch(PAGE)

    def _fetch(self, limit: int) -> None:
        rows = queue_keys(self._engine, self._annotator_id, self._filter, self._search, self._last, limit)
        if len(rows) < limit:
            self._exhausted = True
        if not rows:
            return
        first = len(self._ids)
        self._pages.pop(first // PAGE, None)  # a block that was short until now
        self._inserting = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
            for i in range(-first % PAGE, len(rows), PAGE):
                self._block_threads.append(rows[i][1])
                self._block_positions.append(rows[i][2])
            self._ids.extend(row[0] for row in rows)
            self._last = (rows[-1][1], rows[-1][2])
            self.endInsertRows()
        finally:
            self._inserting = False

    # display data ---------------------------------------------------------------------------------

    def _item_at(self, row: int) -> QueueItem | None:
        number = row // PAGE
        page = self._pages.get(number)
        if page is None:
            ids = self._ids[number * PAGE : (number + 1) * PAGE]
            found = queue_items(self._engine, self._annotator_id, ids)
            page = [found.get(comment_id) for comment_id in ids]
            self._pages[number] = page
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[row - number * PAGE]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        if role == CommentIdRole:
            return self._ids[index.row()]
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        item = self._item_at(index.row())
        if item is None:  # gone from the database since the list was paged
            return "·" if role == Qt.ItemDataRole.DisplayRole else "no longer in the database"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{STATUS_MARKS.get(item.status, '·')} {item.author or 'anonymous'}: {item.preview}"
        return f"#{item.position + 1} · {item.status or 'not answered'}"

    def item(self, row: int) -> QueueItem | None:
        return self._item_at(row) if 0 <= row < len(self._ids) else None

    # finding rows ---------------------------------------------------------------------------------

    def _loaded_row(self, comment_id: int, key: tuple[int, int]) -> int | None:
        """The comment's row if loaded: the block its key falls in, then a look through that block's ids."""
        blocks = range(len(self._block_threads))
        block = bisect_right(blocks, key, key=lambda b: (self._block_threads[b], self._block_positions[b])) - 1
        if block < 0:
            return None
        start = block * PAGE
        try:
            return start + self._ids[start : start + PAGE].index(comment_id)
        except ValueError:
            return None

    def row_of(self, comment_id: int, load: bool = True, key: tuple[int, int] | None = None) -> int | None:
        """The row of a comment, paging further in while it is not loaded yet (if ``load``).

        Paging stops as soon as the list has passed the comment's place, whether or not the comment is
        in this filter; pages grow as they go, so a comment far down costs a few queries, not thousands.
        """
        key = key or comment_key(self._engine, comment_id)
        if key is None:
            return None
        limit = PAGE
        while load and self.canFetchMore() and (self._last is None or self._last < key):
            self._fetch(limit)
            limit = min(limit * 2, SEEK_PAGE)
        return self._loaded_row(comment_id, key)

    def update_item(self, item: QueueItem) -> None:
        """Show a comment's new status (after an answer or an undo) without reloading the list."""
        row = self._loaded_row(item.id, item.key)
        if row is None:
            return
        page = self._pages.get(row // PAGE)
        if page is not None:  # a block not in the cache is read afresh, with the new status, when shown
            page[row % PAGE] = item
        index = self.index(row)
        self.dataChanged.emit(index, index)
