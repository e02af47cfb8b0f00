"""Quote spans a source marks explicitly (Reddit ``>`` lines, Disqus ``<blockquote>``), linked to what they quote.

A quote is linked to the comment it replies to when the quoted words are found there, else to the
article; a quote found in neither is kept in the comment's metadata (``unlinked_quotes``), as a quote
span must point at its source.
"""

from __future__ import annotations

import re

from moderator.core.importing.drafts import QuoteDraft, ThreadDraft

_QUOTE_LINE = re.compile(r"^[ \t]*>[ \t]?", re.MULTILINE)

# Spans per comment index: (start, end) into the comment's text.
Marked = dict[int, list[tuple[int, int]]]


def markdown_quotes(text: str) -> list[tuple[int, int]]:
    """Spans of Reddit/Markdown quote blocks: runs of lines starting with ``>``, without the markers."""
    spans: list[tuple[int, int]] = []
    block: tuple[int, int] | None = None
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        marker = _QUOTE_LINE.match(line)
        if marker is None:
            if block is not None:
                spans.append(block)
                block = None
        else:
            content = line[marker.end() :]
            start = pos + marker.end()
            if content.strip():
                stop = start + len(content.rstrip())
                block = (start + len(content) - len(content.lstrip()), stop) if block is None else (block[0], stop)
        pos = end + 1
    if block is not None:
        spans.append(block)
    return spans


def _words(text: str) -> str:
    return " ".join(_QUOTE_LINE.sub("", text).split())


def locate(needle: str, haystack: str) -> tuple[int, int, float] | None:
    """Where ``needle`` occurs in ``haystack``: exactly (score 1.0), or up to whitespace and ``>`` markers (0.9)."""
    if not needle.strip() or not haystack:
        return None
    at = haystack.find(needle)
    if at >= 0:
        return at, at + len(needle), 1.0
    words = _words(needle).split(" ")
    pattern = r"(?:\s|^\s*>)+".join(re.escape(w) for w in words)
    found = re.search(pattern, haystack, re.MULTILINE)
    if found is None:
        return None
    return found.start(), found.end(), 0.9


def link_quotes(draft: ThreadDraft, marked: Marked) -> None:
    """Turn marked spans into QuoteDrafts (parent first, then the article); needs parents already linked."""
    comments = draft.comments
    for index, spans in marked.items():
        comment = comments[index]
        for start, end in spans:
            quoted = _words(comment.text[start:end])
            parent = comment.parent_index
            hit = locate(quoted, comments[parent].text) if parent is not None else None
            if hit is not None:
                comment.quotes.append(QuoteDraft(start, end, "comment", parent, hit[0], hit[1], hit[2]))
                continue
            hit = locate(quoted, draft.article)
            if hit is not None:
                comment.quotes.append(QuoteDraft(start, end, "article", None, hit[0], hit[1], hit[2]))
                continue
            comment.metadata.setdefault("unlinked_quotes", []).append([start, end])
