"""Which column of a table's header holds what: found by name (``detect_columns``), named by ``--map``
roles (``map_overrides``: they override the guess, the rest is still guessed) or given whole (``ColumnMap``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.comment_bounds import MAX_METADATA_KEYS

# Candidate header names, best first (compared stripped and lower-cased).
TEXT_NAMES = ("text", "comment_text", "comment", "body", "message", "content")
_AUTHOR = ("author", "user", "username", "user_name", "name")
# Stable identifiers first, then URLs, then titles: titles get edited (in the SFU corpus some rows of
# an article carry a " - The Globe and Mail" suffix and others do not), which would split a thread.
_THREAD = ("thread_id", "article_id", "post_id", "thread", "url", "globe_url", "article_url", "title", "article_title")
_COMMENT_ID = ("comment_id", "id")
# Parent ids; the names that may hold the parent's text instead are taken for text when a cell has a space.
_PARENT = (
    "parent_id",
    "parent",
    "reply_to",
    "in_reply_to",
    "parent_comment_id",
    "parent_post_id",
    "parent_comment",
    "parent_post",
)
_PARENTTEXT_NAMES = ("parent_text", "parent_comment_text", "parent_post_text", "parent_body")
_CREATED = ("created_at", "timestamp", "date")
_TITLE = ("title", "article_title")
_URL = ("url", "globe_url", "article_url")
_ARTICLE = ("article", "article_text")


@dataclass
class ColumnMap:
    """Which header column holds what; ``None`` means the file has no such column."""

    text: str | None
    author: str | None = None
    thread: str | None = None  # rows with equal values form one thread; None: the whole file is one thread
    comment_id: str | None = None
    parent: str | None = None  # the parent comment's id
    created_at: str | None = None
    title: str | None = None
    url: str | None = None
    article: str | None = None
    parent_text: str | None = None  # the text of the post replied to (no id): it becomes a context comment
    # Columns of aggregated labels (majority, mean score...) imported as prior labels; None: found by name.
    labels: tuple[str, ...] | None = None


# The single-column fields (``labels`` is a list of columns).
FIELDS = ("text", "author", "thread", "comment_id", "parent", "created_at", "title", "url", "article", "parent_text")
# ``--map`` roles (``options.mapping``) and the ColumnMap field each names; "label" takes "a;b" for several.
ROLES = {
    "text": "text", "author": "author", "thread": "thread", "comment_id": "comment_id", "id": "comment_id",
    "item": "comment_id", "parent": "parent", "parent_id": "parent", "parent_text": "parent_text",
    "created_at": "created_at", "title": "title", "url": "url", "article": "article", "label": "labels", "labels": "labels",
}  # fmt: skip


def detect_columns(header: Sequence[str]) -> ColumnMap:
    """Guess the columns from header names (case and surrounding spaces ignored)."""
    names: dict[str, str] = {}
    for column in header:
        names.setdefault(column.strip().lower(), column)

    def pick(candidates: tuple[str, ...]) -> str | None:
        return next((names[c] for c in candidates if c in names), None)

    return ColumnMap(
        text=pick(TEXT_NAMES),
        author=pick(_AUTHOR),
        thread=pick(_THREAD),
        comment_id=pick(_COMMENT_ID),
        parent=pick(_PARENT),
        parent_text=pick(_PARENTTEXT_NAMES),
        created_at=pick(_CREATED),
        title=pick(_TITLE),
        url=pick(_URL),
        article=pick(_ARTICLE),
    )


def map_overrides(name: str, mapping: dict[str, str]) -> dict[str, Any] | None:
    """``--map`` roles as ColumnMap fields (label: a tuple of columns); an unknown role is refused."""
    if not mapping:
        return None
    fields: dict[str, Any] = {}
    for role, column in mapping.items():
        field = ROLES.get(role.strip().lower())
        if field is None:
            known = ", ".join(sorted(set(ROLES)))
            raise ImportFailure(name, 1, f"--map {role}=…: a table of comments has no such column role (it knows {known})")
        fields[field] = tuple(c.strip() for c in column.split(";") if c.strip()) if field == "labels" else column
    return fields


def columns_of(name: str, line: int, header: list[str], columns: ColumnMap | None, overrides: dict[str, Any] | None) -> ColumnMap:
    if columns is not None:
        return _resolve(name, line, header, columns)
    detected = detect_columns(header)
    if not overrides:
        return detected
    values: dict[str, Any] = {f: getattr(detected, f) for f in FIELDS}
    values["labels"] = None
    for field, wanted in overrides.items():
        if field == "labels":
            values["labels"] = tuple(_find(name, line, header, "label", w) for w in wanted)
            continue
        column = _find(name, line, header, field, wanted)
        for other in FIELDS:
            if values[other] == column:
                values[other] = None  # a column has one role: the one asked for
        values[field] = column
    if values["labels"]:
        roles = {values[f] for f in FIELDS}
        values["labels"] = tuple(c for c in values["labels"] if c not in roles)
    return ColumnMap(**values)


def _find(name: str, line: int, header: list[str], field: str, wanted: str) -> str:
    """The header column ``wanted`` names: exact name first, then ignoring case and spaces."""
    if wanted in header:
        return wanted
    loose = {c.strip().lower(): c for c in reversed(header)}
    if wanted.strip().lower() in loose:
        return loose[wanted.strip().lower()]
    found = listed(header)
    raise ImportFailure(name, line, f"the {field} column {wanted!r} is not in the header; the header has: {found}")


def _resolve(name: str, line: int, header: list[str], columns: ColumnMap) -> ColumnMap:
    """Match an explicit mapping to the header."""
    if not columns.text:
        raise ImportFailure(name, line, "the column mapping names no comment text column")
    resolved: dict[str, Any] = {}
    for field in FIELDS:
        wanted = getattr(columns, field)
        resolved[field] = None if wanted is None else _find(name, line, header, field, wanted)
    if columns.labels is not None:
        resolved["labels"] = tuple(_find(name, line, header, "label", wanted) for wanted in columns.labels)
    return ColumnMap(**resolved)


def listed(header: list[str], shown: int = 50) -> str:
    """The header's columns for a message: the first ``shown`` of a very wide one."""
    listed = ", ".join(repr(c) for c in header[:shown])
    return listed if len(header) <= shown else f"{listed}, … ({len(header):,} columns)"


def kept_columns(name: str, header: list[str], cols: ColumnMap, options: ImportOptions) -> list[int] | None:
    """The columns a row is cut to when the table has more than ``MAX_METADATA_KEYS`` columns besides those
    named (text, author, labels...): these and the first of the others; None, the usual case, for all.
    Decided once from the header, so no row of a very wide table is held whole."""
    named = {header.index(getattr(cols, f)) for f in FIELDS if getattr(cols, f)}
    named |= {header.index(c) for c in cols.labels or ()}
    others = [i for i in range(len(header)) if i not in named]
    if len(others) <= MAX_METADATA_KEYS:
        return None
    options.notes.warnings.append(
        f"{name}: {len(others) - MAX_METADATA_KEYS:,} columns beyond the first {MAX_METADATA_KEYS:,} are not kept "
        "as metadata (nor read for labels)"
    )
    return sorted(named | set(others[:MAX_METADATA_KEYS]))
