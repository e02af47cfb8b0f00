"""Lexicon highlights on the comment text, and the colours of the greyscale mode.

Highlights are character formats laid over ranges of the plain-text document by a QSyntaxHighlighter:
the text itself stays plain (no HTML is ever built from it). Colours are mixed from the palette, so
they keep their contrast in dark and light themes; each severity also has its own underline, so
colour is never the only signal (and greyscale mode keeps the difference).
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from moderator.core.wellbeing.lexicon import Match, Severity
from moderator.gui.colours import mix
from moderator.gui.text_positions import qt_position

SEVERE_TINT = QColor(220, 50, 47)  # red
MILD_TINT = QColor(147, 112, 219)  # violet: apart from the amber quotes and blue rationale


def lexicon_format(palette: QPalette, severity: Severity, greyscale: bool) -> QTextCharFormat:
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    tint = text if greyscale else (SEVERE_TINT if severity >= Severity.SEVERE else MILD_TINT)
    fmt = QTextCharFormat()
    fmt.setBackground(
        mix(base, tint, (0.22 if greyscale else 0.3) if severity >= Severity.SEVERE else 0.14 if greyscale else 0.22)
    )
    fmt.setUnderlineStyle(
        QTextCharFormat.UnderlineStyle.SingleUnderline if severity >= Severity.SEVERE else QTextCharFormat.UnderlineStyle.DotLine
    )
    fmt.setUnderlineColor(text if greyscale else mix(text, tint, 0.6))
    return fmt


class LexiconHighlighter(QSyntaxHighlighter):
    """Formats the lexicon's matches on a plain-text document, block by block."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        self._ranges: list[tuple[int, int, Severity]] = []  # Qt (UTF-16) positions
        self._formats: dict[Severity, QTextCharFormat] = {}

    def set_style(self, palette: QPalette, greyscale: bool) -> None:
        self._formats = {level: lexicon_format(palette, level, greyscale) for level in (Severity.MILD, Severity.SEVERE)}
        self.rehighlight()

    def set_matches(self, text: str, matches: list[Match]) -> None:
        """Matches of ``text``, the document's text (offsets in characters, as the core counts)."""
        self._ranges = [(qt_position(text, m.start), qt_position(text, m.end), m.severity) for m in matches]
        self.rehighlight()

    def ranges(self) -> list[tuple[int, int, Severity]]:
        return list(self._ranges)

    def highlightBlock(self, text: str) -> None:
        if not self._ranges or not self._formats:
            return
        block = self.currentBlock()
        first, last = block.position(), block.position() + block.length() - 1
        for start, end, level in self._ranges:
            if end <= first or start >= last:
                continue
            a, b = max(start, first), min(end, last)
            self.setFormat(a - first, b - a, self._formats[level])
