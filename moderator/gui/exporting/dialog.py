"""What File → Export… writes (format, level, a dataset card) and where; the dialog writes nothing.

The destination's extension follows the format, and a file chosen with an extension of another format
switches the format. ``_ask_path`` and ``_confirm_replace`` are module functions so that tests can
stand in for the platform's dialogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)  # fmt: skip

from moderator.core.export.records import LEVELS
from moderator.core.export.writer import FORMATS

FORMAT_NAMES = {"jsonl": "JSONL", "csv": "CSV", "parquet": "Parquet"}
FILTERS = {"jsonl": "JSON Lines (*.jsonl)", "csv": "CSV (*.csv)", "parquet": "Parquet (*.parquet)"}
LEVEL_NAMES = {"comment": "One record per comment", "annotation": "One record per annotation"}
DATABASE_SUFFIXES = {".sqlite", ".sqlite3", ".db"}


@dataclass(frozen=True)
class ExportChoice:
    path: Path
    fmt: str
    level: str
    card: bool
    keep_annotators: bool = False  # names instead of pseudonymous ids (pseudonyms by default)
    scrub: bool = True  # personal data in the texts becomes placeholders (core.export.scrub)


def extension(fmt: str) -> str:
    return "." + fmt


def default_name(project_name: str, fmt: str) -> str:
    """``project.sqlite`` → ``project.jsonl``; a server's ``database@host`` → ``database.jsonl``."""
    base = project_name.split("@", 1)[0]
    if Path(base).suffix.lower() in DATABASE_SUFFIXES:
        base = Path(base).stem
    stem = re.sub(r"[^\w.-]+", "_", base).strip("._") or "export"
    return stem + extension(fmt)


def default_folder() -> Path:
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


def _ask_path(parent: QWidget, start: str, fmt: str) -> str:
    """The platform's Save dialog (it asks before replacing a file); "" when cancelled."""
    filters = ";;".join([FILTERS[fmt], *(FILTERS[f] for f in FORMATS if f != fmt), "All files (*)"])
    path, _ = QFileDialog.getSaveFileName(parent, "Export to", start, filters, FILTERS[fmt])
    return path


def _confirm_replace(parent: QWidget, path: Path) -> bool:
    """Asked only for a typed path: the Save dialog has asked already."""
    answer = QMessageBox.question(parent, "Export", f"{path} exists. Replace it?")
    return answer == QMessageBox.StandardButton.Yes


class ExportDialog(QDialog):
    def __init__(self, project_name: str, parent: QWidget | None = None, folder: Path | None = None):
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export")
        self._folder = folder or default_folder()
        self._confirmed: Path | None = None  # replacing it was agreed in the Save dialog
        self._choice: ExportChoice | None = None

        self.format_box = QComboBox()
        self.format_box.setObjectName("export_format")
        for fmt in FORMATS:
            self.format_box.addItem(FORMAT_NAMES.get(fmt, fmt), fmt)
        self.level_box = QComboBox()
        self.level_box.setObjectName("export_level")
        for level in LEVELS:
            self.level_box.addItem(LEVEL_NAMES.get(level, level.capitalize()), level)
        self.card_box = QCheckBox("Write a dataset &card (README.md) beside it")
        self.card_box.setObjectName("export_card")
        self.card_box.setChecked(True)
        self.names_box = QCheckBox("Keep annotators' &names (pseudonymous ids otherwise)")
        self.names_box.setObjectName("export_keep_annotators")
        self.scrub_box = QCheckBox("Scrub &personal data (e-mails, IPs, phone numbers, user names)")
        self.scrub_box.setObjectName("export_scrub")
        self.scrub_box.setChecked(True)
        self.path_edit = QLineEdit(str(self._folder / default_name(project_name, self.fmt)))
        self.path_edit.setObjectName("export_path")
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setObjectName("export_browse")
        self.browse_button.setAutoDefault(False)  # Enter exports, it never opens the Save dialog

        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = self.button_box.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("export_ok")
        self.export_button.setDefault(True)
        self.button_box.button(QDialogButtonBox.StandardButton.Cancel).setAutoDefault(False)  # Esc cancels

        self.format_box.currentIndexChanged.connect(self._format_changed)
        self.browse_button.clicked.connect(self.browse)
        self.path_edit.textChanged.connect(self._path_edited)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self._build()
        self.format_box.setFocus()

    def _build(self) -> None:
        where = QHBoxLayout()
        where.addWidget(self.path_edit, stretch=1)
        where.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("&Format:", self.format_box)  # the label's mnemonic focuses its field
        form.addRow("&Level:", self.level_box)
        form.addRow("&Save to:", where)
        form.labelForField(where).setBuddy(self.path_edit)
        form.addRow("", self.card_box)
        form.addRow("", self.names_box)
        form.addRow("", self.scrub_box)
        main = QVBoxLayout(self)
        main.addLayout(form)
        main.addWidget(self.button_box)
        self.resize(560, self.sizeHint().height())

    # ----------------------------------------------------------------------------------- choices

    @property
    def fmt(self) -> str:
        return self.format_box.currentData()

    def set_format(self, fmt: str) -> None:
        self.format_box.setCurrentIndex(self.format_box.findData(fmt))

    def set_level(self, level: str) -> None:
        self.level_box.setCurrentIndex(self.level_box.findData(level))

    def choice(self) -> ExportChoice | None:
        """What to write, once the dialog was accepted; else None."""
        return self._choice

    def browse(self) -> None:
        path = _ask_path(self, self.path_edit.text(), self.fmt)
        if not path:
            return
        chosen = Path(path)
        suffix = chosen.suffix.lower()
        if suffix in {extension(f) for f in FORMATS}:
            self.set_format(suffix[1:])  # the extension picked in the Save dialog picks the format
        else:
            chosen = chosen.with_name(chosen.name + extension(self.fmt))
        self.path_edit.setText(str(chosen))
        self._confirmed = chosen

    def _format_changed(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            return
        path = Path(text)
        if path.suffix.lower() in {extension(f) for f in FORMATS}:
            self.path_edit.setText(str(path.with_suffix(extension(self.fmt))))

    def _path_edited(self, text: str) -> None:
        self.export_button.setEnabled(bool(text.strip()))

    def _destination(self) -> Path:
        path = Path(self.path_edit.text().strip()).expanduser()
        if not path.is_absolute():
            path = self._folder / path
        if not path.suffix:
            path = path.with_name(path.name + extension(self.fmt))
        return path

    def accept(self) -> None:
        if not self.path_edit.text().strip():
            return
        path = self._destination()
        if path.exists() and path != self._confirmed and not _confirm_replace(self, path):
            return
        self._choice = ExportChoice(path, self.fmt, self.level_box.currentData(), self.card_box.isChecked(),
                                    self.names_box.isChecked(), self.scrub_box.isChecked())  # fmt: skip
        super().accept()
