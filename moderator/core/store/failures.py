"""What a person reads when a database step fails, in one sentence; the details go to a log file.

The window never shows SQL or a driver's message: ``explain`` words the failure for the person at the
keyboard and writes the whole error, with its traceback, to ``moderator.log`` in the user data folder.
"""

from __future__ import annotations

import errno
import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from moderator.core.paths import user_data_path
from moderator.core.store.guards import INSUFFICIENT_PRIVILEGE, sqlstate

log = logging.getLogger("moderator")

UNREACHABLE = "The server can't be reached."
BUSY = "The database file is busy: another program is writing to it."
SLOW = "The server took too long to answer."
DISK_FULL = "The disk is full."
REFUSED = "Your role may not do this on this database."


def log_file() -> Path:
    """Where the log goes: the file ``log_to_file`` opened, else the default one in the user data folder."""
    for handler in log.handlers:
        if isinstance(handler, RotatingFileHandler):
            return Path(handler.baseFilename)
    return user_data_path() / "moderator.log"


def log_to_file(path: Path | None = None) -> Path:
    """Send the app's log to a file that rotates at 1 MB (three kept), instead of any file before; its path."""
    path = (path or user_data_path() / "moderator.log").resolve()
    close_log_file()
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def close_log_file() -> None:
    for handler in [h for h in log.handlers if isinstance(h, RotatingFileHandler)]:
        log.removeHandler(handler)
        handler.close()


def unreachable(exc: BaseException) -> bool:
    """Is this the network or the server being away (try again later), rather than a refusal?"""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (OperationalError, InterfaceError)) and not _sqlite(exc)


def _sqlite(exc: BaseException) -> bool:
    return type(getattr(exc, "orig", None)).__module__ == "sqlite3"


def is_system_error(exc: BaseException) -> bool:
    """A database or disk error (``explain`` words and logs it), rather than a bug or a refusal for people."""
    return isinstance(exc, (SQLAlchemyError, OSError))


def explain(exc: BaseException) -> str:
    """One sentence for the window. Errors meant for people (a label the rules refuse, a wrong password)
    are their own message; database and disk errors are worded here and logged whole."""
    if not is_system_error(exc):
        return str(exc)
    log.error("a database step failed", exc_info=exc)
    reason = str(getattr(exc, "orig", None) or exc).lower()
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in reason or "no space left" in reason:
        return f"{DISK_FULL} Free some space and try again."
    if _sqlite(exc) and "locked" in reason:
        return f"{BUSY} Try again in a moment."
    if "statement timeout" in reason or "lock timeout" in reason:
        return f"{SLOW} Try again in a moment."
    if unreachable(exc):
        return f"{UNREACHABLE} Try again when it is back."
    if sqlstate(exc) == INSUFFICIENT_PRIVILEGE:
        return REFUSED
    return f"The database stopped this step (details in {log_file()})."


def why_not_opened(exc: BaseException) -> str:
    """Why a project could not be opened, in the words a person choosing a file needs."""
    from sqlalchemy.exc import DatabaseError

    from moderator.core.store.migrate import NewerDatabase

    if isinstance(exc, NewerDatabase):
        return (
            f"it was made by a newer version of Moderator (schema {exc.found}; this version knows up to {exc.known}). "
            "Update Moderator to open it."
        )
    if isinstance(exc, DatabaseError) and "not a database" in str(exc.orig):
        return "it is not a Moderator project, or it is damaged."
    if isinstance(exc, DatabaseError) and "unable to open" in str(exc.orig):
        return "the file can't be opened or made there."
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}."
    return explain(exc)
