"""The centre of the window: the comment with its thread context, always as plain text."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from moderator.core.labelling import word_steps
from moderator.core.labelling.context import CommentContext, CommentInThread
from moderator.gui.colours import desaturate, mix
from moderator.gui.text_positions import qt_position, text_offset


def _plain_label(object_name: str, word_wrap: bool = True) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # never interpret comment or article text as HTML
    label.setWordWrap(word_wrap)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _plain_box(object_name: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setObjectName(object_name)
    box.setReadOnly(True)
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return box


def _highlight(box: QPlainTextEdit, spans: list[tuple[int, int, QColor]]) -> None:
    text = box.toPlainText()
    selections = []
    for start, end, color in spans:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(box.document())
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        fmt = QTextCharFormat()
        fmt.setBackground(color)
        selection.cursor, selection.format = cursor, fmt
        selections.append(selection)
    box.setExtraSelections(selections)


class CommentView(QWidget):
    QUOTE_COLOR = QColor(255, 214, 102, 110)  # translucent amber, readable on light and dark palettes
    RATIONALE_COLOR = QColor(91, 192, 222, 120)  # translucent blue, distinct from quotes

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = _plain_label("thread_title")
        self._style_title()
        self.dateline = _plain_label("thread_dateline")
        self.article = _plain_box("article_text")
        self.article.setMaximumHeight(120)
        self.parents_caption = _plain_label("parents_caption")
        self.parents = _plain_box("parent_chain")
        self.parents.setMaximumHeight(160)
        self.caption = _plain_label("comment_caption")
        self.text = _plain_box("comment_text")
        self.siblings = _plain_box("siblings")
        self.siblings.setMaximumHeight(180)
        self.siblings.hide()
        layout = QVBoxLayout(self)
        for widget in (self.title, self.dateline, self.article, self.parents_caption, self.parents, self.caption):
            layout.addWidget(widget)
        layout.addWidget(self.text, stretch=1)
        layout.addWidget(self.siblings)

    def _style_title(self) -> None:
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)

    def changeEvent(self, event) -> None:
        if event.type() == QEvent.Type.FontChange:  # Ctrl+plus/minus: the headline scales too
            self._style_title()
        super().changeEvent(event)

    def show_siblings(self, siblings: list[CommentInThread] | None) -> None:
        """Other replies to the same comment (or other top-level comments); None hides the pane."""
        self.siblings.setVisible(siblings is not None)
        if siblings is not None:
            lines = [f"#{s.position + 1} {s.author or 'anonymous'}: {' '.join(s.text.split())}" for s in siblings]
            self.siblings.setPlainText("\n\n".join(lines) or "No other comments at this level.")

    def selected_span(self) -> tuple[int, int] | None:
        """The comment text the annotator has selected, as character offsets, or None."""
        start, end = self._selection()
        return (start, end) if end > start else None

    def _selection(self) -> tuple[int, int]:
        cursor = self.text.textCursor()
        text = self.text.toPlainText()
        return text_offset(text, cursor.selectionStart()), text_offset(text, cursor.selectionEnd())

    def step_selection(self, move: str) -> None:
        """Select words from the keyboard (see core.labelling.word_steps): next, previous, grow, shrink."""
        text = self.text.toPlainText()
        start, end = word_steps.step(text, *self._selection(), move)
        self._set_selection(start, end)

    def _set_selection(self, start: int, end: int) -> None:
        text = self.text.toPlainText()
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(qt_position(text, start))
        cursor.setPosition(qt_position(text, end), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.ensureCursorVisible()

    def collapse_selection(self) -> None:
        """After marking: the caret at the span's end (the next word step goes on from there), so the
        new mark shows instead of the selection that covered it."""
        _, end = self._selection()
        self._set_selection(end, end)

    def show_context(self, ctx: CommentContext, hide_context: bool = False) -> None:
        """The comment in its thread; ``hide_context`` (an experiment's arm) leaves out the article and parent."""
        c = ctx.comment
        self.title.setText(ctx.thread_title or "(untitled thread)")
        self.dateline.setText(ctx.dateline or "")
        self.dateline.setVisible(bool(ctx.dateline))
        self.article.setPlainText(ctx.article)
        self.article.setVisible(bool(ctx.article) and not hide_context)
        self._mark_article_quotes(ctx)
        parent = None if hide_context else ctx.parents[0] if ctx.parents else ctx.named_parent
        self.parents_caption.setVisible(parent is not None)
        self.parents.setVisible(parent is not None)
        if parent is not None:
            who = f"{parent.author or 'an anonymous comment'} (#{parent.position + 1})"
            # A reply the source did not link, found by the name it addresses: said so, not presented as fact.
            self.parents_caption.setText(f"In reply to {who}:" if ctx.parents else f"Names {who}, probably replying to:")
            self.parents.setPlainText(parent.text)
            quoted = [
                (q.source_start, q.source_end)
                for q in ctx.quotes
                if q.source_comment_id == parent.id and q.source_start is not None and q.source_end is not None
            ]
            _highlight(self.parents, [(a, b, self.QUOTE_COLOR) for a, b in quoted])
        marked = f" · marked {c.source_status} by the source" if c.source_status else ""
        self.caption.setText(f"Comment #{c.position + 1} by {c.author or 'anonymous'}{marked}")
        self.siblings.hide()
        self.text.setPlainText(c.text)
        self._quotes = [(q.start, q.end, self.QUOTE_COLOR) for q in ctx.quotes]
        _highlight(self.text, self._quotes)

    def _mark_article_quotes(self, ctx: CommentContext) -> None:
        """The words of the article this comment quotes, marked in the article too, the first in sight."""
        quoted = [
            (q.source_start, q.source_end, self.QUOTE_COLOR)
            for q in ctx.quotes
            if q.source == "article" and q.source_start is not None and q.source_end is not None
        ]
        _highlight(self.article, quoted)
        if quoted:
            cursor = QTextCursor(self.article.document())
            cursor.setPosition(qt_position(self.article.toPlainText(), quoted[0][0]))
            self.article.setTextCursor(cursor)
            self.article.centerCursor()

    # Greyscale marks: this share of the text's colour over the background, so a mark stands out from
    # the page on light and dark palettes alike (the amber, merely desaturated, was near-white on white).
    GREY_SHARES = {"QUOTE_COLOR": 0.22, "RATIONALE_COLOR": 0.40}

    def set_greyscale(self, on: bool) -> None:
        """Wellbeing: quote and rationale marks in shades of grey, told apart by lightness."""
        base, text = self.text.palette().color(QPalette.ColorRole.Base), self.text.palette().color(QPalette.ColorRole.Text)
        for name, share in self.GREY_SHARES.items():
            setattr(self, name, desaturate(mix(base, text, share)) if on else getattr(CommentView, name))

    def show_rationale(self, spans: list[dict]) -> None:
        """Mark the annotator's rationale spans beside the quote spans."""
        marks = [(s["start"], s["end"], self.RATIONALE_COLOR) for s in spans]
        _highlight(self.text, getattr(self, "_quotes", []) + marks)
