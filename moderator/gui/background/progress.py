"""The progress dialog of long work (an import, an export): modal to its window, shown only when the work
takes a moment, its Cancel asking the work to stop (the work decides when it safely can)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

STEPS = 1000  # the bar's resolution
SHOW_AFTER_MS = 400  # quick work never flashes a dialog


def open_progress(parent: QWidget, label: str, title: str, on_cancel: Callable[[], None], name: str = "") -> QProgressDialog:
    dialog = QProgressDialog(label, "Cancel", 0, STEPS, parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(on_cancel)
    return dialog


def close_progress(dialog: QProgressDialog | None, on_cancel: Callable[[], None]) -> None:
    if dialog is not None:
        dialog.canceled.disconnect(on_cancel)  # closing is no cancellation
        dialog.hide()
        dialog.deleteLater()  # not now: we may be inside its setValue()
