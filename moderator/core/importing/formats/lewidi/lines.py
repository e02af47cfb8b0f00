"""Where the item being read sits in a LeWiDi file, so that errors and warnings name its line."""

from __future__ import annotations

import json
from array import array
from typing import Protocol

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.member_lines import MemberLines
from moderator.core.importing.formats.object_items import Window
from moderator.core.importing.sources.reading import SourceText


class Lines(Protocol):
    name: str
    item_line: int

    def field_line(self, field: str) -> int: ...

    def fail(self, reason: str, field: str | None = None) -> ImportFailure: ...


class ItemLines:
    """Lines in a text held whole."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.text = text
        self._members = MemberLines(text)
        self.item_start = 0  # character offset of the current item, for field lines
        self.item_line = 1
        self._item_end: int | None = None
        self._next_key: str | None = None  # the key after the current item, to bound field searches

    def seek(self, key: str, next_key: str | None) -> None:
        """Move to item ``key`` (``"<key>": {``); ``next_key`` is the item after it, if any."""
        found = self._members.seek(key)
        self.item_start, self.item_line = found if found is not None else (0, 1)
        self._item_end = None
        self._next_key = next_key

    def field_line(self, field: str) -> int:
        """Line of ``"<field>":`` inside the current item, or the item's own line."""
        if self._item_end is None:
            end = self._members.find(self._next_key, self.item_start + 1) if self._next_key is not None else None
            self._item_end = len(self.text) if end is None else end
        return _field_line(self.text, field, self.item_start, self._item_end, self.item_line)

    def fail(self, reason: str, field: str | None = None) -> ImportFailure:
        return ImportFailure(self.name, self.field_line(field) if field else self.item_line, reason)


class StreamedLines:
    """Lines in a file read item by item: where each item starts was found by the first reading
    (``object_items.Positions``); an item's text is read again only when a field's line is asked for."""

    def __init__(self, name: str, source: SourceText, offsets: array, lines: array):
        self.name = name
        self._window = Window(source)
        self._offsets = offsets
        self._lines = lines
        self._n = 0
        self.item_line = 1
        self._text: str | None = None  # the current item's, once read

    def seek(self, n: int) -> None:
        """Move to the ``n``-th item."""
        self._n = n
        self.item_line = self._lines[n]
        self._text = None
        self._window.forget_before(self._offsets[n])

    def field_line(self, field: str) -> int:
        if self._text is None:
            n = self._n
            self._text = self._window.slice(self._offsets[n], self._offsets[n + 1] if n + 1 < len(self._offsets) else None)
        return _field_line(self._text, field, 0, len(self._text), self.item_line)

    def fail(self, reason: str, field: str | None = None) -> ImportFailure:
        return ImportFailure(self.name, self.field_line(field) if field else self.item_line, reason)


class NoLines:
    """For a first reading that only gathers the schema: its errors are raised, with lines, by the second."""

    item_line = 1

    def __init__(self, name: str):
        self.name = name

    def field_line(self, field: str) -> int:
        return 1

    def fail(self, reason: str, field: str | None = None) -> ImportFailure:
        return ImportFailure(self.name, 1, reason)


def _field_line(text: str, field: str, start: int, end: int, line: int) -> int:
    """Line of ``"<field>":`` in ``text[start:end]`` (which starts on ``line``), or ``line``."""
    at = text.find(json.dumps(field, ensure_ascii=False) + ":", start, end)
    if at < 0:
        at = text.find(json.dumps(field, ensure_ascii=False), start, end)
    if at < 0:
        return line
    return line + text.count("\n", start, at)
