"""The Qt binding must not corrupt reference counts: some PySide6 releases crash Python after a while."""

import sys

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPlainTextEdit


class PassThrough(QObject):
    def eventFilter(self, obj, event):
        return False


class Painted(QPlainTextEdit):
    def paintEvent(self, event):
        super().paintEvent(event)


def test_python_overrides_called_by_qt_keep_none_alive(qtbot, qapp):
    # PySide6 6.12.0 loses one reference to None per override call; Python 3.11 aborts when it hits zero.
    editor = Painted()
    qtbot.addWidget(editor)
    editor.show()
    event_filter = PassThrough()
    editor.viewport().installEventFilter(event_filter)
    before = sys.getrefcount(None)
    for i in range(200):
        editor.setPlainText(str(i))
        editor.viewport().repaint()
        qapp.processEvents()
    assert sys.getrefcount(None) >= before - 20  # a little noise from the interpreter, not hundreds
