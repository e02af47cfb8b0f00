"""Answers given on screen but not yet submitted, kept per comment for the session.

Moving to another comment (a key, a click in the queue) must not throw away what the annotator chose:
the draft comes back when they return, and quitting with drafts asks first. Drafts live in memory only;
a submission, skip or flag is what stores an answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Draft:
    values: dict[str, Any] = field(default_factory=dict)
    spans: tuple[dict[str, Any], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.values and not self.spans


class Drafts:
    def __init__(self) -> None:
        self._by_comment: dict[int, Draft] = {}

    def keep(self, comment_id: int, draft: Draft) -> None:
        """Keep ``draft`` for the comment; an empty one drops any draft kept before."""
        if draft.empty:
            self._by_comment.pop(comment_id, None)
        else:
            self._by_comment[comment_id] = draft

    def take(self, comment_id: int) -> Draft | None:
        """The comment's draft, removed: while it is on screen, the panel holds it."""
        return self._by_comment.pop(comment_id, None)

    def drop(self, comment_id: int) -> None:
        self._by_comment.pop(comment_id, None)

    def comment_ids(self) -> list[int]:
        return list(self._by_comment)

    def __len__(self) -> int:
        return len(self._by_comment)
