"""Who is at the keyboard: the OS user or --annotator; in team mode, with their password."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from moderator.core.project import Project
from moderator.core.team.accounts import Account, AuthError
from moderator.gui.background.workers import run_and_wait

TRIES = 3


def sign_in(project: Project, name: str, parent: QWidget | None = None) -> Account | None:
    """The account to label as, or None when the user gave up (or has no account in team mode).

    Before any window is up; each database step runs off the GUI thread (``run_and_wait``).
    """
    if not run_and_wait(project.team_mode):
        # Solo: the account is made on first use, and the file's owner sees everything in it (review,
        # agreement), as the command line does; blind labelling is a team-mode promise.
        account_id = run_and_wait(project.ensure_annotator, name)
        return Account(account_id, name, "admin")
    password = os.environ.get("MODERATOR_PASSWORD")
    for _ in range(TRIES):
        if password is None:
            password, ok = QInputDialog.getText(
                parent, "Sign in to Moderator", f"Password for {name}:", QLineEdit.EchoMode.Password
            )
            if not ok:
                return None
        try:
            return run_and_wait(project.authenticate, name, password)
        except AuthError as exc:
            QMessageBox.warning(parent, "Sign in", str(exc))
            if run_and_wait(project.find_account, name) is None:
                return None
            password = None
    return None
