"""Start the Qt application."""

from __future__ import annotations

import getpass
import os
import sys

from sqlalchemy import Engine
from sqlalchemy.engine import URL


def run(engine: Engine, db_url: URL, annotator: str | None = None, screenshot: str | None = None) -> int:
    from .platform_check import DisplayError, choose_platform

    try:
        platform = choose_platform(screenshot=bool(screenshot))
    except DisplayError as exc:
        print(f"moderator: {exc}", file=sys.stderr)
        return 1
    if platform:
        os.environ["QT_QPA_PLATFORM"] = platform
    from PySide6.QtWidgets import QApplication

    from ..core.db import display_name
    from ..core.labels import active_schema, ensure_annotator
    from .main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Moderator")
    app.setOrganizationName("Moderator")
    name = annotator or getpass.getuser()
    annotator_id = ensure_annotator(engine, name)
    _, schema = active_schema(engine)
    window = MainWindow(engine, display_name(db_url), name, annotator_id, schema)
    window.show()
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
