"""A thread's comments from the rows of a table: parents given by text, and rows that repeat one comment.

* A parent id links a row to the comment with that id in the same thread (``PendingThread``).
* A parent TEXT (the post a row replies to, as datasets of replies in context give it) links the row
  to the thread's comment with that text: an earlier row with that text, else a context comment made
  for it, once per distinct text in the thread (``metadata["context"] = True``, no author, no labels),
  just before its first reply. A later row with that very text is that post: it takes the context
  comment's place (its author, id, labels...), so the post is not there twice.
* A row that repeats an earlier row of its thread (same text, author and parent) when nothing tells
  rows apart (no comment id column) is the same comment: it is merged into the first one, its prior
  labels added to it, and the line is listed in ``metadata["merged_lines"]``. A repeat whose label
  differs from the first row's is a quirk (a warning; ``--strict`` refuses the file).
"""

from __future__ import annotations

from collections.abc import Callable

from moderator.core.importing.drafts import CommentDraft, PriorLabel
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.linking.reply_tree import PendingThread
from moderator.core.importing.options import ImportOptions

Quirk = Callable[[str, int, str], None]  # (path, line, message), as ``ImportOptions.quirk``


class TableThread:
    __slots__ = ("pending", "merge", "rows", "texts", "contexts", "merged")

    def __init__(self, pending: PendingThread, merge: bool):
        self.pending = pending
        self.merge = merge
        # row identity -> comment index (only when rows may be merged: a dict of every row's key costs memory)
        self.rows: dict[tuple[str, str | None, str | None, str | None], int] = {}
        self.texts: dict[str, int] = {}  # text -> index of the first row's comment with it
        self.contexts: dict[str, int] = {}  # parent text -> its context comment, until a row has that text
        self.merged: list[int] = []  # lines of rows merged into an earlier one

    def add(
        self, name: str, line: int, comment: CommentDraft, parent_id: str | None, parent_text: str | None,
        options: ImportOptions,
    ) -> None:  # fmt: skip
        pending = self.pending
        comments = pending.draft.comments
        key = (comment.text, comment.author, parent_id, parent_text) if self.merge else None
        if key is not None and comment.external_id is None and key in self.rows:
            self._merge(name, line, comments[self.rows[key]], comment.prior_labels, options)
            return
        parent = None
        if parent_id is None and parent_text and parent_text != comment.text:
            parent = self.texts.get(parent_text, self.contexts.get(parent_text))
            if parent is None:
                parent = self.contexts[parent_text] = len(comments)
                pending.add(name, line, CommentDraft(parent_text, metadata={"context": True}, line=line), None)
        at = self.contexts.pop(comment.text, None)
        if at is None:
            comment.parent_index = parent
            pending.add(name, line, comment, parent_id)
            at = len(comments) - 1
        else:
            self._take_place(name, line, at, comment, parent_id, parent)
        if key is not None:
            self.rows.setdefault(key, at)
        self.texts.setdefault(comment.text, at)

    def _take_place(
        self, name: str, line: int, at: int, comment: CommentDraft, parent_id: str | None, parent: int | None
    ) -> None:
        """The row is the post earlier rows replied to: it becomes their context comment."""
        pending = self.pending
        ext = comment.external_id
        if ext is not None:
            first = pending.ids.get(ext)
            if first is not None:
                raise ImportFailure(
                    name, line, f"duplicate comment id {ext!r} in this thread (first on line {pending.lines[first]})"
                )
            if parent_id == ext:
                raise ImportFailure(name, line, f"comment {ext!r} is its own parent")
            pending.ids[ext] = at
        comment.parent_index = parent
        pending.draft.comments[at] = comment
        pending.parents[at] = parent_id
        pending.lines[at] = line

    def _merge(self, name: str, line: int, first: CommentDraft, labels: list[PriorLabel], options: ImportOptions) -> None:
        self.merged.append(line)
        merge_row(name, line, first, labels, options.quirk)


def merge_row(name: str, line: int, first: CommentDraft, labels: list[PriorLabel], quirk: Quirk) -> None:
    """The row on ``line`` repeats comment ``first``: its line and its ``labels`` go to it (a label the first
    row gave otherwise is a ``quirk``; the first row's is kept)."""
    first.metadata.setdefault("merged_lines", []).append(line)
    have = {label.annotator: label for label in first.prior_labels}
    for label in labels:
        old = have.get(label.annotator)
        if old is None:
            first.prior_labels.append(label)
            have[label.annotator] = label
            continue
        for question, value in label.values.items():
            if question not in old.values:
                old.values[question] = value
            elif old.values[question] != value:
                quirk(
                    name, line,
                    f"this row repeats line {first.line} with another label ({label.annotator}: {question} "
                    f"{value!r}, not {old.values[question]!r}); the first row's label is kept",
                )  # fmt: skip


def merged_warning(name: str, merged: list[int]) -> str | None:
    """One warning for every row merged into an earlier one (their lines, from every thread), or None."""
    lines = sorted(merged)
    if not lines:
        return None
    shown = ", ".join(map(str, lines[:10])) + (f", … ({len(lines)} in all)" if len(lines) > 10 else "")
    rows = "1 row repeats" if len(lines) == 1 else f"{len(lines)} rows repeat"
    return (
        f"{name}: {rows} an earlier row of its thread (same text, author and parent) and became one comment with it: line {shown}"
    )
