"""Lines of the members of one big JSON object keyed by item id (LeWiDi, HateXplain), without a second parse.

Items come in file order, so ``"<key>": {`` is looked for after the previous item with ``str.find``: one
pass over the text however many items there are (a full regex search per item is ten times slower on a
file of tens of megabytes).
"""

from __future__ import annotations

import json
import re

_OBJECT = re.compile(r"\s*:\s*\{")
_ANY = re.compile(r"\s*:")


class MemberLines:
    def __init__(self, text: str):
        self.text = text
        self._pos = 0  # where the search for the next member starts
        self._line = 1  # line of _pos

    def seek(self, key: str) -> tuple[int, int] | None:
        """Offset and line of member ``key`` after the previous one found (an object's ``"<key>": {``
        first, then any ``"<key>":``); a member out of order is found by one full search, without moving
        on. None when the key is not written as expected (odd escaping)."""
        for after in (_OBJECT, _ANY):
            at = self.find(key, self._pos, after)
            if at is not None:
                self._line += self.text.count("\n", self._pos, at)
                self._pos = at
                return at, self._line
        at = self.find(key, 0)
        return None if at is None else (at, self.line_at(at))

    def find(self, key: str, start: int, after: re.Pattern[str] = _OBJECT) -> int | None:
        """Offset of the first ``"<key>"`` at or after ``start`` followed by ``after`` (``: {``)."""
        for needle in dict.fromkeys((json.dumps(key, ensure_ascii=False), json.dumps(key))):
            at = self.text.find(needle, start)
            while at >= 0 and not after.match(self.text, at + len(needle)):
                at = self.text.find(needle, at + 1)
            if at >= 0:
                return at
        return None

    def line_at(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1
