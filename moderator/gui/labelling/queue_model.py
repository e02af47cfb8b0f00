"""The queue list: a lazy model that pages the annotator's queue in thread order as the view scrolls.

Memory stays flat however far the list is paged: per row the model keeps only the comment id, in a
typed array (8 bytes a row), filled by cheap keyset pages of ids; and per block of PAGE rows, the
(thread_id, position) key of its first row, which is enough to find any loaded comment's row (the rows
are in key order). What a row shows (author, preview, status) is loaded a block at a time when the view
asks for it, and only the most recently used blocks are kept.

No SQL runs here, on the GUI thread: pages of ids and blocks of display data are jobs for the database
worker (through the Project), and go in when their result arrives. Meanwhile a row shows a placeholder,
``canFetchMore`` is false while a page is on its way (so no page is asked for twice) and ``busy`` is
true. A comment further down than the rows loaded is reached with ``load_through``, one job that pages
on to it in growing pages.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from shiboken6 import isValid

from moderator.core.labelling.browse import QueueItem
from moderator.core.project import Project
from moderator.gui.background.workers import DbWorker

PAGE = 200  # rows per fetchMore, and per block of display data
CACHED_PAGES = 32  # blocks of display data kept (about 6,400 rows: several screenfuls either way)
CommentIdRole = Qt.ItemDataRole.UserRole + 1
STATUS_MARKS = {"submitted": "✓", "late": "✓", "skipped": "↷", "flagged": "⚑", None: "·"}
LOADING = "…"  # what a row shows until its block of display data is in
_NOT_HERE = object()  # a row whose display data is not loaded (None: loaded, and gone from the database)

Rows = list[tuple[int, int, int]]  # (id, thread_id, position), in thread order


class QueueModel(QAbstractListModel):
    failed = Signal(object)  # the exception of a page or block that could not be read

    def __init__(
        self, project: Project, worker: DbWorker, annotator_id: int, filter_name: str = "all", search: str = "", parent=None
    ):
        super().__init__(parent)
        self._project = project
        self._worker = worker
        self._annotator_id = annotator_id
        self._filter = filter_name
        self._search = search
        self._generation = 0  # bumped by every reset: a result for an earlier list is dropped
        self._after_tail: list[Callable[[], None]] = []
        self._clear()

    def _clear(self) -> None:
        self._generation += 1
        self._ids = array("q")  # one per loaded row, in thread order: keys (thread, position) ascend strictly
        self._block_threads = array("q")  # the key of the first row of each block of PAGE rows
        self._block_positions = array("q")
        self._last: tuple[int, int] | None = None  # the key of the last loaded row: the keyset page goes on from it
        self._pages: OrderedDict[int, list[QueueItem | None]] = OrderedDict()  # block number -> items, LRU
        self._exhausted = False
        self._stopped = False  # a page failed: no more asking until the next query
        self._inserting = False  # rows are going in: a slot of rowsAboutToBeInserted/rowsInserted must not fetch
        self._tail = False  # a page of ids is on its way
        self._asked: dict[int, array] = {}  # block number -> the ids whose display data is on its way

    @property
    def filter_name(self) -> str:
        return self._filter

    @property
    def busy(self) -> bool:
        """A page of ids or a block of display data is on its way."""
        return self._tail or bool(self._asked)

    def set_query(self, filter_name: str, search: str = "") -> None:
        """Start over with another filter or search; rows load again as the view asks for them."""
        waiting, self._after_tail = self._after_tail, []
        self.beginResetModel()
        self._filter, self._search = filter_name, search
        self._clear()
        self.endResetModel()
        for step in waiting:  # steps that waited on a page of the old list ask the new one
            step()

    # paging ---------------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    @property
    def more_to_come(self) -> bool:
        """Rows may follow the last one loaded (whether or not a page is on its way)."""
        return not self._exhausted and not self._stopped and not self._worker.closed

    def could_hold(self, key: tuple[int, int]) -> bool:
        """Might a page still to come hold the comment at ``key``?"""
        return self.more_to_come and (self._last is None or self._last < key)

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and self.more_to_come and not self._tail and not self._inserting

    def fetchMore(self, parent=QModelIndex()) -> None:
        if self.canFetchMore(parent):
            self.fetch_more()

    def fetch_more(self, then: Callable[[], None] | None = None) -> None:
        """Ask the worker for the next page; ``then()`` once it is in (at once if there is none to ask for)."""
        if self._tail:
            if then is not None:
                self._after_tail.append(then)
            return
        if not self.more_to_come or self._inserting:
            if then is not None:
                then()
            return
        args = (self._annotator_id, self._filter, self._search, self._last, PAGE)
        self._ask_tail(self._project.queue_keys, args, lambda rows: (rows, len(rows) < PAGE), None, then)

    def load_through(self, comment_id: int, key: tuple[int, int], then: Callable[[], None] | None = None) -> None:
        """Page on until the list has reached ``key``, the place of ``comment_id``; ``then()`` once it has.

        One worker job whose pages grow as they go (Project.queue_keys_through): a comment far down costs
        a few queries, not thousands. Paging stops as soon as the list has passed the comment's place,
        whether or not the comment is in this filter.
        """
        if self._tail:
            self._after_tail.append(lambda: self.load_through(comment_id, key, then))
            return
        if not self.could_hold(key):
            if then is not None:
                then()
            return
        args = (self._annotator_id, self._filter, self._search, self._last, key, PAGE)
        self._ask_tail(self._project.queue_keys_through, args, lambda result: result, (comment_id, key), then)

    def _ask_tail(self, job: Callable, args: tuple, unpack: Callable, target, then: Callable[[], None] | None) -> None:
        self._tail = True
        generation = self._generation

        def arrived(result) -> None:
            current = isValid(self) and generation == self._generation
            if current:
                self._tail = False
                rows, ended = unpack(result)
                first = len(self._ids)
                self._append(rows, ended)
                self._show_soon(first, len(rows), target)
            self._go_on(then, current)

        def failed(exc: Exception) -> None:
            current = isValid(self) and generation == self._generation
            if current:
                self._tail = False
                self._stopped = True  # not asked again and again by the view; a new query tries again
                self.failed.emit(exc)
            self._go_on(then, current)

        self._worker.submit(job, *args, on_done=arrived, on_error=failed)

    def _go_on(self, then: Callable[[], None] | None, current: bool) -> None:
        """After a page: the step that asked for it, then those that waited behind it (they ask again)."""
        if then is not None:
            then()
        if current:
            waiting, self._after_tail = self._after_tail, []
            for step in waiting:
                step()

    def _append(self, rows: Rows, ended: bool) -> None:
        if ended:
            self._exhausted = True
        if not rows:
            return
        first = len(self._ids)
        self._pages.pop(first // PAGE, None)  # a block that was short until now: asked for afresh
        self._asked.pop(first // PAGE, None)
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

    def _show_soon(self, first: int, count: int, target) -> None:
        """Ask for the display data the view is about to show: the new rows', or the far comment's block."""
        if target is not None:
            row = self._loaded_row(*target)
            blocks = [] if row is None else [row // PAGE]
        else:
            blocks = list(range(first // PAGE, (first + count - 1) // PAGE + 1)) if count else []
        for number in blocks:
            if number not in self._pages:
                self._ask_block(number)

    # display data ---------------------------------------------------------------------------------

    def _ask_block(self, number: int) -> None:
        if number in self._asked or self._worker.closed:
            return
        ids = self._ids[number * PAGE : (number + 1) * PAGE]  # a copy, for the worker
        self._asked[number] = ids
        generation = self._generation

        def arrived(found: dict[int, QueueItem]) -> None:
            if not isValid(self) or generation != self._generation or self._asked.get(number) is not ids:
                return
            del self._asked[number]
            if self._ids[number * PAGE : (number + 1) * PAGE] == ids:
                self._pages[number] = [found.get(comment_id) for comment_id in ids]
                while len(self._pages) > CACHED_PAGES:
                    self._pages.popitem(last=False)
            # else rows came into this short block meanwhile: it is asked for again when shown
            self._block_changed(number)

        def failed(exc: Exception) -> None:
            if isValid(self) and generation == self._generation and self._asked.get(number) is ids:
                del self._asked[number]
                self.failed.emit(exc)

        self._worker.submit(self._project.queue_items, self._annotator_id, ids, on_done=arrived, on_error=failed)

    def _block_changed(self, number: int) -> None:
        last = min((number + 1) * PAGE, len(self._ids)) - 1
        if last >= number * PAGE:
            self.dataChanged.emit(self.index(number * PAGE), self.index(last))

    def _item_at(self, row: int, ask: bool = True):
        """The row's QueueItem (None if gone from the database), or _NOT_HERE while its block is not loaded."""
        number = row // PAGE
        page = self._pages.get(number)
        if page is None:
            if ask:
                self._ask_block(number)
            return _NOT_HERE
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
        if item is _NOT_HERE:
            return LOADING if role == Qt.ItemDataRole.DisplayRole else "loading…"
        if item is None:  # gone from the database since the list was paged
            return "·" if role == Qt.ItemDataRole.DisplayRole else "no longer in the database"
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{STATUS_MARKS.get(item.status, '·')} {item.author or 'anonymous'}: {item.preview}"
        return f"#{item.position + 1} · {item.status or 'not answered'}"

    def item(self, row: int) -> QueueItem | None:
        """The row's display data, if loaded (it is asked for when the view shows the row)."""
        if not 0 <= row < len(self._ids):
            return None
        item = self._item_at(row, ask=False)
        return None if item is _NOT_HERE else item

    def comment_id(self, row: int) -> int | None:
        """The row's comment, unless its display data is in and says it is gone from the database."""
        if not 0 <= row < len(self._ids) or self._item_at(row, ask=False) is None:
            return None
        return self._ids[row]

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

    def row_of(self, comment_id: int, key: tuple[int, int] | None = None) -> int | None:
        """The comment's row among those loaded, or None; pages nothing in (see ``load_through``).

        With the comment's key (thread_id, position) a bisection finds it; without, a scan of the ids.
        """
        if key is not None:
            return self._loaded_row(comment_id, key)
        try:
            return self._ids.index(comment_id)
        except ValueError:
            return None

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
