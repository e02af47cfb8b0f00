"""A comment's plain text and quote spans from the HTML a site serves (Hacker News, a page's JSON-LD)."""

from __future__ import annotations

from html import unescape

from moderator.core.importing.linking.quote_links import markdown_quotes
from moderator.core.importing.sources.html_text import html_to_text


def plain_text(html: str) -> tuple[str, list[tuple[int, int]]]:
    """The text a reader sees, and its quotes: ``<blockquote>``s and runs of lines starting with ``>``."""
    spans: list[tuple[int, int]] = []
    if "<" not in html:  # plain text, perhaps with entities: its line breaks are the author's
        text = unescape(html).replace("\r\n", "\n").strip()
    else:
        text, spans = html_to_text(html)
    if ">" in text:
        spans = sorted(set(spans) | set(markdown_quotes(text)))
    # Quotes inside a longer quote are part of it: keep the outermost ones.
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
        else:
            kept.append((start, end))
    return text, kept
