"""Quote detection for pasted comment sections.

A comment's leading paragraph is a quote when its normalised text occurs in an earlier comment's own
paragraphs or in the article. Only leading paragraphs are searched, and earlier paragraphs are found
through an index of their whitespace-separated tokens, so a 10 MB paste stays linear in practice.
"""

from __future__ import annotations

from moderator.core.importing.formats.paste.blocks import Block, QuoteLink, Structure

_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "‹": "'",
        "›": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "«": '"',
        "»": '"',
    }
)
_STRIP = " >\"'….-–—"  # surrounding quote marks, "> " markers and ellipses of a quoting paragraph
MIN_CHARS = 15
MIN_WORDS = 3


def normalise(text: str) -> str:
    """Casefold, ASCII quote marks, whitespace runs (NBSP included) collapsed to one space."""
    return " ".join(text.translate(_QUOTES).casefold().split())


def _unmarked(paragraph: str) -> str:
    return "\n".join(line.lstrip().lstrip(">") for line in paragraph.split("\n")).strip(_STRIP)


def needle(paragraph: str) -> str | None:
    """What a quoting paragraph must match, or None when it is too short to mean anything."""
    found = normalise(_unmarked(paragraph)).strip(_STRIP)
    if len(found) < MIN_CHARS or found.count(" ") < MIN_WORDS - 1:
        return None
    return found


def locate(text: str, wanted: str, verbatim: str = "") -> tuple[int, int] | None:
    """Offsets in ``text`` of a span whose normalisation is ``wanted`` (already normalised).

    ``verbatim`` is the quote as typed: usually it occurs as is, found without a Python loop.
    """
    at = text.find(verbatim) if verbatim else -1
    if at >= 0 and normalise(text[at : at + len(verbatim)]) == wanted:
        return at, at + len(verbatim)
    # Same normalisation as normalise(), char by char, remembering where each output char came from.
    out: list[str] = []
    origin: list[int] = []
    pending = False
    for i, ch in enumerate(text):
        if ch.isspace():
            pending = bool(out)
            continue
        if pending:
            out.append(" ")
            origin.append(i)
            pending = False
        for folded in ch.translate(_QUOTES).casefold():
            out.append(folded)
            origin.append(i)
    at = "".join(out).find(wanted)
    if at < 0 or not wanted:
        return None
    return origin[at], origin[at + len(wanted) - 1] + 1


def quote_score(found: str) -> float:
    return round(min(1.0, 0.5 + 0.06 * (found.count(" ") + 1)), 2)


def link_quotes(
    blocks: tuple[Block, ...] | list[Block], st: Structure, rejected: frozenset[int] = frozenset()
) -> list[QuoteLink]:
    article = [(b, normalise(blocks[b].text)) for b in st.article]
    titles = [(b, normalise(blocks[b].text)) for b in st.title]
    unit_block: list[int] = []  # own (non-quote) paragraphs of comments seen so far
    unit_text: list[str] = []
    postings: dict[str, list[int]] = {}
    fallback = article + titles  # article paragraphs first: a title match has no article offsets

    def find(wanted: str) -> int | None:
        # Interior tokens of the needle are whole tokens of any text containing it: look up the rarest.
        tokens = wanted.split(" ")[1:-1]
        candidates = min((postings.get(t, ()) for t in tokens), key=len)
        for unit in reversed(candidates):
            if wanted in unit_text[unit]:
                return unit_block[unit]
        for b, text in fallback:
            if wanted in text:
                return b
        return None

    links: list[QuoteLink] = []
    for seg in st.comments:
        paragraphs = seg.paragraphs
        own = 0
        # Only leading paragraphs, and never the last: a comment that is all quote is no quote.
        while own < len(paragraphs) - 1:
            b = paragraphs[own]
            wanted = None if b in rejected else needle(blocks[b].text)
            source = None if wanted is None else find(wanted)
            span = None if source is None else locate(blocks[source].text, wanted, _unmarked(blocks[b].text))  # type: ignore[arg-type]
            if span is None:
                break
            links.append(QuoteLink(b, source, span[0], span[1], quote_score(wanted)))  # type: ignore[arg-type]
            own += 1
        for b in paragraphs[own:]:
            unit = len(unit_text)
            text = normalise(blocks[b].text)
            unit_block.append(b)
            unit_text.append(text)
            for token in set(text.split(" ")):
                postings.setdefault(token, []).append(unit)
    return links
