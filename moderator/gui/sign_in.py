"""Who is at the keyboard: the OS user or --annotator; in team mode, with their password.

On a team server the server checks the password when the project opens (``open_project``), and the
account is that login's; a person who signed in with a one-time password chooses their own first.
"""

from __future__ import annotations

import getpass
import os

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget
from sqlalchemy.engine import URL

from moderator.core.project import Project
from moderator.core.store.engine import PasswordNeeded, display_name
from moderator.core.team.accounts import Account, AuthError
from moderator.gui.background.workers import run_and_wait

TRIES = 3
MIN_PASSWORD = 8


def _ask(parent: QWidget | None, prompt: str) -> str | None:
    text, ok = QInputDialog.getText(parent, "Sign in to Moderator", prompt, QLineEdit.EchoMode.Password)
    return text if ok else None


def open_project(url: URL, parent: QWidget | None = None) -> Project | None:
    """The project at ``url``, asking for the login's password while the server wants one (None: gave up).

    $MODERATOR_PASSWORD is tried first, as on the command line; libpq reads PGPASSWORD and ~/.pgpass itself.
    """
    from_environment = os.environ.get("MODERATOR_PASSWORD") if url.password is None else None
    for _ in range(TRIES + 1):
        try:
            return run_and_wait(Project.open, url)
        except PasswordNeeded as exc:
            if from_environment is not None:
                url, from_environment = url.set(password=from_environment), None
                continue
            if exc.wrong:
                QMessageBox.warning(parent, "Sign in", f"Wrong password for {url.username}.")
            password = _ask(parent, f"Password for {url.username or getpass.getuser()} on {display_name(url)}:")
            if password is None:
                return None
            url = url.set(password=password)
    return None


def sign_in(project: Project, name: str | None, parent: QWidget | None = None) -> Account | None:
    """The account to label as, or None when the user gave up (or has no account in team mode).

    Before any window is up; each database step runs off the GUI thread (``run_and_wait``).
    """
    if run_and_wait(project.uses_logins):
        try:
            account = run_and_wait(project.authenticate, name, None)
        except AuthError as exc:
            QMessageBox.warning(parent, "Sign in", str(exc))
            return None
        return _own_password(project, account, parent) if account.must_change_password else account
    name = name or getpass.getuser()
    if not run_and_wait(project.team_mode):
        # Solo: the account is made on first use, and the file's owner sees everything in it (review,
        # agreement), as the command line does; blind labelling is a team-mode promise.
        account_id = run_and_wait(project.ensure_annotator, name)
        return Account(account_id, name, "admin")
    password = os.environ.get("MODERATOR_PASSWORD")
    for _ in range(TRIES):
        if password is None:
            password = _ask(parent, f"Password for {name}:")
            if password is None:
                return None
        try:
            return run_and_wait(project.authenticate, name, password)
        except AuthError as exc:
            QMessageBox.warning(parent, "Sign in", str(exc))
            if run_and_wait(project.find_account, name) is None:
                return None
            password = None
    return None


def _own_password(project: Project, account: Account, parent: QWidget | None) -> Account | None:
    """After a one-time password: the person chooses their own (twice, the same) before labelling."""
    while True:
        first = _ask(parent, f"{account.name}, you signed in with a one-time password.\nChoose your own "
                             f"(at least {MIN_PASSWORD} characters):")  # fmt: skip
        if first is None:
            return None
        if len(first) < MIN_PASSWORD:
            QMessageBox.warning(parent, "Sign in", f"At least {MIN_PASSWORD} characters, please.")
            continue
        if _ask(parent, "The same password again:") != first:
            QMessageBox.warning(parent, "Sign in", "The two passwords differ; try again.")
            continue
        run_and_wait(project.change_password, account.name, first)
        return run_and_wait(project.authenticate, account.name, None)
