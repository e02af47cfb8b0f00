"""Preferences — Keyboard: remap any action of the action table, with live conflict detection.

A conflict does not disable OK. A label schema may itself give an option a key a fixed action already
uses, and the user must still be able to save their other changes; so conflicting rows are marked, the
selected action names the other one, and a banner warns that Qt ignores an ambiguous key (neither
action fires) until one side is changed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from moderator.gui.actions import ActionSpec, conflicts

PORTABLE = QKeySequence.SequenceFormat.PortableText
NATIVE = QKeySequence.SequenceFormat.NativeText
ID_ROLE = Qt.ItemDataRole.UserRole
CONFLICT_COLOR = QColor("#c62828")
COLUMNS = ("Action", "Keys", "Default")


def plain_text(spec: ActionSpec) -> str:
    """Menu text without its mnemonic ampersands."""
    return spec.text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def short_text(spec: ActionSpec) -> str:
    """Text under its group heading: "Toxicity: Toxic" reads "Toxic" below "Toxicity"."""
    text = plain_text(spec)
    prefix = f"{spec.group}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def portable(key: str) -> str:
    return QKeySequence(key).toString(PORTABLE)


def native(keys) -> str:
    """Keys as the platform writes them ("Ctrl+Z", or "⌘Z" on macOS), for display only."""
    return ", ".join(QKeySequence(k).toString(NATIVE) for k in keys if k) or "—"


def clean_keys(keys) -> list[str]:
    """Portable, non-empty, without duplicates: the form stored in settings and compared with defaults."""
    out: list[str] = []
    for key in keys:
        normal = portable(key) if key else ""
        if normal and normal not in out:
            out.append(normal)
    return out


def warning_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # it quotes action texts, which come from the schema
    label.setWordWrap(True)
    label.setStyleSheet(f"color: {CONFLICT_COLOR.name()};")
    return label


class KeyEdit(QKeySequenceEdit):
    """One key chord per edit. Tab and Esc keep their usual meaning so the dialog stays keyboard-driven."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setMaximumSequenceLength(1)
        self.setClearButtonEnabled(True)

    def event(self, e: QEvent) -> bool:
        if e.type() in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride) and not (
            e.modifiers() & ~Qt.KeyboardModifier.ShiftModifier
        ):
            if e.key() == Qt.Key.Key_Escape:
                e.ignore()  # let the dialog cancel
                return False
            if e.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and e.type() == QEvent.Type.KeyPress:
                return QWidget.event(self, e)  # move focus instead of recording Tab
        return super().event(e)

    def key(self) -> str:
        """The chord in portable form; Shift is dropped from symbols it is needed to type ("Shift+?" → "?")."""
        seq = self.keySequence()
        if seq.isEmpty():
            return ""
        combo = seq[0]
        key, mods = combo.key(), combo.keyboardModifiers()
        char = chr(key) if 0x20 < key < 0x110000 else ""  # Qt's codes for printable keys are Unicode
        if mods == Qt.KeyboardModifier.ShiftModifier and char and not char.isalnum():
            return QKeySequence(key).toString(PORTABLE)
        return seq.toString(PORTABLE)


