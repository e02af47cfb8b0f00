import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.databases import PG_ENV, PG_SKIP, sqlite_database, throwaway_postgres
from sqlalchemy import Engine, event

import moderator.gui

# Tests run without a display; set before pytest-qt creates the QApplication.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

GUI_PACKAGE = str(Path(moderator.gui.__file__).resolve().parent) + os.sep


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path):
    """Keep each test's preferences (keys, fonts, window size) away from the user's real ones."""
    from PySide6.QtCore import QSettings

    folder = str(tmp_path / "qsettings")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, folder)
    yield folder


@pytest.fixture(autouse=True)
def quit_with_drafts(monkeypatch):
    """Windows closed at a test's end quit without asking about unsubmitted answers; a test of that
    question replaces this with its own answer and looks at what was asked."""
    from moderator.gui.labelling import drafts_prompt

    asked: list[int] = []

    def answer(_parent, count: int) -> bool:
        asked.append(count)
        return True

    monkeypatch.setattr(drafts_prompt, "ask_quit_with_drafts", answer)
    return asked


# The GUI thread runs no SQL -----------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    statement: str
    frame: str  # the innermost frame of moderator/gui on the stack: file:line in function

    def __str__(self) -> str:
        sql = " ".join(self.statement.split())
        return f"{sql[:200]}{'…' if len(sql) > 200 else ''}\n    from {self.frame}"


class GuiThreadSql:
    """Records each statement executed on the main thread while code of moderator/gui is on the stack.

    Test code calling the core directly (set-up, checks) runs SQL on the main thread too, but with no
    GUI frame on the stack: that is allowed.
    """

    def __init__(self):
        self.violations: list[Violation] = []
        self.elsewhere = 0  # statements run on other threads (the database workers): all is well there

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if threading.current_thread() is not threading.main_thread():
            self.elsewhere += 1
            return
        frame = sys._getframe(1)
        while frame is not None:
            path = frame.f_code.co_filename
            if path.startswith(GUI_PACKAGE):
                where = f"moderator/gui/{path[len(GUI_PACKAGE) :]}:{frame.f_lineno} in {frame.f_code.co_name}"
                self.violations.append(Violation(statement, where))
                return
            frame = frame.f_back


@pytest.fixture(autouse=True)
def no_sql_on_gui_thread():
    """Fails the test (at teardown) if the GUI ran a statement on the GUI thread, naming it and where."""
    checker = GuiThreadSql()
    event.listen(Engine, "before_cursor_execute", checker)
    try:
        yield checker
    finally:
        event.remove(Engine, "before_cursor_execute", checker)
    if checker.violations:
        listed = "\n".join(f"  {v}" for v in checker.violations[:10])
        more = f"\n  … and {len(checker.violations) - 10} more" if len(checker.violations) > 10 else ""
        pytest.fail(f"SQL ran on the GUI thread ({len(checker.violations)} statements):\n{listed}{more}", pytrace=False)


# Databases ----------------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def any_engine(request, tmp_path):
    """An empty project database on SQLite and, when $MODERATOR_TEST_POSTGRES_URL is set, PostgreSQL."""
    if request.param == "sqlite":
        engine = sqlite_database(tmp_path / "project.sqlite")
        yield engine
        engine.dispose()
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    with throwaway_postgres(url, "moderator_gui_test") as engine:
        yield engine


@pytest.fixture
def demo_engine(tmp_path):
    """A project holding the bundled demo thread (12 comments, an article, quotes, a named reply)."""
    from moderator.core.demo import load_demo

    engine = sqlite_database(tmp_path / "demo.sqlite")
    load_demo(engine)
    yield engine
    engine.dispose()
