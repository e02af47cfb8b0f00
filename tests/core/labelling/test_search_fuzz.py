"""The queue's search box, fuzzed: any string finds the comments that contain it, and only those.

Quotes, ``%``, ``_``, backslashes, SQL and any unicode go through ``queue_page`` / ``queue_keys`` on
SQLite and PostgreSQL: no exception, the comment holding the literal string is found, and every hit
really contains it (``%`` is not "everything", ``_`` is not "any character").
"""

from __future__ import annotations

import itertools

import pytest
from helpers.probes import queue_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from moderator.core.importing.drafts import CommentDraft, ThreadDraft
from moderator.core.importing.writer import import_drafts
from moderator.core.labelling.browse import queue_keys
from moderator.core.store.tables import Comment
from moderator.core.team.accounts import ensure_annotator

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

CORPUS = [
    "a plain comment", "100% sure about this", "snake_case_name here", "back\\slash and \\% too", "it's 'quoted'",
    '"double" quotes', "'; DROP TABLE comments; --", "Zoë ÆØÅ straße 東京 🐀", "a lone % sign", "a lone _ sign",
    "ends with a backslash \\", "tab\there",
]  # fmt: skip
TRICKY = ["%", "_", "\\", "\\%", "%_%", "'", "''", '"', "'; DROP TABLE comments; --", "[a]", "*", "?", "\x00", "  ", "ß", "İ"]
needles = st.one_of(
    st.text(min_size=1, max_size=12),
    st.lists(st.sampled_from(TRICKY) | st.text(max_size=3), min_size=1, max_size=4).map("".join),
)


def _contains(text: str | None, needle: str) -> bool:
    if text is None:
        return False
    ascii_lower = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")

    def simple_lower(s: str) -> str:
        # PostgreSQL lowers one character to one (simple case mapping): "İ" becomes "i", where
        # Python's full mapping gives "i̇"; both are a case-insensitive match a user would accept.
        return "".join(c.lower() if len(c.lower()) == 1 else c.lower()[0] for c in s)

    folds = (str.lower, str.upper, str.casefold, lambda s: s.translate(ascii_lower), simple_lower)
    return any(fold(needle) in fold(text) for fold in folds)


def _search(engine, annotator: int, needle: str) -> set[int]:
    found, after = [], None
    while True:  # every page, as the queue list pages
        page = queue_page(engine, annotator, "all", needle, after, limit=50)
        found += [item.id for item in page]
        if len(page) < 50:
            break
        after = page[-1].key
    keys = {row[0] for row in queue_keys(engine, annotator, "all", needle, limit=100_000)}
    assert keys == set(found), "queue_keys and queue_page disagree"
    return set(found)


def _add(engine, counter, text: str, author: str | None = None) -> int:
    n = next(counter)
    import_drafts(
        engine, [ThreadDraft(source="t", external_id=f"t{n}", comments=[CommentDraft(text, author)])], name=f"t{n}", fmt="t"
    )
    with engine.connect() as conn:
        return conn.scalar(select(Comment.id).order_by(Comment.id.desc()).limit(1))


def _texts(engine, ids: set[int]) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as conn:
        return {
            r.id: (r.text, r.author)
            for r in conn.execute(select(Comment.id, Comment.text, Comment.author).where(Comment.id.in_(ids)))
        }


def test_search_finds_exactly_the_comments_holding_the_string(engine):
    counter = itertools.count()
    annotator = ensure_annotator(engine, "searcher")
    for text in CORPUS:
        _add(engine, counter, text, author="author_%" if "sign" in text else None)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(needle=needles)
    def check(needle: str) -> None:
        wanted = needle.strip()
        own = _add(engine, counter, f"«{needle}»") if "\x00" not in needle else None
        found = _search(engine, annotator, needle)
        if not wanted:
            return  # a blank search is no filter
        if own is not None:
            assert own in found, f"{needle!r}: the comment holding it is not found"
        for text, author in _texts(engine, found).values():
            assert _contains(text, wanted) or _contains(author, wanted), f"{needle!r} matched {text!r} / {author!r}"

    check()


def test_wildcards_and_sql_in_the_search_box_are_literal(engine):
    counter = itertools.count()
    annotator = ensure_annotator(engine, "searcher")
    ids = {text: _add(engine, counter, text) for text in CORPUS}
    assert _search(engine, annotator, "%") == {ids["100% sure about this"], ids["back\\slash and \\% too"], ids["a lone % sign"]}
    assert _search(engine, annotator, "_") == {ids["snake_case_name here"], ids["a lone _ sign"]}
    assert _search(engine, annotator, "\\") == {ids["back\\slash and \\% too"], ids["ends with a backslash \\"]}
    assert _search(engine, annotator, "'; DROP TABLE comments; --") == {ids["'; DROP TABLE comments; --"]}
    assert _search(engine, annotator, "a\x00") == set()
    with engine.connect() as conn:
        assert len(conn.scalars(select(Comment.id)).all()) == len(CORPUS)  # the table is still there, whole
