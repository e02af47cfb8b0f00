"""A table thread's thread-wide cells (title, url, article): taken from its rows, the same read whole or in parts.

Read whole, a thread takes the most common title of its rows (ties to the first seen; the others are kept as
``other_titles``), its first url and its first article. A long thread written in parts needs them from its
first part on, as they make the thread's identity (``thread_hash``): ``WideCells`` counts them in the spill's
file, in one pass over the staged rows, before the first part is built.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.sources.spill import BATCH, Spill

_TABLES = (
    "CREATE TABLE wide_titles (thread TEXT NOT NULL, title TEXT NOT NULL, n INTEGER NOT NULL, first INTEGER NOT NULL, "
    "PRIMARY KEY (thread, title))",
    "CREATE TABLE wide_cells (thread TEXT PRIMARY KEY, url TEXT, article TEXT)",
)
_COUNT_TITLE = (
    "INSERT INTO wide_titles (thread, title, n, first) VALUES (?, ?, 1, ?) ON CONFLICT (thread, title) DO UPDATE SET n = n + 1"
)
# The first non-empty url and article of a thread's rows, in file order: a later row fills only what is missing.
_FIRST_CELLS = (
    "INSERT INTO wide_cells (thread, url, article) VALUES (?, ?, ?) ON CONFLICT (thread) DO UPDATE SET "
    "url = coalesce(url, excluded.url), article = coalesce(article, excluded.article)"
)
_TITLES = "SELECT title, n FROM wide_titles WHERE thread = ? ORDER BY first"
_CELLS = "SELECT url, article FROM wide_cells WHERE thread = ?"


def settle_title(draft: ThreadDraft, titles: Counter[str]) -> None:
    """The most common of the thread's titles (in order of first sight); variants are kept so nothing is lost."""
    if not titles:
        return
    draft.title = titles.most_common(1)[0][0]  # ties go to the first seen
    if len(titles) > 1:
        draft.metadata["other_titles"] = [t for t in titles if t != draft.title]
    else:
        draft.metadata.pop("other_titles", None)


class WideCells:
    """Each thread's title, url and article, counted on disk from the staged rows of ``spill``."""

    def __init__(self, spill: Spill, index: dict[str, int | None], rows: Iterator[tuple[Any, list[str]]]):
        self.db = spill.db
        for statement in _TABLES:
            self.db.execute(statement)
        thread_at, title_at, url_at, article_at = (index[f] for f in ("thread", "title", "url", "article"))
        titles: list[tuple[str, str, int]] = []
        cells: list[tuple[str, str | None, str | None]] = []
        for n, (_, row) in enumerate(rows):
            key = row[thread_at].strip() if thread_at is not None else ""
            if title_at is not None and (title := row[title_at].strip()):
                titles.append((key, title, n))
            url = row[url_at].strip() or None if url_at is not None else None
            article = row[article_at] if article_at is not None and row[article_at].strip() else None
            if url is not None or article is not None:
                cells.append((key, url, article))
            if len(titles) >= BATCH or len(cells) >= BATCH:
                self._write(titles, cells)
        self._write(titles, cells)

    def _write(self, titles: list, cells: list) -> None:
        self.db.executemany(_COUNT_TITLE, titles)
        self.db.executemany(_FIRST_CELLS, cells)
        titles.clear()
        cells.clear()

    def settle(self, key: str, draft: ThreadDraft) -> None:
        """Give a part of thread ``key`` the whole thread's title, url and article."""
        settle_title(draft, Counter(dict(self.db.execute(_TITLES, (key,)).fetchall())))
        url, article = self.db.execute(_CELLS, (key,)).fetchone() or (None, None)
        draft.url, draft.article = url, article or ""
