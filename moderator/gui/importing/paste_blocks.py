"""The blocks of a pasted comment section as a table: line, role, score, text preview.

Rows are computed from the layout on request (only the visible ones are ever formatted); the
structure (which comment each block belongs to) is read once per layout, as every edit changes it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from moderator.core.importing.formats.paste.blocks import Block, Structure, structure
from moderator.core.importing.formats.paste.layout import PasteLayout

COLUMNS = ("Line", "Role", "Score", "Text")
LINE, ROLE, SCORE, TEXT = range(4)
PREVIEW = 140
BlockRole = Qt.ItemDataRole.UserRole + 1  # the Block itself

ROLE_NAMES = {
    "dateline": "Dateline",
    "title": "Title",
    "image_credit": "Image credit",
    "article": "Article",
    "author": "author line",
    "comment_start": "start, no author",
    "paragraph": "paragraph",
}
# Translucent tints: readable on light and dark palettes; the Role column says the same in words.
_TINTS = {
    "header": QColor(150, 150, 150, 45),
    "article": QColor(80, 140, 255, 40),
    "author": QColor(255, 190, 60, 70),
    "comment_start": QColor(90, 200, 120, 45),
}


def preview(text: str) -> str:
    """One line of a block's text (line breaks shown as ⏎), cut to PREVIEW characters."""
    flat = " ⏎ ".join(line for line in text.split("\n") if line.strip())
    return flat if len(flat) <= PREVIEW else flat[: PREVIEW - 1] + "…"


def plain_tooltip(text: str) -> str:
    """Tooltips guess rich text from the content: escape it so it always shows literally."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"


class PasteBlocksModel(QAbstractTableModel):
    def __init__(self, layout: PasteLayout | None = None, parent=None):
        super().__init__(parent)
        self._layout = PasteLayout(())
        self.structure: Structure = structure(())
        self._comment_of: dict[int, int] = {}  # block index -> 0-based comment number
        self._notes: dict[int, str] = {}
        if layout is not None:
            self.set_layout(layout)

    @property
    def layout(self) -> PasteLayout:
        return self._layout

    def set_layout(self, layout: PasteLayout) -> None:
        self.beginResetModel()
        self._layout = layout
        st = self.structure = structure(layout.blocks)
        self._comment_of = {b: k for k, seg in enumerate(st.comments) for b in (seg.start, *seg.paragraphs)}
        self._notes = dict(st.notes)
        self.endResetModel()

    def block(self, row: int) -> Block | None:
        return self._layout.blocks[row] if 0 <= row < len(self._layout.blocks) else None

    def comment_number(self, row: int) -> int | None:
        """1-based number of the comment block ``row`` belongs to, None for header and article."""
        k = self._comment_of.get(row)
        return None if k is None else k + 1

    @property
    def comment_count(self) -> int:
        return len(self.structure.comments)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._layout.blocks)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        block = self.block(index.row()) if index.isValid() else None
        if block is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(index.row(), column, block)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), block)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._tint(block)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (LINE, SCORE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == BlockRole:
            return block
        return None

    def _display(self, row: int, column: int, block: Block) -> str:
        if column == LINE:
            return str(block.line)
        if column == ROLE:
            return self.role_text(row)
        if column == SCORE:
            text = f"{block.score:.0%}"
            if block.role in ("comment_start", "paragraph") and block.author_score >= 0.5:
                text += f" (name-like {block.author_score:.0%})"
            return text
        return preview(block.text)

    def role_text(self, row: int) -> str:
        """The role in words, with the comment number: "Article", "#3 author line" (⚠ when overridden)."""
        block = self._layout.blocks[row]
        name = ROLE_NAMES[block.role]
        number = self.comment_number(row)
        text = f"#{number} {name}" if number is not None and block.role in ("author", "comment_start", "paragraph") else name
        return text + " ⚠" if row in self._notes else text

    def _tooltip(self, row: int, block: Block) -> str:
        lines = [f"Line {block.line}: {self.role_text(row)} ({block.score:.0%} sure)"]
        if block.detail:
            lines.append(block.detail)
        if row in self._notes:
            lines.append("⚠ " + self._notes[row])
        return plain_tooltip("\n".join(lines))

    @staticmethod
    def _tint(block: Block) -> QColor | None:
        if block.role in ("dateline", "title", "image_credit"):
            return _TINTS["header"]
        return _TINTS.get(block.role)
