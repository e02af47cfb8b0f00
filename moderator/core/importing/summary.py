"""What one import did, for the user: counts, what became what, warnings, and a description."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.options import ImportNotes

SHOWN_WARNINGS = 10  # the description lists this many warnings, then counts the rest


def _n(count: int, noun: str, plural: str | None = None) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"


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
    # What became what (from the drafts and the importer's notes):
    items: int | None = None  # source items, when not one per comment
    annotators: int = 0  # distinct annotators of the prior labels
    labels_by_question: dict[str, int] = field(default_factory=dict)  # prior answers per question
    metadata_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def counting_labels(self, drafts: Iterable[ThreadDraft]) -> Iterator[ThreadDraft]:
        """The drafts as they come, their prior labels' annotators and answers per question counted on the way."""
        people: set[str] = set()
        answers: Counter[str] = Counter()
        for draft in drafts:
            for comment in draft.comments:
                for label in comment.prior_labels:
                    people.add(label.annotator)
                    answers.update(q for q, v in label.values.items() if v not in (None, "", []))
            yield draft
        self.annotators, self.labels_by_question = len(people), dict(answers)

    def take_notes(self, notes: ImportNotes) -> None:
        self.warnings += notes.warnings
        self.metadata_columns, self.ignored_columns, self.items = notes.metadata_columns, notes.ignored_columns, notes.items

    def describe(self) -> str:
        if self.already_imported:
            return f"{self.path}: already imported (batch {self.batch_id}); nothing added"
        text = (
            f"{self.path} ({self.format}): "
            + (f"{_n(self.items, 'item')} → " if self.items is not None else "")
            + f"{_n(self.comments_added, 'comment')} in {_n(self.threads_added, 'new thread')}"
            + (f", {_n(self.threads_existing, 'existing thread')}" if self.threads_existing else "")
            + (f"; {self.comments_skipped} already present" if self.comments_skipped else "")
            + (f"; {_n(self.labels_added, 'prior label')}" if self.labels_added else "")
            + (f" by {_n(self.annotators, 'annotator')}" if self.labels_added and self.annotators else "")
            + (
                f"; {_n(self.orphans, 'reply', 'replies')} whose parent is missing kept, attached to the thread root"
                if self.orphans
                else ""
            )
        )
        lines = [text]
        if self.labels_by_question:
            lines.append("  answers per question: " + ", ".join(f"{q} {n}" for q, n in self.labels_by_question.items()))
        if self.metadata_columns:
            lines.append("  kept as metadata: " + ", ".join(self.metadata_columns))
        if self.ignored_columns:
            lines.append("  ignored: " + ", ".join(self.ignored_columns))
        if self.warnings:
            lines.append(f"  {_n(len(self.warnings), 'warning')}:")
            lines += [f"    {w}" for w in self.warnings[:SHOWN_WARNINGS]]
            if len(self.warnings) > SHOWN_WARNINGS:
                lines.append(f"    … and {len(self.warnings) - SHOWN_WARNINGS} more")
        return "\n".join(lines)
