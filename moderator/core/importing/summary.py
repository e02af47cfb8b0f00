"""What one import did, for the user: counts, warnings, and a one-line description."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportSummary:
    path: str
    format: str
    batch_id: int | None = None
    already_imported: bool = False
    threads_added: int = 0
    threads_existing: int = 0
    comments_added: int = 0
    comments_skipped: int = 0
    orphans: int = 0
    labels_added: int = 0  # prior labels carried by the source, stored as annotations
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        def n(count: int, noun: str, plural: str | None = None) -> str:
            return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"

        if self.already_imported:
            return f"{self.path}: already imported (batch {self.batch_id}); nothing added"
        text = (
            f"{self.path} ({self.format}): {n(self.comments_added, 'comment')} in {n(self.threads_added, 'new thread')}"
            + (f", {n(self.threads_existing, 'existing thread')}" if self.threads_existing else "")
            + (f"; {self.comments_skipped} already present" if self.comments_skipped else "")
            + (f"; {n(self.labels_added, 'prior label')}" if self.labels_added else "")
            + (
                f"; {n(self.orphans, 'reply', 'replies')} whose parent is missing kept, attached to the thread root"
                if self.orphans
                else ""
            )
        )
        return text
