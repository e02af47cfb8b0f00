"""Small widgets shared by the views and dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGuiQt
from PySide6.QtWidgets import QLabel


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally: Qt guesses rich text from a tooltip's content (``<b>``)."""
    return QtGuiQt.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal)


def plain_label(text: str = "", *, bold: bool = False, grey: bool = False) -> QLabel:
    """A label that never interprets its text as HTML (comment text, names and schema text are data)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    if grey:
        label.setEnabled(False)  # the palette's muted colour, in light and dark themes alike
    return label
