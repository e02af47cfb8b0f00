"""Properties of the paste importer on generated comment sections: it never loses text, never crashes,
and its quote offsets and reply links always point where they claim."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderator.core.importing.formats import ImportFailure, SourceText
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.formats.paste.blocks import ROLES
from moderator.core.importing.formats.paste.quotes import needle, normalise

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

WORDS = (
    "the a is not and probably I my you Palmyra said council town … ? ;) 2023 June © Photo AP "
    "“quoted” ‘single’ don’t ISIS Ma\u00dfe İstanbul ﬁne".split()
)
NAMES = ["Anna Berg", "Jonas Ek", "chris chuba", "Marek Pejović", "bluefox77 .", "Brad Isherwood", "JUNE 2023"]
SEPARATORS = ["\n", "\n\n", "\n\n\n", "\n \n", "\n\u00a0\n\n", "\n\n\n\n", " \n\t\n", "\n\u3000\n\u2028\n"]
ODD_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), min_size=1, max_size=12)

word = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), ODD_TEXT)
sentence = st.lists(word, min_size=1, max_size=14).map(" ".join)


@st.composite
def pastes(draw) -> str:
    parts: list[str] = []
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 24))):
        kind = draw(st.sampled_from(["sentence", "sentence", "name", "quote", "quote", "odd"]))
        if kind == "quote" and lines:
            words = draw(st.sampled_from(lines)).split()
            start = draw(st.integers(0, len(words)))
            line = " ".join(words[start : draw(st.integers(start, len(words)))])
            if draw(st.booleans()):
                line = "> " + line.upper()
        elif kind == "name":
            line = draw(st.sampled_from(NAMES))
        elif kind == "odd":
            line = draw(ODD_TEXT)
        else:
            line = draw(sentence)
        if draw(st.booleans()):
            line = draw(st.sampled_from(["", " ", "\t", "\u00a0"])) + line + draw(st.sampled_from(["", "  ", "\r"]))
        lines.append(line)
        parts += [line, draw(st.sampled_from(SEPARATORS))]
    return "".join(parts)


def ink(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace())


PROPERTIES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(pastes())
def test_parse_keeps_every_character_and_consistent_links(text):
    try:
        [draft] = list(paste.parse(SourceText("generated.txt", text)))
    except ImportFailure as failure:
        assert not text.strip() and failure.line == 1
        return
    assert text.strip()
    pieces = [draft.dateline or "", draft.title or "", draft.image_credit or "", draft.article]
    for comment in draft.comments:
        pieces += [comment.author or "", comment.text]
    assert ink("".join(pieces)) == ink(text)

    lines = [c.line for c in draft.comments]
    assert lines == sorted(lines) and all(line is not None and line >= 1 for line in lines)
    for h in draft.heuristics + [h for c in draft.comments for h in c.heuristics]:
        assert 0.0 <= h.score <= 1.0 and h.line >= 1

    for index, comment in enumerate(draft.comments):
        assert comment.text.strip()
        for quote in comment.quotes:
            assert 0 <= quote.start < quote.end <= len(comment.text)
            wanted = needle(comment.text[quote.start : quote.end])
            assert wanted is not None
            if quote.source == "comment":
                assert quote.source_index is not None and 0 <= quote.source_index < index
                source = draft.comments[quote.source_index].text
            elif quote.source_start is None:
                assert wanted in normalise(draft.title or "")
                continue
            else:
                source = draft.article
            assert 0 <= quote.source_start < quote.source_end <= len(source)
            assert normalise(source[quote.source_start : quote.source_end]) == wanted
        if comment.parent_index is not None:
            assert 0 <= comment.parent_index < index
            assert comment.quotes[0].source == "comment" and comment.quotes[0].source_index == comment.parent_index
        else:
            assert not comment.quotes or comment.quotes[0].source == "article"


def all_ink(draft) -> list[str]:
    pieces = [draft.dateline or "", draft.title or "", draft.image_credit or "", draft.article]
    pieces += [part for c in draft.comments for part in (c.author or "", c.text)]
    return sorted(ink("".join(pieces)))


@PROPERTIES
@given(pastes(), st.data())
def test_layout_edits_never_lose_text(text, data):
    if not text.strip():
        return
    layout = paste.analyse(text)
    assert paste.build_draft(paste.relink(layout)) == paste.build_draft(layout)
    for block in layout.blocks:
        assert block.text == block.text.strip() and 0.0 <= block.score <= 1.0
    for _ in range(data.draw(st.integers(0, 6))):
        index = data.draw(st.integers(0, len(layout.blocks) - 1))
        edit = data.draw(st.sampled_from(["role", "merge", "split", "author", "quote"]))
        try:
            if edit == "role":
                layout = paste.set_role(layout, index, data.draw(st.sampled_from(ROLES)))
            elif edit == "merge":
                layout = paste.merge_blocks(layout, index)
            elif edit == "split":
                layout = paste.split_block(layout, index, data.draw(st.integers(0, 3)))
            elif edit == "author":
                layout = paste.set_author(layout, index)
            else:
                layout = paste.remove_quote(layout, index)
        except (ValueError, IndexError):
            pass  # refused edits leave the layout as it was
        draft = paste.build_draft(layout)
        assert all_ink(draft) == sorted(ink(text))
        for i, comment in enumerate(draft.comments):
            assert comment.parent_index is None or 0 <= comment.parent_index < i
            for quote in comment.quotes:
                assert 0 <= quote.start < quote.end <= len(comment.text)
