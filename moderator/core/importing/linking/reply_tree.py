"""Reply trees from parent ids: link each comment to its parent, count orphans, refuse reply cycles."""

from __future__ import annotations

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure


class ReplyCycle(Exception):
    """Comments (indexes) whose parents lead round in a circle."""

    def __init__(self, cycle: list[int]):
        super().__init__(cycle)
        self.cycle = cycle


def reply_depths(parents: list[int | None]) -> list[int]:
    """Depth of every comment (0 for top level) from each one's parent index; ``ReplyCycle`` for a cycle.

    Walks up from every comment in order; depths already known end a walk, so the whole tree costs
    one step per comment. The first cycle met is the one reported.
    """
    depth = [-1] * len(parents)  # -1 unseen, -2 on the current walk
    for start in range(len(parents)):
        if depth[start] >= 0:
            continue
        walk = []
        j = start
        while j is not None and depth[j] == -1:
            depth[j] = -2
            walk.append(j)
            j = parents[j]
        if j is None:
            d = -1
        else:
            d = depth[j]
            if d == -2:
                raise ReplyCycle(walk[walk.index(j) :])
        for k in reversed(walk):
            d += 1
            depth[k] = d
    return depth


def cycle_failure(name: str, cycle: list[int], ids: list[str | None], lines: list[int]) -> ImportFailure:
    """``path:line: reply cycle: 'a' -> 'b' -> 'a'``, at the cycle's first line in the file; a comment without
    an id (replies by parent text) named by its line."""
    path = " -> ".join(f"line {lines[k]}" if ids[k] is None else repr(ids[k]) for k in cycle + [cycle[0]])
    return ImportFailure(name, min(lines[k] for k in cycle), f"reply cycle: {path}")


class PendingThread:
    """A thread being assembled, with each comment's external parent id until all ids are known.

    Every importer of comments with parent ids (JSONL, CSV, ConvoKit, Reddit, Disqus) builds one, so
    all share one reply-linking rule.
    """

    __slots__ = ("draft", "parents", "lines", "ids")

    def __init__(self, draft: ThreadDraft):
        self.draft = draft
        self.parents: list[str | None] = []
        self.lines: list[int] = []
        self.ids: dict[str, int] = {}

    def add(self, name: str, lineno: int, comment: CommentDraft, parent: str | None, where: str = "") -> None:
        """Append a comment, refusing a duplicate id or a comment that names itself as parent."""
        ext = comment.external_id
        if ext is not None:
            first = self.ids.get(ext)
            if first is not None:
                raise ImportFailure(
                    name, lineno, f"{where}duplicate comment id {ext!r} in this thread (first on line {self.lines[first]})"
                )
            if parent == ext:
                raise ImportFailure(name, lineno, f"{where}comment {ext!r} is its own parent")
            self.ids[ext] = len(self.draft.comments)
        self.draft.comments.append(comment)
        self.parents.append(parent)
        self.lines.append(lineno)


def link_replies(name: str, thread: PendingThread) -> None:
    """Resolve parent ids to indexes (a parent may come later), count orphans and refuse reply cycles."""
    comments = thread.draft.comments
    ids = thread.ids
    orphans = 0
    for comment, parent in zip(comments, thread.parents):
        if parent is None:
            continue
        index = ids.get(parent)
        if index is None:
            comment.metadata["missing_parent_id"] = parent
            orphans += 1
        else:
            comment.parent_index = index
    if orphans:
        thread.draft.metadata["orphans"] = orphans
    try:
        reply_depths([c.parent_index for c in comments])
    except ReplyCycle as cycle:
        raise cycle_failure(name, cycle.cycle, [c.external_id for c in comments], thread.lines) from None
