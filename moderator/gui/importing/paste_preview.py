"""Preview of a pasted comment section: how it was split, with edits to fix it before importing.

Every edit is one of the pure functions of ``paste_layout`` applied to the current layout, so the
dialog only keeps a layout (and the previous ones, for undo); nothing is written until the caller
imports ``draft()``. All user text is shown as plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QColor, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.formats.paste.layout import PasteLayout
from moderator.gui.importing.paste_blocks import TEXT, PasteBlocksModel
from moderator.gui.widgets import plain_tooltip

SNIPPET = 40
QUOTE_COLOR = QColor(255, 214, 102, 110)  # the comment view's quote amber
LinkRole = Qt.ItemDataRole.UserRole + 1  # ("link" | "removed", quoting block index)

# method: (button text, shortcut, what it does)
EDITS = {
    "merge": ("Merge with next", "Ctrl+M", "Join the selected block and the one after it"),
    "split": ("Split at cursor", "Ctrl+L", "Split the selected block at the line break nearest the cursor in the text pane"),
    "undo": ("Undo", "Ctrl+Z", "Undo the last edit"),
    "mark_article": ("Mark as article", "Ctrl+1", "The selected block is a paragraph of the article"),
    "mark_comment": ("Mark as comment", "Ctrl+2", "The selected block starts a new (anonymous) comment"),
    "set_author_line": ("Set as author line", "Ctrl+3", "The selected line is the author of the comment below it"),
    "clear_author": ("Clear author", "Ctrl+4", "The selected line is no author: it becomes the text of a comment"),
    "remove_quote": ("Remove quote link", "Ctrl+D", "The selected quote link is wrong: the paragraph is no quote"),
    "restore_quote": ("Restore quote link", "Ctrl+Shift+D", "Detect the quote of the selected paragraph again"),
}


def _plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    return label


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1].rstrip() + "…"


class PastePreviewDialog(QDialog):
    def __init__(self, layout: PasteLayout, source_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Import preview — {source_name}")
        self.resize(1100, 680)
        self._layout = layout
        self._history: list[PasteLayout] = []
        self.model = PasteBlocksModel(layout, self)

        self.summary = _plain_label()
        self.summary.setObjectName("paste_summary")
        self.table = QTableView()
        self.table.setObjectName("paste_blocks")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(TEXT, QHeaderView.ResizeMode.Stretch)
        self.caption = _plain_label()
        self.text = QPlainTextEdit()
        self.text.setObjectName("paste_block_text")
        self.text.setReadOnly(True)
        self.text.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )  # a visible cursor: "split at cursor" needs one
        self.quotes = QListWidget()
        self.quotes.setObjectName("paste_quotes")
        self.quotes.setWordWrap(True)
        self.quotes.setSpacing(3)
        self.quotes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.status = _plain_label()
        self.status.setObjectName("paste_status")
        self.status.setStyleSheet("color: palette(link)")
        self.status.hide()

        self.buttons: dict[str, QPushButton] = {}
        for key, (label, shortcut, tip) in EDITS.items():
            # The key on the button itself, not only in its tooltip: these edits are made by keyboard.
            keys = QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)
            button = QPushButton(f"{label}  ({keys})")
            button.setObjectName(f"paste_{key}")
            button.setAutoDefault(False)  # Enter imports, it never edits by accident
            button.setShortcut(QKeySequence(shortcut))
            button.setToolTip(f"{tip} ({keys})")
            button.clicked.connect(getattr(self, key))
            self.buttons[key] = button

        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.button_box.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setDefault(True)
        # Cancel is Esc. As an auto-default button it became the default when the dialog showed, and
        # Enter threw the whole preview away without a word.
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self._build()
        self.table.selectionModel().currentRowChanged.connect(self._show_block)
        self.quotes.currentItemChanged.connect(self._quote_chosen)
        self.text.cursorPositionChanged.connect(self._update_buttons)
        self._refresh(0)

    def _build(self) -> None:
        edits = QGridLayout()
        for column, key in enumerate(("merge", "split", "undo")):
            edits.addWidget(self.buttons[key], 0, column)
        for column, key in enumerate(("mark_article", "mark_comment", "set_author_line", "clear_author")):
            edits.addWidget(self.buttons[key], 1, column)
        left = QWidget()
        box = QVBoxLayout(left)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.table, stretch=1)
        box.addLayout(edits)
        right = QWidget()
        side = QVBoxLayout(right)
        side.setContentsMargins(0, 0, 0, 0)
        side.addWidget(self.caption)
        side.addWidget(self.text, stretch=3)
        side.addWidget(_plain_label("Quote links"))
        side.addWidget(self.quotes, stretch=2)
        quote_buttons = QGridLayout()
        quote_buttons.addWidget(self.buttons["remove_quote"], 0, 0)
        quote_buttons.addWidget(self.buttons["restore_quote"], 0, 1)
        side.addLayout(quote_buttons)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([660, 440])
        main = QVBoxLayout(self)
        main.addWidget(self.summary)
        main.addWidget(splitter, stretch=1)
        main.addWidget(self.status)
        main.addWidget(self.button_box)

    # ------------------------------------------------------------------------------------ results

    def layout_result(self) -> PasteLayout:
        return self._layout

    def draft(self) -> ThreadDraft:
        return paste.build_draft(self._layout)

    def current_row(self) -> int:
        return self.table.currentIndex().row()

    def select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 0)
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().setCurrentIndex(index, flags)
            self.table.scrollTo(index)

    # -------------------------------------------------------------------------------------- edits

    def merge(self) -> None:
        self._edit(lambda row: paste.merge_blocks(self._layout, row))

    def split(self) -> None:
        self._edit(lambda row: paste.split_block(self._layout, row, self._split_line()))

    def mark_article(self) -> None:
        self._edit(lambda row: paste.set_role(self._layout, row, "article"))

    def mark_comment(self) -> None:
        self._edit(lambda row: paste.set_role(self._layout, row, "comment_start"))

    def set_author_line(self) -> None:
        self._edit(lambda row: paste.set_author(self._layout, row))

    def clear_author(self) -> None:
        self._edit(lambda row: paste.clear_author(self._layout, row))

    def remove_quote(self) -> None:
        target = self._quote_target("link")
        if target is not None:
            self._edit(lambda row: paste.remove_quote(self._layout, target), keep=target)

    def restore_quote(self) -> None:
        target = self._quote_target("removed")
        if target is not None:
            self._edit(lambda row: paste.restore_quote(self._layout, target), keep=target)

    def undo(self) -> None:
        if self._history:
            row = self.current_row()
            self._layout = self._history.pop()
            self._say("")
            self._refresh(row)

    def _edit(self, change: Callable[[int], PasteLayout], keep: int | None = None) -> None:
        row = self.current_row()
        if row < 0 and keep is None:
            return
        try:
            changed = change(row)
        except (ValueError, IndexError) as exc:  # e.g. an author line of two lines: say why, change nothing
            self._say(str(exc))
            return
        self._history.append(self._layout)
        self._layout = changed
        self._say("")
        self._refresh(row if keep is None else keep)

    def _say(self, message: str) -> None:
        self.status.setText(f"⚠ {message}" if message else "")
        self.status.setVisible(bool(message))

    def _split_line(self) -> int:
        """The 0-based line of the block to split before: the line break nearest the cursor."""
        text = self.text.toPlainText()
        cursor = self.text.textCursor().position()
        breaks = [i for i, ch in enumerate(text) if ch == "\n"]
        if not breaks:
            return 0  # one line: split_block says it cannot split
        nearest = min(breaks, key=lambda i: min(abs(cursor - i), abs(cursor - i - 1)))
        return text.count("\n", 0, nearest) + 1

    def _quote_target(self, kind: str) -> int | None:
        """The quoting block of the chosen quote list entry, else the selected block if it fits."""
        item = self.quotes.currentItem()
        if item is not None and item.data(LinkRole)[0] == kind:
            return item.data(LinkRole)[1]
        row = self.current_row()
        quoting = {link.block for link in self._layout.quotes}
        return row if row in (quoting if kind == "link" else self._layout.rejected_quotes) else None

    # ------------------------------------------------------------------------------------ display

    def _refresh(self, row: int) -> None:
        self.model.set_layout(self._layout)
        st = self.model.structure
        blocks = self._layout.blocks
        authors = {blocks[seg.author].text for seg in st.comments if seg.author is not None}
        article = f"1 article of {_plural(len(st.article), 'paragraph')}" if st.article else "no article"
        self.summary.setText(
            f"{article}, {_plural(len(st.comments), 'comment')}, {_plural(len(authors), 'named author')}, "
            f"{_plural(len(self._layout.quotes), 'quote link')}"
        )
        self.import_button.setText(f"Import {_plural(self.model.comment_count, 'comment')}")
        self.import_button.setEnabled(bool(blocks))
        self._fill_quotes()
        self.select_row(min(max(row, 0), len(blocks) - 1))
        self._show_block()

    def _describe(self, block: int) -> str:
        number = self.model.comment_number(block)
        return f"comment #{number}" if number is not None else f"line {self._layout.blocks[block].line}"

    def _fill_quotes(self) -> None:
        self.quotes.blockSignals(True)
        self.quotes.clear()
        blocks = self._layout.blocks
        for link in self._layout.quotes:
            role = blocks[link.source_block].role
            source = {"article": "the article", "title": "the title"}.get(role) or self._describe(link.source_block)
            text = f"{self._describe(link.block)} quotes {source}: '{_snippet(blocks[link.block].text)}'"
            self._add_quote_item(text, ("link", link.block))
        for b in sorted(i for i in self._layout.rejected_quotes if i < len(blocks)):
            self._add_quote_item(f"removed: {self._describe(b)} '{_snippet(blocks[b].text)}' is no quote", ("removed", b))
        self.quotes.blockSignals(False)

    def _add_quote_item(self, text: str, data: tuple[str, int]) -> None:
        item = QListWidgetItem(text)  # list items are always plain text
        item.setData(LinkRole, data)
        item.setToolTip(plain_tooltip(text))  # tooltips, unlike list items, guess rich text
        self.quotes.addItem(item)

    def _quote_chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.select_row(item.data(LinkRole)[1])
        self._update_buttons()

    def _show_block(self, *_args) -> None:
        row = self.current_row()
        item = self.quotes.currentItem()
        if item is not None and item.data(LinkRole)[1] != row:
            self.quotes.setCurrentRow(-1)  # the quote buttons then act on the selected block
        block = self.model.block(row)
        if block is None:
            self.caption.clear()
            self.text.clear()
        else:
            lines = f"Lines {block.line}–{block.end_line}" if block.end_line > block.line else f"Line {block.line}"
            self.caption.setText(f"{lines}: {self.model.role_text(row)}")
            self.text.setPlainText(block.text)
            self._highlight_quotes(row)
        self._update_buttons()

    def _highlight_quotes(self, row: int) -> None:
        """Mark what the block quotes (all of it) or what others quote from it."""
        spans = [(0, len(self.text.toPlainText())) for link in self._layout.quotes if link.block == row][:1]
        spans += [(link.source_start, link.source_end) for link in self._layout.quotes if link.source_block == row]
        selections = []
        for start, end in spans:
            selection = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.text.document())
            cursor.setPosition(start)
            cursor.setPosition(min(end, len(self.text.toPlainText())), QTextCursor.MoveMode.KeepAnchor)
            selection.cursor = cursor
            selection.format.setBackground(QUOTE_COLOR)
            selections.append(selection)
        self.text.setExtraSelections(selections)

    def _update_buttons(self) -> None:
        row = self.current_row()
        blocks = self._layout.blocks
        block = self.model.block(row)
        role = block.role if block else None
        nxt = blocks[row + 1].role if block and row + 1 < len(blocks) else None
        enabled = {
            "merge": nxt is not None,
            "split": block is not None and "\n" in block.text.strip(),
            "undo": bool(self._history),
            "mark_article": role not in (None, "article"),
            "mark_comment": role not in (None, "comment_start"),
            "set_author_line": role not in (None, "author") and "\n" not in block.text and nxt in ("comment_start", "paragraph"),
            "clear_author": role == "author",
            "remove_quote": self._quote_target("link") is not None,
            "restore_quote": self._quote_target("removed") is not None,
        }
        for key, on in enabled.items():
            self.buttons[key].setEnabled(on)
