"""Every user action in one table: id → (menu text, default keys). Each QAction's objectName is its id."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    keys: tuple[str, ...] = ()


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.import", "&Import…", ("Ctrl+O",)),
    ActionSpec("app.quit", "&Quit", ("Ctrl+Q",)),
    ActionSpec("nav.next", "&Next comment", ("Right", "J")),
    ActionSpec("nav.previous", "&Previous comment", ("Left", "K")),
    ActionSpec("view.zoom_in", "&Larger text", ("Ctrl++", "Ctrl+=")),
    ActionSpec("view.zoom_out", "&Smaller text", ("Ctrl+-",)),
)


def make_actions(parent: QWidget) -> dict[str, QAction]:
    actions = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.id)
        action.setShortcuts([QKeySequence(k) for k in spec.keys])
        parent.addAction(action)
        actions[spec.id] = action
    return actions
