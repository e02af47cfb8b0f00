"""The members of one big JSON object keyed by item id (LeWiDi), read one at a time, each with its line.

``members`` parses with ijson, so memory holds one item, never the document. ``Positions`` finds each
member's ``"<key>": {`` the way ``MemberLines`` does on a whole text, in a window of the text that moves
on with the items. What the streaming reading cannot tell exactly as the whole-document reading
(``strict_json.loads``) does raises ``Irregular``: an invalid document (whose message and line
``loads`` gives), an escape that may be a NUL or a lone surrogate (ijson reads the latter as ``?``), a
key given twice (``json`` keeps the last value at the first place), a member that is not an object, or
one whose key is written oddly. The importer then reads the file whole, as before; a regular file never is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import ijson

from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Progress

_OBJECT = re.compile(r"\s*:\s*\{")
MAX_DEPTH = 256
# A JSON string literal (strict_json's): none holds a raw line break.
_STRING = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_PAIR = re.compile(r"\[\]|\{\}")
# An escape that may decode to what no database stores (strict_json's): each one found is judged.
_RISKY = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
_LOW = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_PAIR_LENGTH = 12
_SLACK = 4096  # text past a key that must be read before its ": {" is judged (spaces before the brace)


class Irregular(Exception):
    """The file must be read whole, so that it is imported, or refused, exactly as before."""


class _Utf8:
    """The source's text as the bytes ijson reads, a block at a time; ``Irregular`` for a file nested
    deeper than ``MAX_DEPTH`` (ijson holds a path per level: memory grows with the depth squared, and
    ``loads`` refuses such a file anyway) or with an escape that may be a NUL or a lone surrogate."""

    def __init__(self, source: SourceText, checked: bool):
        self._blocks = source.blocks()
        self._checked = checked  # already read once (the same bytes: their sha256 is the batch's)
        self._depth = 0
        self._open = ""  # a string the last block cut, and what follows it
        self._held = ""  # the last block's end, its escapes judged with what follows
        self._unjudged = 0  # where in ``_held`` the escapes not yet judged start
        self._held_at = 0  # where ``_held`` starts in the text

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson's probe for bytes or text
            return b""
        for block in self._blocks:
            if block:
                if not self._checked:
                    self._judge(block)
                    self._depth = self._deepest(block)
                return block.encode("utf-8", "surrogatepass")  # a lone surrogate fails ijson: Irregular
        if not self._checked:
            self._judge("")
        return b""

    def _judge(self, block: str) -> None:
        """Irregular at an escaped NUL or a surrogate not in a pair: ijson reads the latter as "?" (a pair,
        as ``json.dumps`` writes an emoji, is fine). ``""``: the end of the text."""
        text = self._held + block
        end = len(text) - _PAIR_LENGTH if block else len(text)  # an escape near the end: with the next block
        judged = max(end, self._unjudged)
        low = -1  # where the low half of the last pair starts: not a lone one
        for match in _RISKY.finditer(text, self._unjudged):
            at = match.start()
            if at >= end:
                break
            if at == low or not self._real(text, at):
                continue  # a pair's second half, or an escaped backslash then letters
            if text[at + 2 : at + 6] == "0000" or text[at + 3] in "cdefCDEF" or not _LOW.match(text, at + 6):
                raise Irregular
            low = at + 6
            judged = max(judged, at + _PAIR_LENGTH)
        keep = max(0, end - 6)  # room for a run of backslashes before what is judged next
        self._held, self._unjudged = text[keep:], judged - keep
        self._held_at += keep

    def _real(self, text: str, at: int) -> bool:
        """Whether the backslash at ``at`` starts an escape (it follows an even run of backslashes);
        Irregular when the run reaches back past what is held."""
        run = at
        while run > 0 and text[run - 1] == "\\":
            run -= 1
        if run == 0 and self._held_at > 0:
            raise Irregular
        return (at - run) % 2 == 0

    def _deepest(self, block: str) -> int:
        """The nesting depth after ``block``; Irregular if it may pass ``MAX_DEPTH`` (a bound: matched
        pairs are dropped innermost first, a round per level)."""
        outside = _STRING.sub("", self._open + block)
        cut = outside.find('"')  # a string not closed in this block: from there on it is as written
        self._open, outside = (outside[cut:], outside[:cut]) if cut >= 0 else ("", outside)
        if "\n" in self._open:  # no JSON string holds a line break
            raise Irregular
        brackets = _NOT_BRACKET.sub("", outside)
        rounds = 0
        while brackets and rounds <= MAX_DEPTH:
            fewer = _PAIR.sub("", brackets)
            if len(fewer) == len(brackets):
                break
            brackets, rounds = fewer, rounds + 1
        closers = len(brackets) - len(brackets.lstrip("]}"))  # what is left: closers, then openers
        openers = len(brackets) - closers
        if self._depth + openers + rounds > MAX_DEPTH:
            raise Irregular
        return self._depth - closers + openers


def members(source: SourceText, checked: bool = False) -> Iterator[tuple[str, Any]]:
    """(key, value) of each member of the top-level object, in file order; numbers as int or float.
    ``checked``: the text was read before without an ``Irregular``, and is not judged again."""
    if source.head(4096).lstrip()[:1] not in ("{", ""):  # a list (of HateXplain posts), or not JSON: not parsed twice
        raise Irregular
    try:
        yield from ijson.kvitems(_Utf8(source, checked), "", use_float=True)
    except (ijson.JSONError, UnicodeDecodeError):  # the latter: a lone low surrogate, before it is judged
        raise Irregular from None


def located(source: SourceText, progress: Progress | None = None, share: float = 1.0) -> Iterator[tuple[str, dict, int, int]]:
    """A first reading: (key, item, offset, line) of each member, progress up to ``share``. ``Irregular`` at a
    key given twice (``json`` keeps the last value at the first place), a member that is not an object, or none."""
    positions = Positions(source)
    seen: set[str] = set()
    size = max(1, source.size)
    for n, (key, item) in enumerate(members(source)):
        if key in seen or type(item) is not dict:
            raise Irregular
        seen.add(key)
        offset, line = positions.seek(key)
        if progress is not None and n % 1000 == 0:
            progress(share * min(1.0, offset / size))
        yield key, item, offset, line
    if not seen:
        raise Irregular  # not an object, or an empty one: the whole reading tells which, as before


class Window:
    """The source's text from a point on, read on demand: one item and a block are held, not the file."""

    def __init__(self, source: SourceText):
        self._chunks = source.blocks()
        self.text = ""
        self.base = 0  # offset in the whole text of ``self.text[0]``
        self.done = False

    def more(self) -> bool:
        for chunk in self._chunks:
            if chunk:
                drop = min(self._cut, len(self.text))  # the rest of a cut past the text read: next time
                self.text = self.text[drop:] + chunk if drop else self.text + chunk
                self.base += drop
                self._cut -= drop
                return True
        self.done = True
        return False

    _cut = 0  # text before this (relative) offset is no longer needed; dropped with the next block

    def forget_before(self, offset: int) -> None:
        self._cut = max(self._cut, offset - self.base)

    def count_lines(self, start: int, end: int) -> int:
        return self.text.count("\n", start - self.base, end - self.base)

    def slice(self, start: int, end: int | None) -> str:
        """The text from ``start`` to ``end`` (None: the end of the text)."""
        while (end is None or end > self.base + len(self.text)) and self.more():
            pass
        return self.text[start - self.base : None if end is None else end - self.base]

    def find(self, needle: str, start: int) -> int | None:
        """Offset of the first ``needle`` at or after ``start`` followed by ``": {"``."""
        at = self._find(needle, start)
        while True:
            if at < 0:
                resume = max(start, self.base + len(self.text) - len(needle))
                if not self.more():
                    return None
                at = self._find(needle, resume)
            elif at + len(needle) + _SLACK > self.base + len(self.text) and self.more():
                continue  # the brace may be in the next block: judge the same place again
            elif _OBJECT.match(self.text, at - self.base + len(needle)):
                return at
            else:
                at = self._find(needle, at + 1)

    def _find(self, needle: str, start: int) -> int:
        at = self.text.find(needle, start - self.base)
        return at if at < 0 else at + self.base


class Positions:
    """Offset and line of each member's ``"<key>": {``, in file order, as ``MemberLines.seek`` finds them."""

    def __init__(self, source: SourceText):
        self.window = Window(source)
        self._pos = 0
        self._line = 1

    def seek(self, key: str) -> tuple[int, int]:
        for needle in dict.fromkeys((json.dumps(key, ensure_ascii=False), json.dumps(key))):
            at = self.window.find(needle, self._pos)
            if at is not None:
                break
        else:
            raise Irregular  # written oddly: the whole text is searched
        self._line += self.window.count_lines(self._pos, at)
        self._pos = at
        self.window.forget_before(at)
        return at, self._line
