"""Whether a long table's threads can be built and written a part at a time, and what that needs from disk.

A part is built from its own rows alone when nothing in a row refers to another row. Otherwise the whole
thread's links are found on disk first: the rows that repeat an earlier one, when nothing tells rows apart
(``RowRepeats``); where each reply's parent is, by parent id (``ParentRows``) or by parent text
(``TextLinks``, which also places the context comments). A table linked by parent ids, or by none, that cannot
be linked so (a comment id twice in a thread, a comment its own parent, a reply cycle) is refused here, at the row
that reading it whole would refuse, found on disk (``table_refusals``), as is one linked by parent texts that gives an
id twice or whose parent texts form a cycle. Parent ids in a table without comment ids name no row: its replies are
orphans. One with both parent ids and parent texts is planned as by texts, a row with a parent id replying by it,
and refused so too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.table_parents import ParentRows
from moderator.core.importing.formats.table_refusals import (
    first_duplicate,
    first_own,
    first_text_refusal,
    first_twice,
    first_unlinked,
)
from moderator.core.importing.formats.table_repeats import Labels, RowRepeats
from moderator.core.importing.formats.table_rows import Table, cell, row_comment, thread_draft
from moderator.core.importing.formats.table_text_links import Context, TextLinks
from moderator.core.importing.sources.comment_bounds import MetadataBound
from moderator.core.importing.sources.spill import Spill


@dataclass
class PartPlan:
    """How the threads of a long table are read a part at a time."""

    spill: Spill
    parents: ParentRows | None = None  # where each row's parent is (by id, or ``texts.parents``)
    repeats: RowRepeats | None = None  # the rows to merge into an earlier one, left out of the threads
    texts: TextLinks | None = None  # the threads' entries when replies name their parent by text

    def threads(self) -> Iterator[tuple[str, int, int, Iterator[tuple[int, Any]]]]:
        """As ``Spill.lazy_threads``: a thread at a time, its rows (and contexts) read as they are asked for."""
        return (self.texts or self.repeats or self.spill).lazy_threads()

    def merge(self, name: str, comments: list[CommentDraft], labels: Labels) -> int:
        """Give the part just built (``comments``) the rows that repeat its rows; how many there were."""
        if self.repeats is None:
            return 0
        taken = self.texts.take() if self.texts is not None else self.repeats.take()
        return self.repeats.merge(name, comments, labels, taken)

    def close(self) -> None:
        if self.texts is not None:
            self.texts.close()
        elif self.parents is not None:
            self.parents.close()


def plan_parts(table: Table, spill: Spill, part: int) -> PartPlan | None:
    """The plan for a table longer than a ``part`` whose threads can be linked from disk; else None."""
    index = table.index
    thread_at, text_at, ids = index["thread"], index["text"], index["comment_id"]
    assert text_at is not None
    if table.rows <= part:
        return None
    if index["parent"] is not None:
        if index["parent_text"] is not None:
            return _by_ids_and_texts(table, spill)
        if ids is None:  # a parent id names no row: every reply is an orphan (the rows that repeat one merged)
            return PartPlan(spill, repeats=_repeats(table, spill) if table.merge else None)
        rows = ((_key(row, thread_at), cell(row, ids), cell(row, index["parent"]), line) for line, row in spill.items())
        parents = ParentRows(rows)
        if parents.linkable():
            return PartPlan(spill, parents=parents)
        try:
            _refuse(first_unlinked(table.name, spill, parents))
        finally:
            parents.close()
        return None
    if not table.merge and not _distinct_ids(table, spill):
        if index["parent_text"] is None:
            _refuse(first_duplicate(table.name, spill, thread_at, ids))
        else:
            twice = first_twice(spill, thread_at, ids)
            _refuse_texts(table, TextLinks(spill, spill.numbered(), thread_at, text_at, index["parent_text"]), twice)
        return None  # (nothing found on disk: reading the threads whole settles it)
    repeats = _repeats(table, spill) if table.merge else None
    if index["parent_text"] is None:
        return PartPlan(spill, repeats=repeats)
    kept = repeats.kept() if repeats is not None else spill.numbered()
    texts = TextLinks(spill, kept, thread_at, text_at, index["parent_text"])
    if texts.linkable():
        return PartPlan(spill, parents=texts.parents, repeats=repeats, texts=texts)
    _refuse_texts(table, texts, None)
    return None


def linked_part(
    table: Table, key: str, rows: list[tuple[int, Any]], bound: MetadataBound, plan: PartPlan,
    of_rows: Iterator[tuple[int | None, int | None]], first: int, orphans: int, labels: Labels,
) -> tuple[ThreadDraft, int, int]:  # fmt: skip
    """The part of a thread whose rows (or contexts: ``TextLinks``) start at index ``first``: a reply to an
    earlier part's comment names it by ``parent_before``; a reply to a later part's is linked when that part is
    written (``replies_before``); its comments take their repeats (``PartPlan.merge``), then its orphans are
    marked, as reading the thread whole merges and then links; the thread's orphans so far go in its metadata.
    Returns the part, the orphans so far and how many repeats were merged."""
    draft = thread_draft(table, key, rows[0][0])
    parent_at, parents = table.index["parent"], plan.parents
    assert parents is not None
    until = first + len(rows)
    replied = parents.replies_before(key, first, until) if parents.forward else {}
    missing: list[tuple[CommentDraft, str]] = []
    for k in range(len(rows)):
        line, row = rows[k]
        rows[k] = None  # type: ignore[call-overload]
        if isinstance(row, Context):
            comment, parent = CommentDraft(row.text, metadata={"context": True}, line=line), None
        else:
            comment, parent = row_comment(table, line, row, bound), cell(row, parent_at)
        at, comment.depth = next(of_rows)
        if parent is not None and at is None:
            missing.append((comment, parent))
        elif at is not None and first <= at < until:
            comment.parent_index = at - first
        elif at is not None and at < first:
            comment.parent_before = at
        comment.replies_before = replied.get(first + k)
        draft.comments.append(comment)
    merged = plan.merge(table.name, draft.comments, labels)
    for comment, parent in missing:
        comment.metadata["missing_parent_id"] = parent
    orphans += len(missing)
    if orphans:
        draft.metadata["orphans"] = orphans
    return draft, orphans, merged


def _by_ids_and_texts(table: Table, spill: Spill) -> PartPlan | None:
    """A table whose replies name their parent by id or, without one, by its text (``TableThread.add``): planned as
    by texts alone, a row with a parent id replying to the row with that id; refused, as read whole, for an id twice
    in a thread, a comment its own parent or a cycle."""
    index = table.index
    distinct = _distinct_ids(table, spill)
    repeats = _repeats(table, spill) if table.merge else None
    kept = repeats.kept() if repeats is not None else spill.numbered()
    texts = TextLinks(spill, kept, index["thread"], index["text"], index["parent_text"], index["comment_id"], index["parent"])
    if distinct and texts.linkable():
        return PartPlan(spill, parents=texts.parents, repeats=repeats, texts=texts)
    twice = None if distinct else first_twice(spill, index["thread"], index["comment_id"])
    _refuse_texts(table, texts, twice, first_own(texts))
    return None


def _repeats(table: Table, spill: Spill) -> RowRepeats:
    """The rows to merge into an earlier one: same text, author and parent (by text, or by an id naming no row)."""
    index = table.index
    return RowRepeats(spill, index["thread"], index["text"], index["author"], index["parent_text"], index["parent"])


def _refuse(failure: ImportFailure | None) -> None:
    """Raise ``failure`` (None: none found on disk, and reading the threads whole settles it)."""
    if failure is not None:
        raise failure


def _refuse_texts(table: Table, texts: TextLinks, twice: tuple | None, own: tuple | None = None) -> None:
    """Refuse a table linked by parent texts where reading it whole would: ``twice`` (``first_twice``), ``own``
    (``first_own``) or a cycle."""
    try:
        _refuse(first_text_refusal(table.name, texts, table.index["comment_id"], twice, own))
    finally:
        texts.close()


def rows_in(rows: list[tuple[int, Any]]) -> int:
    """How many of a part's entries are rows of the file (not contexts)."""
    return sum(not isinstance(row, Context) for _, row in rows)


def _key(row: list[str], thread_at: int | None) -> str:
    return row[thread_at].strip() if thread_at is not None else ""


def _distinct_ids(table: Table, spill: Spill) -> bool:
    """Whether no comment id repeats within a thread (true with no id column)."""
    ids, thread_at = table.index["comment_id"], table.index["thread"]
    if ids is None:
        return True
    keys = (f"{_key(row, thread_at)}\0{row[ids].strip()}" for _, row in spill.items())
    return spill.distinct(k for k in keys if not k.endswith("\0"))