class PreferencesDialog(QDialog):
    def __init__(self, table: tuple[ActionSpec, ...], overrides: dict[str, list[str]], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Preferences — Keyboard")
        self.setObjectName("preferences_dialog")
        self._table = table
        self._specs = {spec.id: spec for spec in table}
        # Current keys of every action in the table; overrides for actions not in it (another schema) are kept.
        self._keys = {spec.id: clean_keys(overrides.get(spec.id, spec.keys)) for spec in table}
        self._foreign = {k: list(v) for k, v in overrides.items() if k not in self._specs}
        self._items: dict[str, QTreeWidgetItem] = {}
        self._extra: list[str] = []  # keys beyond the two editable ones (from settings), kept as they are
        self._conflicts: dict[str, list[str]] = {}  # action id → ids sharing one of its keys

        self.filter = QLineEdit(placeholderText="Filter by action or key…", clearButtonEnabled=True)
        self.filter.setObjectName("filter")
        self.filter.textChanged.connect(self._apply_filter)
        self.tree = QTreeWidget()
        self.tree.setObjectName("actions")
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, 150)
        self._fill_tree()
        self.tree.currentItemChanged.connect(lambda *_: self._show_selected())

        self.selected = QLabel()
        self.selected.setObjectName("selected_action")
        self.selected.setTextFormat(Qt.TextFormat.PlainText)
        self.primary, self.alternative = KeyEdit(), KeyEdit()
        self.primary.setObjectName("primary_key")
        self.alternative.setObjectName("alternative_key")
        for edit in (self.primary, self.alternative):
            edit.keySequenceChanged.connect(lambda *_: self._edited())
            edit.setMaximumWidth(260)
        self.clear_button = QPushButton("&Clear")
        self.reset_button = QPushButton("Reset to &default")
        self.reset_all_button = QPushButton("Reset &all")
        self.clear_button.clicked.connect(lambda: self._set_selected([]))
        self.reset_button.clicked.connect(self._reset_selected)
        self.reset_all_button.clicked.connect(self.reset_all)
        self.message, self.banner = warning_label("conflict_message"), warning_label("conflict_banner")

        form = QFormLayout()
        form.addRow("Action:", self.selected)
        form.addRow("&Key:", self.primary)
        form.addRow("Al&ternative:", self.alternative)
        row = QHBoxLayout()
        row.addWidget(self.clear_button)
        row.addWidget(self.reset_button)
        row.addStretch(1)
        form.addRow("", row)
        form.addRow("", self.message)
        hint = QLabel("Enter on an action (or a click on a key field), then press the new key. Esc cancels.")
        hint.setEnabled(False)  # greyed: a hint, not a control
        form.addRow("", hint)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.reset_all_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        keyboard = QWidget()
        layout = QVBoxLayout(keyboard)
        layout.addWidget(self.filter)
        layout.addWidget(self.tree, 1)
        layout.addLayout(form)
        layout.addWidget(self.banner)
        self.pages = QTabWidget()  # Keyboard first; the window adds others (Wellbeing) with add_page
        self.pages.setObjectName("pages")
        self.pages.addTab(keyboard, "&Keyboard")
        outer = QVBoxLayout(self)
        outer.addWidget(self.pages)
        outer.addWidget(self.buttons)
        self.resize(680, 640)

        self._refresh()
        first = self.tree.topLevelItem(0)
        self.tree.setCurrentItem(first.child(0) if first and first.childCount() else first)
        self.filter.setFocus()  # type to find an action, Enter to reach it
        self.filter.installEventFilter(self)
        self.tree.installEventFilter(self)

    def eventFilter(self, obj, e: QEvent) -> bool:
        """Enter moves on (filter → list → key field) instead of accepting the dialog half-way."""
        if e.type() == QEvent.Type.KeyPress and not (e.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            enter = e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            if obj is self.filter and (enter or e.key() == Qt.Key.Key_Down):
                self.tree.setFocus()
                return True
            if obj is self.tree and enter and self.current_id():
                self.primary.setFocus()
                return True
        return super().eventFilter(obj, e)

    def add_page(self, widget: QWidget, title: str) -> None:
        self.pages.addTab(widget, title)

    def overrides(self) -> dict[str, list[str]]:
        """Only actions whose keys differ from their defaults, so unchanged ones follow the schema."""
        result = dict(self._foreign)
        for spec in self._table:
            keys = self._keys[spec.id]
            if keys != clean_keys(spec.keys):
                result[spec.id] = list(keys)
        return result

    def select(self, action_id: str) -> None:
        self.tree.setCurrentItem(self._items[action_id])

    def current_id(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, ID_ROLE) if item else None

    def keys(self, action_id: str) -> list[str]:
        return list(self._keys[action_id])

    def conflicting(self, action_id: str) -> list[str]:
        """Ids of the other actions sharing a key with this one."""
        return list(self._conflicts.get(action_id, []))

    def reset_all(self) -> None:
        self._keys = {spec.id: clean_keys(spec.keys) for spec in self._table}
        self._foreign = {}
        self._refresh()
        self._show_selected()

    def _fill_tree(self) -> None:
        groups: dict[str, QTreeWidgetItem] = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        for spec in self._table:
            group = groups.get(spec.group)
            if group is None:
                group = groups[spec.group] = QTreeWidgetItem(self.tree, [spec.group])
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading, not selectable
                group.setFont(0, bold)
                group.setFirstColumnSpanned(True)
            item = QTreeWidgetItem(group, [short_text(spec), "", native(spec.keys)])
            item.setData(0, ID_ROLE, spec.id)
            item.setToolTip(0, f"{plain_text(spec)}  ({spec.id})")
            self._items[spec.id] = item
        self.tree.expandAll()

    def _refresh(self) -> None:
        """Redraw keys and conflict marks of every row, and the banner."""
        clashes = conflicts(self._table, self._keys)
        self._conflicts = {}
        for ids in clashes.values():
            for action_id in ids:
                others = self._conflicts.setdefault(action_id, [])
                others.extend(i for i in ids if i != action_id and i not in others)
        warn = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for spec in self._table:
            item = self._items[spec.id]
            keys = self._keys[spec.id]
            item.setText(1, native(keys) if keys else "(none)")
            font = item.font(1)
            font.setBold(keys != clean_keys(spec.keys))  # changed from the default
            item.setFont(1, font)
            others = self._conflicts.get(spec.id)
            if others:
                item.setIcon(1, warn)
                item.setForeground(1, QBrush(CONFLICT_COLOR))
                item.setToolTip(1, "Also used by: " + ", ".join(plain_text(self._specs[o]) for o in others))
            else:
                item.setIcon(1, QIcon())
                item.setData(1, Qt.ItemDataRole.ForegroundRole, None)
                item.setToolTip(1, "")
        n = len(clashes)
        self.banner.setText(
            f"⚠ {n} key{'s are' if n > 1 else ' is'} bound to more than one action (marked in red). "
            "Such a key does nothing until one of its actions gets another key."
            if n
            else ""
        )
        self.banner.setVisible(bool(n))

    def _show_selected(self) -> None:
        action_id = self.current_id()
        enabled = action_id is not None
        for widget in (self.primary, self.alternative, self.clear_button, self.reset_button):
            widget.setEnabled(enabled)
        keys = self._keys.get(action_id, []) if enabled else []
        self._extra = keys[2:]
        self.selected.setText(plain_text(self._specs[action_id]) if enabled else "(select an action)")
        for edit, key in ((self.primary, keys[0] if keys else ""), (self.alternative, keys[1] if len(keys) > 1 else "")):
            edit.blockSignals(True)
            edit.setKeySequence(QKeySequence(key))
            edit.blockSignals(False)
        self._show_message(action_id)

    def _show_message(self, action_id: str | None) -> None:
        lines = []
        for other in self._conflicts.get(action_id, []) if action_id else []:
            shared = [k for k in self._keys[other] if k in self._keys[action_id]]
            lines.append(f"{native(shared)} is also used by “{plain_text(self._specs[other])}” ({self._specs[other].group}).")
        self.message.setText("\n".join(lines))
        self.message.setVisible(bool(lines))

    def _edited(self) -> None:
        self._set_selected([self.primary.key(), self.alternative.key(), *self._extra], refill=False)

    def _set_selected(self, keys: list[str], refill: bool = True) -> None:
        action_id = self.current_id()
        if action_id is None:
            return
        self._keys[action_id] = clean_keys(keys)
        self._refresh()
        if refill:
            self._show_selected()
        else:
            self._show_message(action_id)

    def _reset_selected(self) -> None:
        action_id = self.current_id()
        if action_id is not None:
            self._set_selected(list(self._specs[action_id].keys))

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            group_hit = needle in group.text(0).lower()
            visible = 0
            for c in range(group.childCount()):
                item = group.child(c)
                action_id = item.data(0, ID_ROLE)
                haystack = " ".join((item.toolTip(0), item.text(1), *self._keys[action_id])).lower()
                hidden = bool(needle) and not group_hit and needle not in haystack
                item.setHidden(hidden)
                visible += not hidden
            group.setHidden(visible == 0)
        current = self.tree.currentItem()
        if current is None or current.isHidden():
            match = next((i for i in self._items.values() if not i.isHidden()), None)
            self.tree.setCurrentItem(match)
