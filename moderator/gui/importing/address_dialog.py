"""File → Open address…: the address of a thread (prefilled from the clipboard) and how to read it.

Enter opens, Esc cancels. An address typed without ``https://`` (``www.example.com/news/1``) gets it.
"""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout, QWidget

from moderator.core.fetching.addresses import host_of, is_address
from moderator.gui.widgets import plain_label

# What the format box offers: (shown, the core's fmt)
FORMATS = (("Automatic", "auto"), ("Reddit", "reddit"), ("Hacker News", "hackernews"), ("Web page", "page"))
HINT = "A Reddit thread, a Hacker News item, or a news article's page."


def normalised(text: str) -> str:
    """The address as typed, trimmed, with ``https://`` before a bare host (``www.example.com/a``)."""
    text = text.strip()
    if text and not is_address(text) and "://" not in text and "." in text.split("/", 1)[0] and " " not in text:
        text = "https://" + text
    return text


def valid(text: str) -> bool:
    address = normalised(text)
    return is_address(address) and bool(host_of(address)) and not any(ch.isspace() for ch in address)


def clipboard_address() -> str:
    """The clipboard's text if it is one http(s) address, else ""."""
    text = QGuiApplication.clipboard().text().strip()
    return text if is_address(text) and valid(text) else ""


class AddressDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, address: str = "", fmt: str = "auto"):
        super().__init__(parent)
        self.setObjectName("open_address_dialog")
        self.setWindowTitle("Open address")
        self.address_edit = QLineEdit(address)
        self.address_edit.setObjectName("address")
        self.address_edit.setPlaceholderText("https://www.reddit.com/r/…/comments/…  or any news article")
        self.address_edit.setClearButtonEnabled(True)
        self.address_edit.setMinimumWidth(520)
        self.format_box = QComboBox()
        self.format_box.setObjectName("address_format")
        for label, value in FORMATS:
            self.format_box.addItem(label, value)
        self.set_format(fmt)
        self.format_box.setToolTip("Automatic tells Reddit and Hacker News by the address; any other page is read as a web page")
        hint = plain_label(HINT, grey=True)
        hint.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.addButton("Open", QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setDefault(True)  # Enter opens, from the address and the format box alike
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Address:", self.address_edit)
        form.addRow("", hint)
        form.addRow("&Read as:", self.format_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.address_edit.textChanged.connect(self._update)
        self.address_edit.selectAll()
        self.address_edit.setFocus()
        self._update()

    def address(self) -> str:
        return normalised(self.address_edit.text())

    def fmt(self) -> str:
        return self.format_box.currentData()

    def set_format(self, fmt: str) -> None:
        self.format_box.setCurrentIndex(max(0, self.format_box.findData(fmt)))

    def accept(self) -> None:
        if valid(self.address_edit.text()):  # Enter on an empty or broken address does nothing
            super().accept()

    def _update(self) -> None:
        self.open_button.setEnabled(valid(self.address_edit.text()))
