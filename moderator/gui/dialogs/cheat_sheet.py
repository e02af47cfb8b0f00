"""The keyboard cheat sheet ("?") and the labelling guidelines (F1), both plain text from the schema.

Schema text is user data: every label is PlainText and the guidelines go into a QPlainTextEdit, so
nothing in a schema file is ever read as HTML.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from moderator.core.schema.definition import LabelSchema
from moderator.gui.actions import ActionSpec, effective_keys
from moderator.gui.dialogs.preferences import NATIVE, short_text
from moderator.gui.widgets import plain_label

# App-level groups a labeller rarely needs go after the labelling keys.
LAST_GROUPS = ("Help", "File", "View")
KIND_HINT = {"ordinal": "pick one", "nominal": "pick one", "multi": "pick any", "spans": "select text first"}
KIND_TEXT = {"ordinal": "pick one (a scale)", "text": "free text", "spans": "select words in the comment"}
KEYCAP = "QLabel#keycap { border: 1px solid palette(mid); border-radius: 3px; padding: 0px 5px; background: palette(base); }"


def balance(sizes: list[int], columns: int) -> list[list[int]]:
    """Split section sizes, in order, into at most ``columns`` runs with the smallest tallest run."""

    def runs(limit: int) -> list[list[int]]:
        out: list[list[int]] = [[]]
        height = 0
        for i, size in enumerate(sizes):
            if out[-1] and height + size > limit:
                out.append([])
                height = 0
            out[-1].append(i)
            height += size
        return out

    limit = max(sizes, default=0)
    while len(runs(limit)) > columns:
        limit += 1
    return runs(limit)


class CheatSheetDialog(QDialog):
    """Every action with its current keys, by group; the label questions with their option keys."""

    def __init__(self, table: tuple[ActionSpec, ...], overrides: dict[str, list[str]], schema: LabelSchema, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Keyboard cheat sheet")
        self.setObjectName("cheat_sheet")
        self.setModal(False)
        self.setStyleSheet(KEYCAP)
        self._table, self._schema = table, schema
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.footer = plain_label("", grey=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.footer)
        # The main window's "?" does not reach this window while it is active, so it closes itself on "?".
        self.toggle = QAction("Close cheat sheet", self)
        self.toggle.triggered.connect(self.close)
        self.addAction(self.toggle)
        self.update_keys(overrides)

    def update_keys(self, overrides: dict[str, list[str]]) -> None:
        """Show these overrides; the main window calls this after Preferences changed keys."""
        self._keys = {spec.id: effective_keys(spec, overrides) for spec in self._table}
        toggle_keys = self._keys.get("help.cheatsheet", ("?",))
        self.toggle.setShortcuts([QKeySequence(k) for k in toggle_keys if k])
        close_with = " or ".join([QKeySequence(k).toString(NATIVE) for k in toggle_keys if k] + ["Esc"])
        prefs = ", ".join(QKeySequence(k).toString(NATIVE) for k in self._keys.get("app.preferences", ()) if k)
        self.footer.setText(f"{close_with} closes this sheet." + (f"  Change keys in Preferences ({prefs})." if prefs else ""))
        self.scroll.setWidget(self._body())
        self._fit()

    def keys_text(self, action_id: str) -> str:
        """The keys shown for an action, as displayed (for tests and screen readers)."""
        return ", ".join(QKeySequence(k).toString(NATIVE) for k in self._keys[action_id] if k)

    def _sections(self) -> list[tuple[str, str, list[ActionSpec]]]:
        hints = {q.label: KIND_HINT.get(q.kind, "") for q in self._schema.questions}
        groups: dict[str, list[ActionSpec]] = {}
        for spec in self._table:
            groups.setdefault(spec.group, []).append(spec)
        order = [g for g in groups if g not in LAST_GROUPS] + [g for g in groups if g in LAST_GROUPS]
        return [(g, hints.get(g, ""), groups[g]) for g in order]

    def _body(self) -> QWidget:
        sections = self._sections()
        sizes = [len(specs) + 2 for _, _, specs in sections]  # heading and the gap after it count as rows
        total = sum(sizes)
        columns = balance(sizes, 3 if total > 36 else 2 if total > 14 else 1)
        body = QWidget()
        row = QHBoxLayout(body)
        row.setSpacing(28)
        for run in columns:
            grid = QGridLayout()
            grid.setHorizontalSpacing(10)
            grid.setVerticalSpacing(3)
            r = 0
            for i in run:
                title, hint, specs = sections[i]
                heading = QHBoxLayout()
                heading.setSpacing(6)
                heading.addWidget(plain_label(title, bold=True))
                if hint:
                    heading.addWidget(plain_label(f"({hint})", grey=True))
                heading.addStretch(1)
                grid.addLayout(heading, r, 0, 1, 2)
                r += 1
                for spec in specs:
                    grid.addWidget(self._keycaps(spec.id), r, 0, Qt.AlignmentFlag.AlignLeft)
                    grid.addWidget(plain_label(short_text(spec)), r, 1)
                    r += 1
                grid.setRowMinimumHeight(r, 8)  # gap between sections
                r += 1
            grid.setRowStretch(r, 1)
            grid.setColumnStretch(1, 1)
            row.addLayout(grid, 1)
        return body

    def _keycaps(self, action_id: str) -> QWidget:
        box = QWidget()
        caps = QHBoxLayout(box)
        caps.setContentsMargins(0, 0, 0, 0)
        caps.setSpacing(3)
        keys = [k for k in self._keys[action_id] if k]
        for key in keys:
            cap = plain_label(QKeySequence(key).toString(NATIVE))
            cap.setObjectName("keycap")
            caps.addWidget(cap)
        if not keys:
            caps.addWidget(plain_label("—", grey=True))
        box.setAccessibleName(self.keys_text(action_id) or "no key")
        return box

    def _fit(self) -> None:
        """As large as the content, but never larger than the screen: then it scrolls."""
        self.ensurePolished()  # the keycap style sheet changes label sizes; measure after it applies
        self.scroll.widget().ensurePolished()
        body, footer = self.scroll.widget().sizeHint(), self.footer.sizeHint()
        m = self.layout().contentsMargins()
        spare = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent) + 4
        width = body.width() + m.left() + m.right() + spare
        height = body.height() + footer.height() + self.layout().spacing() + m.top() + m.bottom() + 4
        screen = self.screen().availableGeometry()
        self.resize(min(width, screen.width() - 40), min(height, screen.height() - 60))


class GuidelinesDialog(QDialog):
    """The schema's general guidelines and each question's guideline, one scrollable plain text."""

    def __init__(self, schema: LabelSchema, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Guidelines — {schema.name}")
        self.setObjectName("guidelines")
        self.setModal(False)
        self.selector = QListWidget()
        self.selector.setObjectName("question_selector")
        self.text = QPlainTextEdit(readOnly=True)
        self.text.setObjectName("guideline_text")
        self.text.document().setDocumentMargin(10)
        self.text.setCenterOnScroll(True)  # lets even the last, short section scroll up to the top
        self.selector.setSpacing(2)
        self._blocks: dict[str, int] = {}  # "" (general) or question id → block number of its heading
        self._write(schema)
        self.selector.currentItemChanged.connect(lambda item, _: item and self._scroll_to(item.data(Qt.ItemDataRole.UserRole)))
        splitter = QSplitter()
        splitter.addWidget(self.selector)
        splitter.addWidget(self.text)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([200, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.resize(860, 580)
        self.selector.setCurrentRow(0)

    def show_question(self, qid: str) -> None:
        """Select a question and scroll its guideline to the top; an unknown id leaves the view as it is."""
        for row in range(self.selector.count()):
            if self.selector.item(row).data(Qt.ItemDataRole.UserRole) == qid:
                self.selector.setCurrentRow(row)
                self._scroll_to(qid)  # also when it was already selected
                return

    def current_question(self) -> str:
        item = self.selector.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def _write(self, schema: LabelSchema) -> None:
        heading, meta, body = QTextCharFormat(), QTextCharFormat(), QTextCharFormat()
        heading.setFontWeight(QFont.Weight.Bold)
        heading.setFontPointSize(self.font().pointSizeF() * 1.3)
        meta.setFontItalic(True)
        cursor = QTextCursor(self.text.document())

        def section(key: str, title: str, lines: list[tuple[str, QTextCharFormat]]) -> None:
            if self._blocks:
                cursor.insertBlock()
                cursor.insertBlock()
            self._blocks[key] = cursor.blockNumber()
            cursor.insertText(title, heading)
            for text, fmt in lines:
                cursor.insertBlock()
                cursor.insertText(text, fmt)
            item = QListWidgetItem(title)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.selector.addItem(item)

        general = [(schema.description, meta)] if schema.description else []
        section("", "General", general + [(schema.guidelines or "(No general guidelines.)", body)])
        for q in schema.questions:
            facts = [KIND_TEXT.get(q.kind) or KIND_HINT.get(q.kind, q.kind), "required" if q.required else "optional"]
            if q.options:
                facts.append("options: " + ", ".join(o.label for o in q.options))
            section(q.id, q.label, [(" · ".join(facts), meta), (q.guideline or "(No guideline.)", body)])

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._scroll_to(self.current_question())  # line numbers depend on the width, known only now

    def _scroll_to(self, key: str) -> None:
        block = self.text.document().findBlockByNumber(self._blocks.get(key, 0))
        self.text.setTextCursor(QTextCursor(block))
        self.text.verticalScrollBar().setValue(block.firstLineNumber())  # the bar counts lines here
