"""The editable layout of a pasted comment section: blocks with roles, and quote links between them.

``paste.analyse()`` produces a ``PasteLayout``; a preview dialog corrects it with the pure functions
here (each returns a new layout, quote links recomputed) and ``paste.build_draft()`` turns it into a
``ThreadDraft``. Roles may be in any order after an edit: ``structure()`` reads every sequence, so a
rebuild never fails and never drops text.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from moderator.core.importing.drafts import Heuristic
from moderator.core.importing.formats.paste.blocks import ROLES, Block, QuoteLink, structure
from moderator.core.importing.formats.paste.quotes import link_quotes


@dataclass(frozen=True)
class PasteLayout:
    blocks: tuple[Block, ...]
    quotes: tuple[QuoteLink, ...] = ()
    rejected_quotes: frozenset[int] = frozenset()  # quoting blocks the user said are no quotes
    notes: tuple[Heuristic, ...] = ()  # thread-level decisions of the importer (article end)


def relink(layout: PasteLayout) -> PasteLayout:
    """Recompute the quote links for the layout's current roles."""
    st = structure(layout.blocks)
    return replace(layout, quotes=tuple(link_quotes(layout.blocks, st, layout.rejected_quotes)))


def _check(layout: PasteLayout, index: int) -> Block:
    if not 0 <= index < len(layout.blocks):
        raise IndexError(f"no block {index} (the layout has {len(layout.blocks)})")
    return layout.blocks[index]


def _with(layout: PasteLayout, blocks: list[Block], rejected: frozenset[int] | None = None) -> PasteLayout:
    changed = replace(layout, blocks=tuple(blocks))
    if rejected is not None:
        changed = replace(changed, rejected_quotes=rejected)
    return relink(changed)


def set_role(layout: PasteLayout, index: int, role: str) -> PasteLayout:
    """Give block ``index`` a role chosen by the user (score 1)."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r} (known: {', '.join(ROLES)})")
    block = _check(layout, index)
    blocks = list(layout.blocks)
    blocks[index] = replace(block, role=role, score=1.0, detail="set by the user")  # type: ignore[arg-type]
    return _with(layout, blocks)


def set_author(layout: PasteLayout, index: int) -> PasteLayout:
    """Make block ``index`` the author line of a comment made of the paragraph(s) after it."""
    block = _check(layout, index)
    if "\n" in block.text:
        raise ValueError(f"line {block.line}: an author line is a single line; split the block first")
    if index + 1 >= len(layout.blocks) or layout.blocks[index + 1].role not in ("comment_start", "paragraph"):
        raise ValueError(f"line {block.line}: an author line needs a comment paragraph after it")
    layout = set_role(layout, index, "author")
    if layout.blocks[index + 1].role == "comment_start":
        layout = set_role(layout, index + 1, "paragraph")
    return layout


def clear_author(layout: PasteLayout, index: int, role: str = "comment_start") -> PasteLayout:
    """Block ``index`` is no author line: it becomes the first paragraph of an anonymous comment
    (``role="comment_start"``) or a paragraph of the comment before it (``role="paragraph"``)."""
    if role not in ("comment_start", "paragraph"):
        raise ValueError("an author line becomes a comment_start or a paragraph")
    if _check(layout, index).role != "author":
        raise ValueError(f"block {index} is not an author line")
    return set_role(layout, index, role)


def merge_blocks(layout: PasteLayout, index: int) -> PasteLayout:
    """Join block ``index`` and the one after it (keeping the blank lines between) into one block."""
    first = _check(layout, index)
    second = _check(layout, index + 1)
    merged = replace(first, text=first.text + "\n" * (second.blanks_before + 1) + second.text)
    blocks = list(layout.blocks)
    blocks[index : index + 2] = [merged]
    rejected = frozenset(b - 1 if b > index + 1 else b for b in layout.rejected_quotes if b != index + 1)
    return _with(layout, blocks, rejected)


def split_block(layout: PasteLayout, index: int, at: int, role: str | None = None) -> PasteLayout:
    """Split block ``index`` before its line ``at`` (0-based within the block); the second part gets
    ``role`` (default: article stays article, anything else becomes a paragraph)."""
    block = _check(layout, index)
    lines = block.text.split("\n")
    head, tail = lines[:at], lines[at:]
    while head and not head[-1].strip():
        head.pop()
    blanks = 0
    while tail and not tail[0].strip():
        tail.pop(0)
        blanks += 1
    if at <= 0 or not head or not tail:
        raise ValueError(f"cannot split block {index} at line {at}: both parts need text")
    new_role = role or ("article" if block.role == "article" else "paragraph")
    if new_role not in ROLES:
        raise ValueError(f"unknown role {new_role!r}")
    second = Block(block.line + at + blanks, blanks, "\n".join(tail), new_role, 1.0, "split by the user")  # type: ignore[arg-type]
    blocks = list(layout.blocks)
    blocks[index : index + 1] = [replace(block, text="\n".join(head)), second]
    rejected = frozenset(b + 1 if b > index else b for b in layout.rejected_quotes)
    return _with(layout, blocks, rejected)


def remove_quote(layout: PasteLayout, block: int) -> PasteLayout:
    """Paragraph ``block`` is no quote (and not searched for one again)."""
    _check(layout, block)
    return _with(layout, list(layout.blocks), layout.rejected_quotes | {block})


def restore_quote(layout: PasteLayout, block: int) -> PasteLayout:
    """Undo ``remove_quote``: paragraph ``block`` may be detected as a quote again."""
    return _with(layout, list(layout.blocks), layout.rejected_quotes - {block})
