"""File → New project, Open project, Open recent: the project opens in a new window, then the old one closes.

Anything that goes wrong (a damaged file, a wrong password, a server away) is said in one line and the
old window stays as it was. The new window is built by the old one's own class, so this module does not
import the main window (which imports it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox, QWidget
from sqlalchemy.engine import URL

from moderator.core.project import Project
from moderator.core.store.engine import database_key, display_name, parse_address, resolve_url, server_address
from moderator.core.store.failures import why_not_opened
from moderator.gui import settings
from moderator.gui.background.workers import run_and_wait
from moderator.gui.projects.backups import start_backups, stop_backups
from moderator.gui.sign_in import open_project as open_with_password
from moderator.gui.sign_in import sign_in

SUFFIX = ".sqlite"  # what the app names its own files (moderator.sqlite, demo.sqlite, backups)
FILE_FILTER = "Moderator projects (*.sqlite *.db);;All files (*)"
SERVER_HINT = "postgresql://login@host/database"

# Windows opened here: nothing else holds them, and Python would otherwise collect (and close) them.
_windows: set[QMainWindow] = set()


# Asking the user: module functions, so tests replace them -----------------------------------------


def _ask_open_path(parent: QWidget) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "Open project", _start_folder(parent), FILE_FILTER)
    return path or None


def _ask_new_path(parent: QWidget) -> str | None:
    # Not "replace it?": a new project never overwrites a file (see new_project).
    path, _ = QFileDialog.getSaveFileName(
        parent, "New project", _start_folder(parent), FILE_FILTER, options=QFileDialog.Option.DontConfirmOverwrite
    )
    return path or None


def _ask_server_url(parent: QWidget) -> str | None:
    text, ok = QInputDialog.getText(parent, "Open team server", f"Server address ({SERVER_HINT}):")
    return text.strip() if ok and text.strip() else None


def _tell(parent: QWidget, text: str) -> None:
    QMessageBox.warning(parent, "Moderator", text)


def _start_folder(parent: QWidget) -> str:
    """The folder of the project on screen, when it is a file."""
    project = getattr(parent, "project", None)
    if project is not None and project.url.get_backend_name() == "sqlite" and project.url.database:
        return str(Path(project.url.database).parent)
    return str(Path.home())


class ProjectSwitcher(QObject):
    def __init__(self, window: QMainWindow):
        super().__init__(window)
        self.window = window

    # the menu's commands --------------------------------------------------------------------------

    def open_project(self) -> QMainWindow | None:
        """A project file chosen in a file dialog; its window, or None (cancelled or failed)."""
        path = _ask_open_path(self.window)
        return self._open(resolve_url(path), must_exist=True) if path else None

    def open_server(self) -> QMainWindow | None:
        """A team server whose address the user types; the password is asked for when it wants one."""
        text = _ask_server_url(self.window)
        if text is None:
            return None
        url = server_address(text)
        if url is None:
            _tell(self.window, f"Not a team server address: write it as {SERVER_HINT}.")
            return None
        return self._open(url)

    def new_project(self) -> QMainWindow | None:
        """An empty project in a new file, with the default label schema (as the command line makes one)."""
        path = _ask_new_path(self.window)
        if not path:
            return None
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(SUFFIX)
        if path.exists():  # never emptied or overwritten: it may hold someone's labels
            _tell(self.window, f"{path.name} already exists: choose another name, or open it with Open project.")
            return None
        return self._open(resolve_url(str(path)))

    def open_recent(self, url: str) -> QMainWindow | None:
        parsed = parse_address(url)
        if parsed is None:
            settings.remove_recent_project(url)
            return None
        return self._open(parsed, must_exist=True)

    def fill_recent_menu(self, menu: QMenu) -> None:
        """The recent projects other than this one, newest first, then Clear recent (for aboutToShow)."""
        menu.clear()
        here = database_key(self.window.project.url)
        entries = [url for url in settings.recent_projects() if database_key(parse_address(url)) != here]
        for n, url in enumerate(entries, 1):
            action = menu.addAction(_menu_text(n, url))
            action.setObjectName(f"file.recent.{n}")
            action.setStatusTip(_where(url))
            action.triggered.connect(lambda _=False, u=url: self.open_recent(u))
        if not entries:
            menu.addAction("No other recent projects").setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction("&Clear recent")
        clear.setObjectName("file.recent.clear")
        clear.setEnabled(bool(entries))
        clear.triggered.connect(settings.clear_recent_projects)

    # opening --------------------------------------------------------------------------------------

    def _open(self, url: URL, must_exist: bool = False) -> QMainWindow | None:
        name = display_name(url)
        if not self.window.confirm_leaving():  # answers not submitted here: asked before anything opens
            return None
        if must_exist and url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
            settings.remove_recent_project(url)
            _tell(self.window, f"{name} is no longer there (moved or deleted?).")
            return None
        project = None
        try:
            # A server asks for the login's password while it wants one; a file is simply opened (or made).
            project = (
                open_with_password(url, self.window) if url.get_backend_name() != "sqlite" else run_and_wait(Project.open, url)
            )
            account = sign_in(project, None, self.window) if project is not None else None
            if account is None:
                self._discard(project)
                self.window.statusBar().showMessage(f"Not signed in to {name}.", 8000)
                return None
            _, schema = run_and_wait(project.active_schema)  # a new project's is the default, stored now
            window = type(self.window)(project, project.display_name, account, schema)
        except Exception as exc:  # noqa: BLE001 - whatever it was, the old window stays and says why
            self._discard(project)
            _tell(self.window, f"Could not open {name}: {why_not_opened(exc)}")
            return None
        _windows.add(window)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # closed for good: nothing reopens a window
        window.destroyed.connect(lambda: _windows.discard(window))
        window.restoreGeometry(self.window.saveGeometry())
        window.show()
        start_backups(window)
        settings.add_recent_project(url)
        self._retire(self.window)
        return window

    @staticmethod
    def _discard(project: Project | None) -> None:
        if project is not None:
            run_and_wait(project.close)

    @staticmethod
    def _retire(old: QMainWindow) -> None:
        """Close the old window (it finishes its labelling itself), its own windows, then its project."""
        for child in old.findChildren(QWidget):
            if child.isWindow() and child.isVisible():  # review, charts, cheat sheet
                child.close()
        stop_backups(old)
        if not old.close_confirmed():
            return
        run_and_wait(old.project.close)
        old.deleteLater()  # with its dialogs, workers and this switcher, once back in the main event loop


# URLs and their names -----------------------------------------------------------------------------


def _menu_text(n: int, url: str) -> str:
    """The entry's text, as in "&1  monday.sqlite  (~/projects)": the folder tells two files of one name apart."""
    parsed = parse_address(url)
    text = display_name(parsed) if parsed is not None else url
    if parsed is not None and parsed.get_backend_name() == "sqlite" and parsed.database:
        text += f"  ({_short(Path(parsed.database).parent)})"
    text = text.replace("&", "&&")  # a file name's & is shown, not taken for a mnemonic
    return f"&{n}  {text}"


def _short(folder: Path) -> str:
    home = Path.home()
    if folder.is_relative_to(home):
        return "~" if folder == home else f"~/{folder.relative_to(home).as_posix()}"
    return str(folder)


def _where(url: str) -> str:
    """The file's full path, or the server address (without a password: none is stored)."""
    parsed = parse_address(url)
    if parsed is not None and parsed.get_backend_name() == "sqlite" and parsed.database:
        return parsed.database
    return url
