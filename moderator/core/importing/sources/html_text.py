"""Plain text from the HTML of a comment (Disqus messages): paragraphs and line breaks become newlines,
entities are decoded, tags dropped, and each ``<blockquote>`` is returned as a span of the text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"})
_HIDDEN = frozenset({"script", "style", "head", "title"})
_SPACES = re.compile(r"[ \t\r\f\v]+")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []  # text pieces, "\n" for a line break, "\n\n" for a block edge
        self.size = 0
        self.hidden = 0
        self.quote_depth = 0
        self.quote_starts: list[int] = []
        self.quotes: list[tuple[int, int]] = []  # in the raw output; remapped by finish()
        self.marks: list[tuple[int, str]] = []

    def _put(self, piece: str) -> None:
        self.parts.append(piece)
        self.size += len(piece)

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self._put("\n")
        elif tag in _BLOCKS:
            self._put("\n\n")
        if tag == "blockquote":
            self.quote_depth += 1
            if self.quote_depth == 1:  # nested quotes are part of the outer one
                self.quote_starts.append(self.size)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _HIDDEN:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
            if self.quote_depth == 0:
                self.quotes.append((self.quote_starts.pop(), self.size))
        if tag in _BLOCKS:
            self._put("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self._put(_SPACES.sub(" ", data.replace("\n", " ")))


_UNKNOWN_SECTION = re.compile(r"<!\[(?!CDATA\[)")
_WHITESPACE = re.compile(r"[ \n]+")  # the raw text's only whitespace: handle_data made the rest spaces


def _one_gap(gap: re.Match) -> str:
    """A run of spaces and line breaks between words: a paragraph break, a line break or a space."""
    newlines = gap.group().count("\n")
    return "\n\n" if newlines >= 2 else "\n" if newlines else " "


def _parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def html_to_text(html: str) -> tuple[str, list[tuple[int, int]]]:
    """The text a reader sees, and the ``[start, end)`` of every top-level blockquote in it."""
    try:
        parser = _parsed(html)
    except AssertionError:
        # Python's parser asserts on a marked section it does not know (``<![CDATx``): show such
        # sections as the text they are, as a browser would, rather than refuse the file.
        parser = _parsed(_UNKNOWN_SECTION.sub("&lt;![", html))
    if parser.quote_depth:  # an unclosed blockquote runs to the end
        parser.quotes.append((parser.quote_starts.pop(), parser.size))
    raw = "".join(parser.parts)
    if not parser.quotes:  # no span to map: the same text, without a step per character
        return _WHITESPACE.sub(_one_gap, raw.strip(" \n")), []
    # Normalise whitespace while keeping a map from raw offsets to output offsets for the quote spans.
    out: list[str] = []
    where = [0] * (len(raw) + 1)
    newlines = 0
    pending_space = False
    length = 0
    for i, ch in enumerate(raw):
        where[i] = length
        if ch == "\n":
            newlines += 1
            pending_space = False
            continue
        if ch == " ":
            pending_space = True
            continue
        if length:
            if newlines:
                sep = "\n\n" if newlines >= 2 else "\n"
                out.append(sep)
                length += len(sep)
            elif pending_space:
                out.append(" ")
                length += 1
        where[i] = length
        newlines = 0
        pending_space = False
        out.append(ch)
        length += 1
    where[len(raw)] = length
    text = "".join(out)
    spans = []
    for start, end in parser.quotes:
        a, b = where[start], where[end]
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            spans.append((a, b))
    return text, spans
