"""Thread drafts: what an importer produces before anything touches the database.

A draft keeps the importer's scored decisions (``Heuristic``) so that a preview can show them and a
user can correct them before the rows are written.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

QuoteSource = Literal["comment", "article"]


@dataclass(slots=True)
class Heuristic:
    """One scored decision an importer made, e.g. "line 17 is an author line" (score 0..1)."""

    kind: str  # dateline, title, image_credit, article, author_line, comment_start, quote, ...
    line: int  # 1-based line in the source the decision is about
    score: float  # confidence in 0..1
    detail: str = ""


@dataclass(slots=True)
class QuoteDraft:
    """A span of a comment's text that repeats text of an earlier comment or of the article."""

    start: int  # character offsets into the quoting comment's text
    end: int
    source: QuoteSource
    source_index: int | None = None  # index into ThreadDraft.comments when source == "comment"
    source_start: int | None = None  # offsets into the quoted comment's text / the article text
    source_end: int | None = None
    score: float = 1.0


@dataclass(slots=True)
class PriorLabel:
    """A label a source already carries (e.g. LeWiDi's per-annotator answers), imported as an annotation."""

    annotator: str
    values: dict[str, Any]
    spans: list[dict[str, Any]] = field(default_factory=list)  # rationales: {"start", "end", "question"}


@dataclass(slots=True)
class CommentDraft:
    text: str
    author: str | None = None
    external_id: str | None = None
    parent_index: int | None = None  # index into ThreadDraft.comments (an earlier or later comment)
    created_at: datetime | None = None
    quotes: list[QuoteDraft] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # 1-based source line where the comment starts
    heuristics: list[Heuristic] = field(default_factory=list)
    prior_labels: list[PriorLabel] = field(default_factory=list)
    # A continuing part's reply to a comment of the thread's earlier parts: that comment's index among them
    # (``parent_index`` stays None).
    parent_before: int | None = None
    # A thread written in parts whose replies may come before their parents: each comment's depth, known from
    # the whole thread, and the indices in the thread of the earlier parts' replies to this comment (they were
    # written without their parent, which is set once this comment is).
    depth: int | None = None
    replies_before: list[int] | None = None


@dataclass(slots=True)
class ThreadDraft:
    source: str  # importer name: paste, jsonl, csv, ...
    title: str | None = None
    external_id: str | None = None
    url: str | None = None
    dateline: str | None = None
    published_at: datetime | None = None
    image_credit: str | None = None
    article: str = ""  # article paragraphs joined by a blank line ("\n\n")
    comments: list[CommentDraft] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # 1-based source line where the thread starts
    heuristics: list[Heuristic] = field(default_factory=list)
    # The label schema (a definition as in assets/default-schema.toml) of the comments' prior labels.
    prior_schema: dict[str, Any] | None = None
    # Attributes of the prior labels' annotators (age, gender… as the source gives them), by annotator
    # name: each becomes that pseudo-annotator's profile, if it has none yet, under ``profile_consent``
    # (e.g. "imported:<dataset>", telling them apart from answers to the project's own survey).
    annotator_profiles: dict[str, dict[str, Any]] = field(default_factory=dict)
    profile_consent: str = "imported"
    # More comments of the thread the previous draft of this import wrote (same key): an importer yields
    # a very long thread in parts so that memory holds one part. They follow its last position; a
    # part's ``parent_index`` points within the part.
    continues: bool = False


def depths(comments: list[CommentDraft], earlier: Sequence[int] = ()) -> list[int]:
    """Depth of every comment in its reply tree (0 for top level); parent cycles are refused earlier.
    ``earlier``: the depths of the thread's earlier parts' comments, for ``parent_before``; a depth given
    (``CommentDraft.depth``) is taken as it is."""
    result: list[int | None] = [c.depth for c in comments]
    for i in range(len(comments)):
        chain = []
        j: int | None = i
        while j is not None and result[j] is None:
            chain.append(j)
            j = comments[j].parent_index
            if len(chain) > len(comments):
                raise ValueError("reply cycle among comments")
        if j is not None:
            depth = result[j]
        else:
            before = comments[chain[-1]].parent_before if chain else None
            depth = -1 if before is None else earlier[before]
        for k in reversed(chain):
            depth += 1
            result[k] = depth
    return [d for d in result if d is not None]
