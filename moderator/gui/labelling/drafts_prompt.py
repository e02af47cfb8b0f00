"""Quitting with answers not submitted asks first: going back is the default (Enter or Escape)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_quit_with_drafts(parent: QWidget, count: int) -> bool:
    """True to quit and lose the unsubmitted answers on ``count`` comments."""
    box = QMessageBox(parent)
    box.setObjectName("quit_with_drafts")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Answers not submitted")
    comments = "1 comment has" if count == 1 else f"{count} comments have"
    box.setText(f"{comments} answers you have not submitted.")
    box.setInformativeText("Go back to submit them (Enter), or quit and lose them.")
    back = box.addButton("&Go back", QMessageBox.ButtonRole.RejectRole)
    quit_button = box.addButton("&Quit and lose them", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(back)
    box.setEscapeButton(back)
    box.exec()
    return box.clickedButton() is quit_button
