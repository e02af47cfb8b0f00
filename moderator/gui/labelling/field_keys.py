"""Keys typed in a text field stay in it: the window's one-key shortcuts never fire from there.

Qt already hands a line edit the printable keys it can type; Enter and Escape would still reach the
window's actions (submit, dismiss). This filter keeps them in the field too and lets the field decide
what they do (e.g. Enter in the search box goes to the results).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt

FIELD_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)


class FieldKeys(QObject):
    def __init__(self, field: QObject, on_enter: Callable[[], None], on_escape: Callable[[], None]):
        super().__init__(field)
        self._on = {Qt.Key.Key_Return: on_enter, Qt.Key.Key_Enter: on_enter, Qt.Key.Key_Escape: on_escape}
        field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() in FIELD_KEYS and not event.modifiers():
            event.accept()  # the key press comes to the field, not to a window shortcut
            return False
        if event.type() == QEvent.Type.KeyPress and event.key() in FIELD_KEYS and not event.modifiers():
            self._on[event.key()]()
            return True
        return False
