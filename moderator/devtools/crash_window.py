"""Crash test with the real window: keys typed into it, the worker thread submitting, SIGKILL at random.

Run as ``python -m moderator.devtools.crash_window --db NEW.sqlite --kills N``: the campaign is the core's
(moderator.devtools.crash_drive); only the labelling child differs. Qt is imported here, before any fork,
so each child only builds its QApplication and window (offscreen).
"""

from __future__ import annotations

import os
import random
import sys
from collections import deque
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer, qInstallMessageHandler
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from moderator.core.labelling.log import active_schema
from moderator.core.project import Project
from moderator.core.store.engine import open_database
from moderator.core.team.accounts import Account, ensure_annotator
from moderator.devtools.crash_drive import COMPILED, main
from moderator.gui.background.backup_scheduler import BackupScheduler
from moderator.gui.main_window import MainWindow

DIGITS = {1: Qt.Key.Key_1, 2: Qt.Key.Key_2, 3: Qt.Key.Key_3, 4: Qt.Key.Key_4}


def gui_labeller(db: str, annotator: str, report, seed: int) -> None:
    """Type answers into the window as a fast annotator does, a few keys ahead of the worker."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    work = Path(db).parent
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):  # never the user's preferences
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(work / "qsettings"))
    # The offscreen platform warns about every window it shows; a failure's report must stay readable.
    qInstallMessageHandler(lambda _kind, _context, text: None if "propagateSizeHints" in text else print(text, file=sys.stderr))
    app = QApplication([sys.argv[0]])
    rng = random.Random(seed)
    engine = open_database(db).execution_options(compiled_cache=COMPILED)
    _, schema = active_schema(engine)
    window = MainWindow(
        Project(engine), Path(db).name, Account(ensure_annotator(engine, annotator), annotator, "annotator"), schema
    )
    # A backup at start, as the app makes one, racing the labelling (and sometimes the kill).
    backups = BackupScheduler(window.project, interval_minutes=10, folder=work / "backups", keep=3, parent=window)
    window.show()
    window.activateWindow()
    typed: deque[tuple[str, int | None]] = deque()  # answers typed, not yet confirmed, in order
    ahead = rng.randint(1, 3)  # how many answers the fingers run ahead of the database

    def type_more() -> None:
        if QApplication.activeWindow() is not window:  # shortcuts need the window active
            QTimer.singleShot(5, type_more)
            return
        while len(typed) < ahead:
            if rng.random() < 0.1:
                QTest.keyClick(window, Qt.Key.Key_S)
                typed.append(("skipped", None))
            else:
                toxicity = rng.randint(1, 4)
                QTest.keyClick(window, DIGITS[toxicity])
                QTest.keyClick(window, Qt.Key.Key_Return)
                typed.append(("submitted", toxicity))
            report("T")

    def shown(state) -> None:
        window.labelling.shown.disconnect(shown)
        report("R", state.item.id if state is not None else 0)
        backups.start()
        QTimer.singleShot(0, type_more)

    def changed(item) -> None:
        # Emitted once answer_and_advance has returned on the worker: the answer is committed.
        status, toxicity = typed.popleft()
        report("K", item.id, status, toxicity)
        QTimer.singleShot(0, type_more)

    window.labelling.shown.connect(shown)
    window.labelling.item_changed.connect(changed)
    app.exec()


if __name__ == "__main__":
    sys.exit(main(gui_labeller, max_delay_ms=400))
