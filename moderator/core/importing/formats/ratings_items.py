"""A ratings table's staged rows (``ratings_rows``) made into comments an item at a time, and into threads.

An item's comment comes from its first row with a text; each of its rows is a rating of one annotator
(given twice: counted once if identical, else the later kept). A thread without reply links is yielded in
parts of ``part`` comments (``ThreadDraft.continues``), each carrying the thread's counts so far; one with
reply links (a ``parent`` or ``parent_text`` column) is yielded whole, once its replies are linked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from moderator.core.importing.drafts import CommentDraft, PriorLabel, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats import label_types as types
from moderator.core.importing.formats.ratings_rows import RatingRows
from moderator.core.importing.linking.reply_tree import PendingThread, link_replies
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.tables import RowTable, parse_time
from moderator.core.progress import Stepped

SOURCE = "ratings"


class Reading(Protocol):
    """What the builder uses of its reading (``ratings_reader.RatingsReader``, which imports this module)."""

    name: str
    stem: str
    roles: dict[str, int]
    table: RowTable
    options: ImportOptions
    profiles: dict[str, tuple[dict[str, Any], int, tuple]]
    on_item: Callable[[str, CommentDraft], None] | None

    def quirk(self, where: int | None, message: str) -> None: ...

    def text_of(self, where: int, cell: Any) -> str: ...

    def in_file_order(self) -> None: ...


# A rating's row as staged (``RatingsReader._stage``): (line, annotator, text, answers, metadata [(key, value)],
# the raw cells of a comment [author, created_at, parent, parent_text; None where the table has none]).
Staged = tuple[int, str, str, dict[str, Any], list[tuple[str, Any]], list[Any]]


class _Thread:
    __slots__ = ("group", "pending", "contexts", "people", "ratings")

    def __init__(self, group: str, draft: ThreadDraft):
        self.group = group
        self.pending = PendingThread(draft)
        self.contexts: dict[str, int] = {}  # parent text → its context comment's index
        self.people: set[str] = set()
        self.ratings = 0


class ItemBuilder:
    """The threads of one reading (``RatingsReader.threads``)."""

    def __init__(self, reader: Reading, questions: list[dict[str, Any]], part: int | None):
        self.reader, self.name, self.stem = reader, reader.name, reader.stem
        self.roles = reader.roles
        self.linked = "parent" in self.roles or "parent_text" in self.roles
        self.part = None if self.linked else part
        self.items = 0
        self.blank = 0  # ratings that answer no label column
        self.schema = {
            "name": f"ratings-{self.stem}",
            "version": 1,
            # Named by the stem, not the file: the same table as CSV or Parquet gives the same schema.
            "description": f'Per-annotator ratings of "{self.stem}", one annotation per rating',
            "guidelines": (
                f'Prior labels imported from a ratings table "{self.stem}": one annotation per rating, by the '
                f'pseudo-annotator "{self.stem}/<annotator id>".'
            ),
            "questions": questions,
        }

    def threads(self, staged: RatingRows, report: Stepped) -> Iterator[ThreadDraft]:
        quirk = self.reader.quirk
        for key, line in staged.untexted():
            quirk(line, f"item {shown(key)} has no text in this row: the rating is left out")
        thread: _Thread | None = None
        done = 0
        for group, key, rows in staged.items():
            if thread is None or group != thread.group:
                if thread is not None:
                    yield self._done(thread, last=True)
                thread = self._thread(group, rows)
            comment = self._item(thread, key, rows)
            if comment is not None and self.reader.on_item is not None:
                self.reader.on_item(key, comment)
            done += len(rows)
            report(done)
            if self.part is not None and len(thread.pending.draft.comments) >= self.part:
                draft = self._done(thread, last=False)
                yield draft
                thread.pending = PendingThread(
                    replace(draft, comments=[], continues=True, metadata=dict(draft.metadata), annotator_profiles={})
                )
        if thread is None:
            raise ImportFailure(self.name, self.reader.table.header_line, "no ratings: no rated item has a text")
        if thread.pending.draft.comments or not thread.pending.draft.continues:
            yield self._done(thread, last=True)
        self.reader.in_file_order()
        notes = self.reader.options.notes
        if self.blank:
            notes.warnings.append(f"{self.name}: {self.blank} rating rows answer no label column; left out")
        notes.items = self.items

    def _thread(self, group: str, rows: list[Staged]) -> _Thread:
        title = f"{self.stem}: {group}" if group else self.stem
        line = next(row[0] for row in rows if row[2].strip())  # the row that makes the first comment
        draft = ThreadDraft(SOURCE, title=title, external_id=group or None, line=line, metadata={"dataset": self.stem})
        return _Thread(group, draft)

    def _done(self, thread: _Thread, last: bool) -> ThreadDraft:
        """The thread (or its part so far) with its schema, its annotators' profiles and the thread's counts."""
        draft = thread.pending.draft
        if last and self.linked:
            link_replies(self.name, thread.pending)
        draft.prior_schema = self.schema
        people = sorted({p.annotator for c in draft.comments for p in c.prior_labels})
        thread.people.update(people)
        thread.ratings += sum(len(c.prior_labels) for c in draft.comments)
        profiles = self.reader.profiles
        draft.annotator_profiles = {p: profiles[p][0] for p in people if p in profiles and profiles[p][0]}
        draft.profile_consent = f"imported:{self.stem}"[:64]
        draft.metadata["ratings"] = thread.ratings
        draft.metadata["annotators"] = len(thread.people)
        return draft

    def _item(self, thread: _Thread, key: str, rows: list[Staged]) -> CommentDraft | None:
        """The item's comment from its first row with a text, its metadata filled from every row, a rating per row."""
        quirk = self.reader.quirk
        comment: CommentDraft | None = None
        rated: dict[str, tuple[int, int]] = {}  # annotator → (index in prior_labels, line)
        warned_empty = warned_text = False
        for where, annotator, text, values, metadata, made_of in rows:
            if comment is None:
                if not text.strip():
                    if not warned_empty:
                        warned_empty = True
                        quirk(where, f"item {shown(key)} has no text in this row: the rating is left out")
                    continue
                comment = self._comment(thread, where, key, text, made_of)
                self.items += 1
            elif not warned_text and text.strip() and text.strip() != comment.text.strip():
                warned_text = True
                quirk(where, f"item {shown(key)} has a different text than on line {comment.line}; the first is kept")
            for field, value in metadata:
                comment.metadata.setdefault(field, value)
            if values:
                self._rate(where, key, annotator, comment, rated, PriorLabel(f"{self.stem}/{annotator}", values))
            else:
                self.blank += 1
        return comment

    def _rate(
        self, where: int, key: str, annotator: str, comment: CommentDraft, rated: dict[str, tuple[int, int]], label: PriorLabel
    ) -> None:
        """Add a rating; a second one by the same annotator is counted once (identical) or replaces the first."""
        before = rated.get(annotator)
        if before is None:
            rated[annotator] = (len(comment.prior_labels), where)
            comment.prior_labels.append(label)
            return
        at, line = before
        said = f"item {shown(key)}: annotator {annotator!r}"
        quirk = self.reader.quirk
        if comment.prior_labels[at].values == label.values:
            quirk(where, f"{said} gave the same rating on line {line}; counted once")
            return
        quirk(where, f"{said} rated it differently on line {line}; the later rating is kept")
        comment.prior_labels[at] = label
        rated[annotator] = (at, where)

    def _comment(self, thread: _Thread, where: int, key: str, text: str, made_of: list[Any]) -> CommentDraft:
        """A new item's comment in its thread; a ``parent_text`` becomes an unrated comment it replies to."""
        roles, reader = self.roles, self.reader
        author_cell, created_cell, parent_cell, context_cell = made_of
        author = types.ident(author_cell) if "author" in roles else None
        created = when(self.name, where, created_cell) if "created_at" in roles else None
        external_id = key if "item" in roles else None  # without an item column, the text is the key
        comment = CommentDraft(text, author=author, external_id=external_id, created_at=created, line=where)
        parent = types.ident(parent_cell) if "parent" in roles else None
        context = reader.text_of(where, context_cell) if "parent_text" in roles else ""
        pending = thread.pending
        if parent is None and context.strip():
            at = thread.contexts.get(context)
            if at is None:
                at = thread.contexts[context] = len(pending.draft.comments)
                replied = CommentDraft(context, line=where, metadata={"context": "the text the rated item replies to"})
                pending.add(self.name, where, replied, None)
            comment.parent_index = at
        pending.add(self.name, where, comment, parent)
        return comment


def shown(key: str) -> str:
    return repr(key if len(key) <= 60 else key[:57] + "...")


def when(name: str, where: int, cell: Any) -> datetime | None:
    """ISO 8601 or unix seconds (as csv reads them); a Parquet timestamp as it is."""
    if isinstance(cell, datetime):
        return cell if cell.tzinfo is None else cell.astimezone(UTC)
    value = types.ident(cell)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError as exc:
        raise ImportFailure(name, where, f"created_at {exc}") from None
