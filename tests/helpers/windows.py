"""A main window on a project, as the GUI tests open it, and keys typed into it as fast as fingers can."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.gui.main_window import MainWindow


def open_window(qtbot, engine, name: str = "ana", role: str = "admin", title: str = "demo.sqlite", size=(1280, 800)):
    _, schema = active_schema(engine)
    window = MainWindow(Project(engine), title, Account(ensure_annotator(engine, name), name, role), schema)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window and not window.busy)
    return window


def type_keys(qtbot, window, keys) -> None:
    """Each key (or (modifiers, key)) to the widget with the focus, then wait for the work they started."""
    for key in keys:
        modifier, key = key if isinstance(key, tuple) else (Qt.KeyboardModifier.NoModifier, key)
        qtbot.keyClick(QApplication.focusWidget() or window, key, modifier)
    qtbot.waitUntil(lambda: not window.busy)
