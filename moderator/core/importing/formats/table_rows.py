"""A staged row of a table as its comment, by what the first pass over the table found (``Table``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.formats.table_labels import TableLabels
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.sources.tables import parse_time

SOURCE = "csv"  # the importer's name (``csv_table.NAME``): every draft's source


@dataclass
class Table:
    """What the first pass over a table found: how to make each staged row a comment."""

    name: str
    stem: str
    index: dict[str, int | None]
    extra: list[tuple[int, str]]  # (column, metadata key) kept in each comment's metadata
    merge: bool  # rows that repeat one comment become one (nothing tells them apart)
    labels: TableLabels | None  # None: the table has no label column
    rows: int  # rows with text
    rated: bool = False  # the header has an annotator column: a ratings table, if ids repeat


def thread_draft(table: Table, key: str, line: int) -> ThreadDraft:
    """The draft of thread ``key`` (one with no thread column is titled by the file), starting on ``line``."""
    return ThreadDraft(source=SOURCE, external_id=key or None, line=line, title=None if key else table.stem)


def row_comment(table: Table, line: int, row: list[str], bound: MetadataBound) -> CommentDraft:
    """A row as its comment, without its place in the thread."""
    index = table.index
    return CommentDraft(
        row[index["text"]],
        author=cell(row, index["author"]),
        external_id=cell(row, index["comment_id"]),
        created_at=row_time(table.name, line, row, index["created_at"], None),
        metadata=bound({key: row[i] for i, key in table.extra}),
        line=line,
        prior_labels=table.labels.row(line, row) if table.labels is not None else [],
    )


def row_labels(table: Table, bound: MetadataBound, line: int, row: list[str]) -> list[PriorLabel]:
    """A repeated row's labels (made as its comment is, so the metadata bound counts it as read whole)."""
    return row_comment(table, line, row, bound).prior_labels


def cell(row: list[str], at: int | None) -> str | None:
    """The cell stripped; None for no column or a blank cell."""
    if at is None:
        return None
    return row[at].strip() or None


def row_time(name: str, line: int, row: list[str], at: int | None, options: ImportOptions | None) -> datetime | None:
    """ISO 8601 or unix seconds; an offset or epoch gives aware UTC, a naive ISO time stays naive.

    Anything else is a quirk: left out with a warning (``--strict``: the file is refused); ``options``
    None: left out quietly (warned about when the row was first read).
    """
    value = cell(row, at)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        if options is not None:
            options.quirk(name, line, f"created_at {exc}; left out")
        return None
