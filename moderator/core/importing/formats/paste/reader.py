"""Importer for a news comment section copied from a web page as plain text.

The paste reads: an optional header (dateline, title, image credit), article paragraphs, then
comments. A named comment is an author line, one blank line and one or more paragraphs; an anonymous
comment follows two blank lines. Nothing marks these roles, so every decision is scored, kept as a
``Heuristic`` and open to correction: ``analyse()`` gives an editable ``PasteLayout``, the functions
of ``paste_layout`` change it, ``build_draft()`` turns it into a ``ThreadDraft``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from moderator.core.importing.drafts import CommentDraft, Heuristic, QuoteDraft, ThreadDraft
from moderator.core.importing.errors import ImportFailure
from moderator.core.importing.formats.paste.blocks import Block, QuoteLink, structure
from moderator.core.importing.formats.paste.layout import (
    PasteLayout,
    clear_author,
    merge_blocks,
    relink,
    remove_quote,
    restore_quote,
    set_author,
    set_role,
    split_block,
)
from moderator.core.importing.formats.paste.scores import (
    author_score,
    clamp,
    commentness,
    credit_score,
    dateline_score,
    ends_mid_sentence,
    title_score,
)
from moderator.core.importing.formats.structured import structured
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.reading import SourceText
from moderator.core.progress import Progress

NAME = "paste"
EXTENSIONS = (".txt",)
# A comment section copied from a page is prose: megabytes at most. Its analysis holds some twenty times
# the text, so a larger text, or a longer line, is refused before it is read (module constants: tests lower them).
MAX_BYTES = 10 * 1024**2
MAX_LINE_BYTES = 1024**2

__all__ = [
    "EXTENSIONS",
    "NAME",
    "Block",
    "PasteLayout",
    "QuoteLink",
    "analyse",
    "author_score",
    "build_draft",
    "check_size",
    "clear_author",
    "merge_blocks",
    "parse",
    "relink",
    "remove_quote",
    "restore_quote",
    "set_author",
    "set_role",
    "sniff",
    "split_blocks",
    "split_block",
    "structure",
]

# ---------------------------------------------------------------------------------------------- blocks


def split_blocks(text: str) -> list[Block]:
    """Runs of non-blank lines (lines stripped), with their first line and the blank lines before."""
    blocks: list[Block] = []
    run: list[str] = []
    start = blanks = 0
    # split("\n"), not splitlines(): \x1c, \u2028 and friends are not line breaks in a paste.
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()  # NBSP and other unicode whitespace count as blank
        if stripped:
            if not run:
                start = number
            run.append(stripped)
            continue
        if run:
            blocks.append(Block(start, blanks, "\n".join(run)))
            run, blanks = [], 0
        blanks += 1
    if run:
        blocks.append(Block(start, blanks, "\n".join(run)))
    return blocks


# --------------------------------------------------------------------------------------------- analyse


def _segment(body: list[Block], authorish: list[float]) -> list[str]:
    """Roles author / comment_start / paragraph for the body, maximising the total score.

    Constraints: an author line is one line, followed after one blank line by a paragraph of its
    comment; a paragraph follows its comment after one blank line; two blank lines start a comment.
    """
    roles = ("author", "comment_start", "paragraph")
    n = len(body)
    best: list[list[float | None]] = []
    back: list[list[int]] = []
    for i, block in enumerate(body):
        can_author = "\n" not in block.text and i + 1 < n and body[i + 1].blanks_before <= 1 and authorish[i] > 0.5
        own: list[float | None] = [
            2 * (authorish[i] - 0.5) if can_author else None,
            0.0 if i == 0 or block.blanks_before >= 2 else -0.8,  # anonymous after one blank line: rare
            0.0 if i > 0 and block.blanks_before <= 1 else None,
        ]
        row: list[float | None] = [None, None, None]
        ptr = [-1, -1, -1]
        for r in range(3):
            if own[r] is None:
                continue
            if i == 0:
                row[r] = own[r]
                continue
            allowed = (0, 1, 2) if r == 2 else (1, 2)  # after an author line only its paragraph
            options = [(best[i - 1][p], p) for p in allowed if best[i - 1][p] is not None]
            if options:
                value, p = max(options, key=lambda o: o[0])  # type: ignore[arg-type, return-value]
                row[r], ptr[r] = own[r] + value, p  # type: ignore[operator]
        best.append(row)
        back.append(ptr)
    if not n:
        return []
    last = max((r for r in (1, 2) if best[-1][r] is not None), key=lambda r: best[-1][r])  # type: ignore[arg-type, return-value]
    out = [last]
    for i in range(n - 1, 0, -1):
        out.append(back[i][out[-1]])
    return [roles[r] for r in reversed(out)]


def _header(blocks: list[Block], authorish: list[float]) -> int:
    """Mark dateline, title and image credit at the top (each optional, in that order)."""
    pos = 0
    n = len(blocks)
    if pos < n:
        score, why = dateline_score(blocks[pos].text)
        if score >= 0.5:
            blocks[pos] = replace(blocks[pos], role="dateline", score=score, detail=why)
            pos += 1
    if pos < n and credit_score(blocks[pos].text)[0] < 0.5:
        credit_next = pos + 1 < n and credit_score(blocks[pos + 1].text)[0] >= 0.5
        score, why = title_score(blocks[pos].text, pos > 0, credit_next, authorish[pos])
        if score >= 0.5:
            blocks[pos] = replace(blocks[pos], role="title", score=score, detail=why)
            pos += 1
    if pos < n:
        score, why = credit_score(blocks[pos].text)
        if score >= 0.5:
            blocks[pos] = replace(blocks[pos], role="image_credit", score=score, detail=why)
            pos += 1
    return pos


def _article_end(body: list[Block], roles: list[str], has_header: bool) -> tuple[int, int, list[tuple[float, str]], float]:
    """Where the article ends: (split, boundary, commentness of the blocks before boundary, confidence).

    The article runs at most to the first comment boundary; of the paragraphs before it, those from
    ``split`` on read like a reader's comment (first person, short, a question, after a teaser cut
    off mid-sentence) and become the first, anonymous comment.
    """
    boundary = next((i for i in range(1, len(body)) if roles[i] != "paragraph"), len(body))
    if roles and roles[0] == "author":
        boundary = 0
    comment_like = [commentness(body[j].text) for j in range(boundary)]
    suffix = [0.0] * (boundary + 1)
    for j in range(boundary - 1, -1, -1):
        suffix[j] = suffix[j + 1] + comment_like[j][0] - 0.5
    options = []
    for k in range(boundary, -1, -1):  # max() keeps the first: ties go to the longer article
        value = suffix[k]
        if 0 < k < boundary and ends_mid_sentence(body[k - 1].text):
            value += 0.4
        if k == 0 and boundary > 0 and (not has_header or body[0].blanks_before >= 2):
            value += 0.8  # no header, or two blank lines after it: no article
        options.append((value, k))
    best, split = max(options, key=lambda o: o[0])
    runner_up = max((v for v, k in options if k != split), default=best - 1.0)
    return split, boundary, comment_like, clamp(0.5 + (best - runner_up) / 2)


def _body_block(block: Block, role: str, why_author: str) -> Block:
    """A comment block after the article, with its score and the reasons for the preview."""
    likeness = block.author_score
    if role == "author":
        return replace(block, role="author", score=likeness, detail=why_author)
    if role == "comment_start":
        two = block.blanks_before >= 2
        detail = "follows two blank lines" if two else "follows one blank line only"
        if likeness > 0.5:
            detail += f"; looks like a name ({likeness}) but no comment follows it"
        return replace(block, role="comment_start", score=0.95 if two else 0.4, detail=detail)
    detail = "paragraph of the comment above"
    if likeness >= 0.2:
        detail += f"; not an author line ({why_author})"
    return replace(block, role="paragraph", score=clamp(max(0.5, 1 - likeness)), detail=detail)


def analyse(text: str) -> PasteLayout:
    """Read a pasted comment section into scored, editable blocks with quote links."""
    blocks = split_blocks(text)
    n = len(blocks)
    # A name that opens several comments is a name: count single lines in author position.
    in_position = Counter(
        b.text for i, b in enumerate(blocks) if "\n" not in b.text and i + 1 < n and blocks[i + 1].blanks_before <= 1
    )
    scored = [author_score(b.text, in_position[b.text] >= 2) for b in blocks]
    blocks = [replace(b, author_score=score) for b, (score, _) in zip(blocks, scored)]
    start = _header(blocks, [score for score, _ in scored])
    body = blocks[start:]
    roles = _segment(body, [b.author_score for b in body])
    split, boundary, comment_like, confidence = _article_end(body, roles, start > 0)

    for j, block in enumerate(body):
        if j < split:
            score, why = comment_like[j]
            body[j] = replace(
                block,
                role="article",
                score=clamp(max(0.5, 1 - score)),
                detail=f"article paragraph (reads like a comment {score}: {why})",
            )
        elif j == split < boundary:
            why = comment_like[j][1]
            if j and ends_mid_sentence(body[j - 1].text):
                why += "; the article ends mid-sentence before it"
            body[j] = replace(block, role="comment_start", score=confidence, detail=f"first comment: {why}")
        elif j < boundary:
            body[j] = replace(block, role="paragraph", score=0.8, detail="continues the first comment")
        else:
            body[j] = _body_block(block, roles[j], scored[start + j][1])

    notes: list[Heuristic] = []
    if split < len(body):
        where = f"article ends before line {body[split].line}" if split else "no article: the text starts with comments"
        notes.append(Heuristic("article_end", body[split].line, confidence if boundary else 0.9, where))
    elif body:
        notes.append(Heuristic("article_end", body[-1].end_line, confidence, "no comments: the text is all article"))
    return relink(PasteLayout(tuple(blocks[:start] + body), notes=tuple(notes)))


# ------------------------------------------------------------------------------------------ build draft


def build_draft(layout: PasteLayout) -> ThreadDraft:
    """The ThreadDraft a layout describes: header, article, comments with quotes, replies, heuristics."""
    blocks = layout.blocks
    st = structure(blocks)
    draft = ThreadDraft(source=NAME, line=blocks[0].line if blocks else 1, metadata={"blocks": len(blocks)})

    def header(kind: str, indices: tuple[int, ...]) -> str | None:
        for i in indices:
            draft.heuristics.append(Heuristic(kind, blocks[i].line, blocks[i].score, blocks[i].detail))
        return "\n".join(blocks[i].text for i in indices) if indices else None

    draft.dateline = header("dateline", st.dateline)
    draft.title = header("title", st.title)
    draft.image_credit = header("image_credit", st.image_credit)
    place: dict[int, tuple[int | None, int]] = {}  # block -> (comment index or None = article, offset)
    offset = 0
    for i in st.article:
        place[i] = (None, offset)
        offset += len(blocks[i].text) + 2
    draft.article = "\n\n".join(blocks[i].text for i in st.article)
    draft.heuristics.extend(layout.notes)

    for k, seg in enumerate(st.comments):
        offset = 0
        for b in seg.paragraphs:
            place[b] = (k, offset)
            offset += len(blocks[b].text) + 2
        first = blocks[seg.start]
        comment = CommentDraft(
            text="\n\n".join(blocks[b].text for b in seg.paragraphs),
            author=None if seg.author is None else first.text,
            line=first.line,
            metadata={"source_line": first.line},
        )
        kind = "author_line" if seg.author is not None else "anonymous_comment"
        comment.heuristics.append(Heuristic(kind, first.line, first.score, first.detail))
        for b in seg.paragraphs:
            if b in st.notes:
                comment.heuristics.append(Heuristic("structure", blocks[b].line, 0.5, st.notes[b]))
            elif b != seg.start and blocks[b].author_score >= 0.2:
                comment.heuristics.append(Heuristic("paragraph", blocks[b].line, blocks[b].score, blocks[b].detail))
        draft.comments.append(comment)

    for link in layout.quotes:
        k, start = place.get(link.block, (None, 0))
        if k is None or link.source_block >= len(blocks):
            continue  # a stale link: relink() after editing blocks by hand
        comment = draft.comments[k]
        source_k, source_offset = place.get(link.source_block, (None, None))
        source_line = blocks[link.source_block].line
        if source_k is not None:
            quote = QuoteDraft(
                start,
                start + len(blocks[link.block].text),
                "comment",
                source_k,
                source_offset + link.source_start,
                source_offset + link.source_end,
                link.score,
            )
            what = f"quotes comment {source_k} (line {source_line})"
        elif source_offset is not None:
            quote = QuoteDraft(
                start,
                start + len(blocks[link.block].text),
                "article",
                None,
                source_offset + link.source_start,
                source_offset + link.source_end,
                link.score,
            )
            what = f"quotes the article (line {source_line})"
        else:  # the title: no offsets into the article text
            quote = QuoteDraft(start, start + len(blocks[link.block].text), "article", score=link.score)
            what = "quotes the title"
        if not comment.quotes and quote.source == "comment":
            comment.parent_index = source_k  # a comment opening with a quote of a comment replies to it
        comment.quotes.append(quote)
        comment.heuristics.append(Heuristic("quote", blocks[link.block].line, link.score, what))
    return draft


# ------------------------------------------------------------------------------------- importer protocol


def sniff(source: SourceText) -> float:
    """How sure we are that the text is a pasted comment section: modest, as any text could be one.

    Never for data: a text that parses as JSON (an object, an array, JSON lines) or reads as a table
    with a header of two or more columns (``structured``) is 0.
    """
    text = source.text[:200_000]
    stripped = text.strip()
    if not stripped or structured(text):
        return 0.0
    lines = stripped.split("\n")[:400]
    filled = [line for line in lines if line.strip()]
    first = filled[0].strip()
    if first[0] in "{[" and first[-1] in "}]":
        return 0.05  # broken JSON or JSON lines
    for sep in (",", "\t", ";"):
        counts = [line.count(sep) for line in filled[:50]]
        if len(counts) >= 3 and counts[0] >= 1 and sum(c == counts[0] for c in counts) >= 0.7 * len(counts):
            if len(filled) > 0.9 * len(lines):
                return 0.1  # a table without blank lines between rows
    score = 0.3
    if len(lines) - len(filled) >= 0.2 * len(lines):
        score += 0.1  # blank-line-separated paragraphs
    authors = sum(1 for b in analyse(text).blocks if b.role == "author")
    return clamp(min(0.8, score + 0.05 * authors))


def check_size(source: SourceText) -> None:
    """Refuse, before reading it whole, a text no comment section pasted from a page is: one with a line over
    ``MAX_LINE_BYTES`` or over ``MAX_BYTES`` in all (its analysis would hold many times the text)."""
    line = source.first_long_line(MAX_LINE_BYTES)
    if line is not None:
        raise ImportFailure(source.name, line, f"this line is longer than {_mb(MAX_LINE_BYTES)}; is this pasted text?")
    if source.size > MAX_BYTES:
        raise ImportFailure(
            source.name, None, f"the text is larger than {_mb(MAX_BYTES)}; is this pasted text? (import a table or JSON lines)"
        )


def _mb(size: int) -> str:
    return f"{size / 1024**2:g} MB"


def parse(source: SourceText, progress: Progress | None = None, options: ImportOptions | None = None) -> Iterator[ThreadDraft]:
    """One ThreadDraft for the whole paste (with a warning when the text looks like JSON or a table)."""
    check_size(source)
    if not source.text.strip():
        raise ImportFailure(source.name, 1, "nothing to import: the text is empty or only blank lines")
    kind = structured(source.text)
    if kind is not None and options is not None:
        options.notes.warnings.append(
            f"{source.name}: looks like {kind}; imported as pasted text because --format paste was given"
        )
    if progress:
        progress(0.0)
    layout = analyse(source.text)
    if progress:
        progress(0.7)
    draft = build_draft(layout)
    if progress:
        progress(1.0)
    return iter((draft,))
