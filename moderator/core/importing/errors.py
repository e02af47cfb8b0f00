"""The one error every importer raises for bad input: it names the file and the line."""

from __future__ import annotations


class ImportFailure(Exception):
    """Bad input. ``str()`` is ``path:line: reason``, ready to show a user without a traceback."""

    def __init__(self, path: str, line: int | None, reason: str):
        self.path = path
        self.line = line
        self.reason = reason
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {reason}")


class ImportCancelled(Exception):
    """The user cancelled a long import; nothing was written."""
