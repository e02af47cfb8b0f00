"""The blocks of a pasted comment section, their roles, and how a block sequence reads as a thread.

Plain data shared by the quote finder and the editable layout, so neither needs the other's types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["dateline", "title", "image_credit", "article", "author", "comment_start", "paragraph"]
ROLES: tuple[str, ...] = ("dateline", "title", "image_credit", "article", "author", "comment_start", "paragraph")
HEADER_ROLES = ("dateline", "title", "image_credit")
COMMENT_ROLES = ("author", "comment_start", "paragraph")


@dataclass(frozen=True)
class Block:
    """A run of non-blank lines (each line stripped), with the role the importer or the user gave it."""

    line: int  # 1-based line of the block's first line
    blanks_before: int  # blank lines right before it (0 only for the first block or after a split)
    text: str
    role: Role = "paragraph"
    score: float = 1.0  # confidence in the role, 0..1
    detail: str = ""  # why, for the preview
    author_score: float = 0.0  # how much the block looks like an author line, whatever its role

    @property
    def end_line(self) -> int:
        return self.line + self.text.count("\n")


@dataclass(frozen=True)
class QuoteLink:
    """Paragraph ``block`` repeats ``text[source_start:source_end]`` of block ``source_block``.

    The source block is a paragraph of an earlier comment, an article paragraph or the title.
    """

    block: int
    source_block: int
    source_start: int
    source_end: int
    score: float = 1.0


@dataclass(frozen=True)
class Segment:
    """One comment: its first block, its author line (if any) and its paragraph blocks."""

    start: int
    author: int | None
    paragraphs: tuple[int, ...]


@dataclass(frozen=True)
class Structure:
    """How a block sequence reads: header blocks, article blocks and comments, all by block index."""

    dateline: tuple[int, ...]
    title: tuple[int, ...]
    image_credit: tuple[int, ...]
    article: tuple[int, ...]
    comments: tuple[Segment, ...]
    # Blocks whose role could not be honoured as given (an author line with no comment after it,
    # a paragraph before any comment): block index -> what was done instead.
    notes: dict[int, str] = field(default_factory=dict)


def structure(blocks: tuple[Block, ...] | list[Block]) -> Structure:
    header: dict[str, list[int]] = {r: [] for r in HEADER_ROLES}
    article: list[int] = []
    comments: list[tuple[int, int | None, list[int]]] = []
    notes: dict[int, str] = {}
    current: list[int] | None = None
    for i, block in enumerate(blocks):
        role = block.role
        if role in HEADER_ROLES:
            header[role].append(i)
        elif role == "article":
            article.append(i)
        elif role == "author" and i + 1 < len(blocks) and blocks[i + 1].role == "paragraph":
            current = []
            comments.append((i, i, current))
        elif role == "paragraph" and current is not None:
            current.append(i)
        else:
            if role == "author":
                notes[i] = "an author line with no paragraph after it: kept as an anonymous comment's text"
            elif role == "paragraph":
                notes[i] = "a paragraph before any comment: starts an anonymous comment"
            current = [i]
            comments.append((i, None, current))
    return Structure(
        dateline=tuple(header["dateline"]),
        title=tuple(header["title"]),
        image_credit=tuple(header["image_credit"]),
        article=tuple(article),
        comments=tuple(Segment(s, a, tuple(p)) for s, a, p in comments),
        notes=notes,
    )
