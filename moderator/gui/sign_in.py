"""Who is at the keyboard: the OS user or --annotator; in team mode, with their password."""

from __future__ import annotations

import os

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget
from sqlalchemy import Engine

from moderator.core.team.accounts import Account, AuthError, authenticate, find_account, team_mode
from moderator.core.labelling.log import ensure_annotator

TRIES = 3


def sign_in(engine: Engine, name: str, parent: QWidget | None = None) -> Account | None:
    """The account to label as, or None when the user gave up (or has no account in team mode)."""
    if not team_mode(engine):
        # Solo: the account is made on first use, and the file's owner sees everything in it (review,
        # agreement), as the command line does; blind labelling is a team-mode promise.
        account_id = ensure_annotator(engine, name)
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
            return authenticate(engine, name, password)
        except AuthError as exc:
            QMessageBox.warning(parent, "Sign in", str(exc))
            if find_account(engine, name) is None:
                return None
            password = None
    return None
