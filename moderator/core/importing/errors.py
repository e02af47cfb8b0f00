"""The one error every importer raises for bad input: it names the file and the line."""

from __future__ import annotations

import re
import unicodedata

# What may not reach a terminal as itself: a newline in a file name would print a second, fake
# ``path:line: reason`` line; an escape sequence could rewrite the screen; a bidi override (U+202E)
# would show a name reversed.
_UNSHOWN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs"}  # controls, format characters, line separators, surrogates
_JOINERS = {"\u200c", "\u200d"}  # format characters that are part of words (Persian) and emoji: kept
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(text: str) -> str:
    """``text`` for a one-line message: control, format and bidi characters escaped (``\\n``, ``\\x1b``,
    ``\\u202e``), every other character (accents, other scripts, emoji) as it is."""
    if text.isprintable():  # nearly every name and reason: one pass in C
        return text
    return "".join(_escaped(c) for c in text)


def _escaped(c: str) -> str:
    if c in _NAMED:
        return _NAMED[c]
    if c == " " or c in _JOINERS or unicodedata.category(c) not in _UNSHOWN_CATEGORIES:
        return c
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


class ImportFailure(Exception):
    """Bad input. ``str()`` is ``path:line: reason``, ready to show a user without a traceback.

    ``path`` and ``reason`` are kept as given; ``str()`` shows them with control characters escaped, so
    the message is always one line whatever the file's name (a name may hold a newline).
    """

    def __init__(self, path: str, line: int | None, reason: str):
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{shown(str(path))}:{line}" if line is not None else shown(str(path))
        super().__init__(f"{where}: {shown(str(reason))}")

    @classmethod
    def from_database_error(cls, path: str, line: int | None, exc: BaseException) -> ImportFailure | None:
        """The failure to report when the database refused a source's row (a value PostgreSQL does not take
        though SQLite did), named at ``path:line``; None when the error is not about the data (a lost
        connection, a lock, a full disk, a refused role), which the caller re-raises as it is."""
        reason = database_refusal(exc)
        return None if reason is None else cls(path, line, reason)


# SQLSTATE classes of errors caused by the values written: data exception, integrity constraint
# violation, program limit exceeded (a value too large for an index or a JSON document).
_DATA_SQLSTATES = ("22", "23", "54")
_TABLE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)


def database_refusal(exc: BaseException) -> str | None:
    """One line saying what the database refused, from a SQLAlchemy or DBAPI error; None when the error
    is not a refusal of the data written."""
    from sqlalchemy.exc import DataError, IntegrityError

    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if not (isinstance(exc, (DataError, IntegrityError)) or (sqlstate and sqlstate[:2] in _DATA_SQLSTATES)):
        return None
    lines = str(orig).strip().splitlines()
    message = lines[0].strip() if lines else type(orig).__name__
    table = _TABLE.match(getattr(exc, "statement", None) or "")
    what = f"a row of {table[1]}" if table else "a value of this file"
    return f"the database refused {what}: {message}"


class ImportCancelled(Exception):
    """The user cancelled a long import; nothing was written."""
