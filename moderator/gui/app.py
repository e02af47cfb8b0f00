"""Start the Qt application."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from sqlalchemy.engine import URL

if TYPE_CHECKING:
    from moderator.core.project import Project


def run(project: Project | None, db_url: URL | None = None, annotator: str | None = None, screenshot: str | None = None) -> int:
    """The window on ``project``; ``db_url`` names it in the title (default: its own URL).

    With no project, ``db_url`` is a team server that asked for a password: the window asks for it first.
    """
    from moderator.gui.platform_check import DisplayError, choose_platform

    try:
        platform = choose_platform(screenshot=bool(screenshot))
    except DisplayError as exc:
        print(f"moderator: {exc}", file=sys.stderr)
        return 1
    if platform:
        os.environ["QT_QPA_PLATFORM"] = platform
    from PySide6.QtWidgets import QApplication

    from moderator.core.store.engine import display_name
    from moderator.core.store.failures import log_to_file
    from moderator.gui import settings
    from moderator.gui.background.workers import run_and_wait
    from moderator.gui.main_window import MainWindow
    from moderator.gui.sign_in import open_project, sign_in
    from moderator.gui.theme import apply_theme

    log_to_file()  # what went wrong, in full, for whoever helps; the window says it in a sentence
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Moderator")
    app.setOrganizationName("Moderator")
    apply_theme(app, settings.theme())  # before any dialog or window, so all of them wear it
    if project is None:
        project = open_project(db_url)
        if project is None:
            print("moderator: not signed in", file=sys.stderr)
            return 1
    account = sign_in(project, annotator)
    if account is None:
        print("moderator: not signed in", file=sys.stderr)
        return 1
    _, schema = run_and_wait(project.active_schema)
    window = MainWindow(project, display_name(db_url) if db_url is not None else project.display_name, account, schema)
    window.show()
    if not screenshot:  # a rolling backup now and every N minutes, copied on a thread of its own
        from moderator.gui.projects.backups import start_backups

        start_backups(window)
        settings.add_recent_project(project.url)  # File → Open recent; the password is not kept
    if screenshot:
        while window.busy:  # wait for the first item to arrive from the worker
            app.processEvents()
        app.processEvents()
        if not window.grab().save(screenshot):
            print(f"moderator: could not write {screenshot}", file=sys.stderr)
            return 1
        print(f"screenshot written to {screenshot}", file=sys.stderr)
        return 0
    return app.exec()
