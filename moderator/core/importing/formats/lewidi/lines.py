"""Where the item being read sits in a LeWiDi file, so that errors and warnings name its line."""

from __future__ import annotations

import json

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.member_lines import MemberLines


class ItemLines:
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
        at = self.text.find(json.dumps(field, ensure_ascii=False) + ":", self.item_start, self._item_end)
        if at < 0:
            at = self.text.find(json.dumps(field, ensure_ascii=False), self.item_start, self._item_end)
        if at < 0:
            return self.item_line
        return self.item_line + self.text.count("\n", self.item_start, at)

    def fail(self, reason: str, field: str | None = None) -> ImportFailure:
        return ImportFailure(self.name, self.field_line(field) if field else self.item_line, reason)
