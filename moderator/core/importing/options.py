"""What the person importing asked for, and what an importer noticed on the way.

Every importer's ``parse`` takes ``options``: ``strict`` turns a quirk of one item (a rating given twice,
say) from a warning into the file's refusal, ``mapping`` names columns explicitly (``--map
item=…,text=…`` or a small TOML file), and ``notes`` collects, per source, the warnings and what became
what (columns kept as metadata, columns ignored, source items) for the import's summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from moderator.core.importing.errors import ImportFailure


@dataclass
class ImportNotes:
    warnings: list[str] = field(default_factory=list)
    metadata_columns: list[str] = field(default_factory=list)  # source columns kept in each comment's metadata
    ignored_columns: list[str] = field(default_factory=list)  # source columns left out
    items: int | None = None  # source items when they are not one per comment (e.g. one per rated text)


@dataclass
class ImportOptions:
    strict: bool = False
    mapping: dict[str, str] = field(default_factory=dict)  # role (item, text, annotator, …) → column
    notes: ImportNotes = field(default_factory=ImportNotes)

    def quirk(self, path: str, line: int | None, message: str) -> None:
        """A flaw in one item that need not sink the file: a warning, or with ``strict`` its refusal."""
        if self.strict:
            raise ImportFailure(path, line, f"{message} (refused: --strict)")
        where = f"{path}:{line}" if line is not None else path
        self.notes.warnings.append(f"{where}: {message}")

    def fresh(self) -> ImportOptions:
        """The same choices with empty notes, for the next source."""
        return ImportOptions(self.strict, dict(self.mapping))
