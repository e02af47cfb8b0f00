"""A news page's article: its title, text and date, by trafilatura (a maintained main-text extractor)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class Article:
    title: str | None
    text: str  # paragraphs joined by a blank line, as every importer's article
    published_at: datetime | None
    author: str | None
    sitename: str | None


def extract_article(html: str, url: str) -> Article | None:
    """The page's main text and metadata; None when the page has no main text to speak of."""
    import trafilatura  # a second or so to import: only when a page is read

    logging.getLogger("trafilatura").setLevel(logging.ERROR)  # its warnings are about the page, not for the user
    found = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True, include_images=False
    )
    if found is None:
        return None
    data: dict[str, Any] = found.as_dict() if hasattr(found, "as_dict") else dict(found)  # trafilatura 2 / 1.x
    title = _clean(data.get("title"))
    lines = [line.strip() for line in (data.get("text") or "").split("\n")]
    paragraphs = [line for line in lines if line]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]  # the headline, repeated at the top of the text
    text = "\n\n".join(paragraphs)
    if not text and not title:
        return None
    return Article(title, text, _date(data.get("date")), _clean(data.get("author")), _clean(data.get("sitename")))


def _clean(value: Any) -> str | None:
    return (value.strip() or None) if type(value) is str else None


def _date(value: Any) -> datetime | None:
    if type(value) is not str or not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)
