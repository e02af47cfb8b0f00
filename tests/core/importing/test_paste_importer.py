import os
import time
from pathlib import Path

import pytest
from helpers.paths import REPO

from moderator.core.importing.formats import ImportFailure, SourceText, detect_format, importer, parse, text_source
from moderator.core.importing.formats.paste import reader as paste
from moderator.core.importing.formats.paste.blocks import Block
from moderator.core.importing.formats.paste.scores import author_score, dateline_score

DEMO = REPO / "assets" / "demo-thread.txt"

SEED_AUTHORS = [
    None,
    "Takumi Fujiwara",
    "Heiko Demonus",
    "Trustin Judeau",
    None,
    None,
    "Mahmoud Larfi",
    "Paulo Romero",
    None,
    "Gabriel Hollows",
    "northerntruthseeker .",
    "Brad Isherwood",
    "Brad Isherwood",
    None,
    None,
    None,
    "Marek Pejović",
    "Brad Isherwood",
    None,
    None,
    None,
    "Brad Isherwood",
    None,
    "chris chuba",
    "gfsdyughjgd .",
    None,
]


def draft_of(text: str, name: str = "<clipboard>"):
    drafts = list(paste.parse(SourceText(name, text)))
    assert len(drafts) == 1
    return drafts[0]


@pytest.fixture
def seed_text(shared_data: Path) -> str:
    path = shared_data / "threads" / "palmyra-comments.txt"
    if not path.is_file():
        reason = f"{path} is missing (see ../shared/data/README.md)"
        if os.environ.get("MODERATOR_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path.read_text(encoding="utf-8")


@pytest.fixture
def seed(seed_text: str):
    return draft_of(seed_text, "palmyra-comments.txt")


# ------------------------------------------------------------------------------------------ the seed


def test_seed_authors(seed):
    assert [c.author for c in seed.comments] == SEED_AUTHORS


def test_seed_header_and_article(seed):
    assert seed.source == "paste"
    assert seed.dateline == "JUNE 2023"
    assert seed.title == "Russia To Do ‘Everything’ To Take Back Palmyra From ISIS – Deputy FM"
    assert seed.image_credit == "© AP Photo/ Militant Photo"
    paragraphs = seed.article.split("\n\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("Deputy Foreign Minister, Vladimir Titov")
    assert paragraphs[-1].endswith("under the terrorist group’s control since")
    kinds = {h.kind for h in seed.heuristics}
    assert {"dateline", "title", "image_credit", "article_end"} <= kinds


def test_seed_first_comment_is_anonymous_after_truncated_article(seed):
    first = seed.comments[0]
    assert first.author is None
    assert first.text == "I am curious what “everything” will mean in the end…."
    assert first.line == 15
    assert first.metadata["source_line"] == 15
    end = next(h for h in seed.heuristics if h.kind == "article_end")
    assert end.line == 15 and end.score > 0.5


def test_seed_short_paragraph_between_names_is_text(seed):
    takumi = seed.comments[1]
    assert takumi.text == "probably ground forces"
    assert takumi.line == 17
    assert takumi.heuristics[0].kind == "author_line"


def test_seed_multi_paragraph_comments_stay_whole(seed):
    northern = seed.comments[10]
    assert northern.text.count("\n\n") == 1
    assert northern.text.endswith("exactly what is happening here…")
    assert seed.comments[11].text.count("\n\n") == 1
    assert seed.comments[11].text.startswith("US is ISIS")
    assert seed.comments[12].text.count("\n\n") == 1
    assert seed.comments[12].text.endswith("the Caliph of Raqqa and Obama.")


def test_seed_quote_of_a_comment_makes_a_reply(seed):
    marek = SEED_AUTHORS.index("Marek Pejović")
    reply = next(c for c in seed.comments if c.text.endswith("then must die."))
    assert reply.author is None
    assert reply.parent_index == marek
    [quote] = reply.quotes
    assert quote.source == "comment" and quote.source_index == marek
    assert reply.text[quote.start : quote.end] == "syrians are not a very martial people"
    quoted = seed.comments[marek].text[quote.source_start : quote.source_end]
    assert quoted.casefold() == "syrians are not a very martial people"
    assert 0 < quote.score <= 1
    assert any(h.kind == "quote" for h in reply.heuristics)


def test_seed_quotes_of_the_article(seed):
    comment = next(c for c in seed.comments if c.text.endswith("two different things ;)"))
    assert comment.parent_index is None
    title_quote, article_quote = comment.quotes
    assert title_quote.source == article_quote.source == "article"
    assert comment.text[title_quote.start : title_quote.end] == "Russia To Do ‘Everything’ To Take Back Palmyra"
    assert title_quote.source_start is None and title_quote.source_end is None  # matched the title
    text = "Russia will do all what is possible to take back Palmyra"
    assert comment.text[article_quote.start : article_quote.end] == text
    assert seed.article[article_quote.source_start : article_quote.source_end] == text


def test_seed_comments_without_quotes_have_no_parent(seed):
    for comment in seed.comments:
        if not comment.quotes:
            assert comment.parent_index is None
    assert sum(1 for c in seed.comments if c.quotes) == 2


def test_seed_heuristics_on_every_comment(seed):
    for comment, author in zip(seed.comments, SEED_AUTHORS):
        first = comment.heuristics[0]
        assert first.kind == ("anonymous_comment" if author is None else "author_line")
        assert first.line == comment.line and 0 <= first.score <= 1


def test_seed_sniff_and_detection(seed_text):
    source = SourceText("clipboard", seed_text)
    assert paste.sniff(source) >= 0.5
    assert detect_format(source) == "paste"
    assert detect_format(SourceText("thread.txt", seed_text)) == "paste"


# ------------------------------------------------------------------------------------------- features


@pytest.mark.parametrize("line", ["JUNE 2023", "Tue 12 Dec 2023, 14:05", "12/06/2023", "Updated 3 March 2024 at 9:30 am"])
def test_datelines(line):
    assert dateline_score(line)[0] >= 0.5


@pytest.mark.parametrize("line", ["May I say something", "2 comments", "Palmyra, Syria"])
def test_not_datelines(line):
    assert dateline_score(line)[0] < 0.5


@pytest.mark.parametrize(
    ("line", "is_name"),
    [
        ("Takumi Fujiwara", True),
        ("chris chuba", True),
        ("gfsdyughjgd .", True),
        ("Marek Pejović", True),
        ("probably ground forces", False),
        ("then must die.", False),
        ("two different things ;)", False),
        ("see www.example.com", False),
        ("This is not a name at all, is it", False),
    ],
)
def test_author_lines(line, is_name):
    assert (author_score(line)[0] > 0.5) is is_name


def test_title_and_credit_without_dateline():
    draft = draft_of("Town Hall Burns Down In Small Town\n\nPhoto: Reuters/ J. Doe\n\nThe hall burned down, police said.")
    assert (draft.dateline, draft.title, draft.image_credit) == (
        None,
        "Town Hall Burns Down In Small Town",
        "Photo: Reuters/ J. Doe",
    )
    assert draft.article == "The hall burned down, police said." and draft.comments == []


# ------------------------------------------------------------------------------------ hand-made texts

ARTICLE = "JUNE 2023\n\nTown Hall Burns Down In Small Town\n\nThe town hall burned down on Monday, the mayor said.\n\n"


def test_anonymous_comments_only():
    draft = draft_of("This is the first comment, I think.\n\n\nSecond one here.\n\n\nThird!")
    assert [c.text for c in draft.comments] == ["This is the first comment, I think.", "Second one here.", "Third!"]
    assert [c.author for c in draft.comments] == [None, None, None]
    assert draft.article == "" and draft.title is None and draft.dateline is None
    assert [c.line for c in draft.comments] == [1, 4, 7]


def test_named_comments_only():
    draft = draft_of(ARTICLE + "Anna Berg\n\nWhat a shame.\n\nJonas Ek\n\nIt was an old building.\n\nSecond paragraph.")
    assert draft.title == "Town Hall Burns Down In Small Town"
    assert draft.article == "The town hall burned down on Monday, the mayor said."
    assert [c.author for c in draft.comments] == ["Anna Berg", "Jonas Ek"]
    assert draft.comments[1].text == "It was an old building.\n\nSecond paragraph."


def test_name_followed_by_two_blank_lines_is_a_comment():
    draft = draft_of(ARTICLE + "\nAnna Berg\n\nWhat a shame.\n\n\nJohn Smith\n\n\nAnother comment.")
    assert [(c.author, c.text) for c in draft.comments] == [
        ("Anna Berg", "What a shame."),
        (None, "John Smith"),
        (None, "Another comment."),
    ]


def test_no_header():
    draft = draft_of("Anna Berg\n\nFirst comment.\n\nJonas Ek\n\nsecond comment")
    assert draft.dateline is None and draft.title is None and draft.image_credit is None
    assert draft.article == ""
    assert [(c.author, c.text) for c in draft.comments] == [("Anna Berg", "First comment."), ("Jonas Ek", "second comment")]


def test_lowercase_name_and_disqus_username():
    draft = draft_of(ARTICLE + "\nmaria lopez\n\nno way.\n\nbluefox77 .\n\nAgreed with maria.")
    assert [c.author for c in draft.comments] == ["maria lopez", "bluefox77 ."]


def test_article_only():
    draft = draft_of(
        "Council Approves New Budget For Harbour\n\nThe council met on Monday and approved the budget.\n\n"
        "The harbour will get new cranes next year, a spokesman said."
    )
    assert draft.title == "Council Approves New Budget For Harbour"
    assert draft.article.count("\n\n") == 1
    assert draft.comments == []


def test_whitespace_lines_are_blank_and_lines_are_counted_with_newlines_only():
    text = "\n \n" + ARTICLE + "\u00a0\n \t\nAnna\u2028Berg says hi\x1c there.\n\nMore text\u00a0here."
    draft = draft_of(text)
    [comment] = draft.comments
    assert comment.line == 11  # \u2028 and \x1c are no line breaks
    assert comment.text == "Anna\u2028Berg says hi\x1c there.\n\nMore text\u00a0here."


def test_quote_of_missing_text_is_no_quote():
    draft = draft_of(
        ARTICLE + "Anna Berg\n\nThe fire brigade came late.\n\n\nnobody ever mentioned the insurance money\n\nstrange, isn't it?"
    )
    assert draft.comments[1].quotes == [] and draft.comments[1].parent_index is None


def test_quote_that_is_the_whole_comment_is_no_quote():
    draft = draft_of(ARTICLE + "Anna Berg\n\nThe fire brigade came far too late.\n\n\nThe fire brigade came far too late.")
    assert draft.comments[1].quotes == [] and draft.comments[1].parent_index is None


def test_short_leading_paragraph_is_no_quote():
    draft = draft_of(ARTICLE + "Anna Berg\n\nWhat a shame.\n\n\nWhat a shame.\n\nIndeed it is.")
    assert draft.comments[1].quotes == []


def test_quote_normalisation_and_most_recent_source():
    text = (
        ARTICLE + "Anna Berg\n\nThe brigade\u00a0couldn’t reach the square in time.\n\n"
        "Jonas Ek\n\nAs Anna says, the brigade couldn’t reach the square in time. Sad.\n\n\n"
        "> “The brigade couldn't reach the SQUARE in time”\n\nBecause of the parked cars."
    )
    draft = draft_of(text)
    reply = draft.comments[2]
    [quote] = reply.quotes
    assert quote.source_index == 1 and reply.parent_index == 1  # the most recent comment that says it
    quoted = draft.comments[1].text[quote.source_start : quote.source_end]
    assert quoted == "the brigade couldn’t reach the square in time"
    assert reply.text[quote.start : quote.end] == "> “The brigade couldn't reach the SQUARE in time”"


def test_quote_inside_a_quote_points_to_the_original():
    text = (
        ARTICLE + "Anna Berg\n\nThe brigade could not reach the square.\n\n"
        "Jonas Ek\n\nThe brigade could not reach the square.\n\nThey never can.\n\n\n"
        "The brigade could not reach the square.\n\nBecause of the parked cars."
    )
    draft = draft_of(text)
    assert draft.comments[1].quotes[0].source_index == 0
    assert draft.comments[2].quotes[0].source_index == 0  # Jonas's own text does not contain it


def test_several_leading_quotes():
    text = (
        ARTICLE + "Anna Berg\n\nThe brigade could not reach the square.\n\n"
        "Jonas Ek\n\nthe town hall burned down on Monday\n\nThe brigade could not reach the square\n\nBoth true."
    )
    jonas = draft_of(text).comments[1]
    assert [q.source for q in jonas.quotes] == ["article", "comment"]
    assert jonas.parent_index is None  # the first quote is of the article


def test_empty_input_fails_with_a_reason():
    for text in ("", "  \n\u00a0\n\t"):
        with pytest.raises(ImportFailure) as info:
            list(paste.parse(SourceText("empty.txt", text)))
        assert info.value.line == 1 and info.value.path == "empty.txt" and "empty" in info.value.reason
    with pytest.raises(ImportFailure):
        text_source("<clipboard>", "\n\n")


def test_protocol_and_progress():
    module = importer("paste")
    assert module is paste and module.NAME == "paste" and module.EXTENSIONS == (".txt",)
    seen: list[float] = []
    drafts = list(parse(text_source("<clipboard>", ARTICLE + "Anna Berg\n\nHi."), "paste", progress=seen.append))
    assert len(drafts) == 1 and seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_sniff_is_modest_for_other_formats():
    assert paste.sniff(SourceText("x", '{"id": 1, "text": "hi"}\n{"id": 2, "text": "ho"}\n')) < 0.1
    assert paste.sniff(SourceText("x", "id,text,score\n1,hello,3\n2,bye,4\n3,ok,1\n")) < 0.2
    assert 0.3 <= paste.sniff(SourceText("x", "Just one line of text.")) < 0.5
    assert paste.sniff(SourceText("x", "")) == 0.0


@pytest.mark.slow
def test_scales_linearly():
    comment = (
        "Anna Berg{n}\n\nThe brigade could not reach the square, said nobody at all, number {n}.\n\n\n"
        "the brigade could not reach the square\n\nreply {n}\n\n\n"
    )
    text = ARTICLE + "".join(comment.format(n=n % 300) for n in range(12_000))  # about 2 MB
    started = time.perf_counter()
    draft = draft_of(text)
    assert time.perf_counter() - started < 15
    assert len(draft.comments) == 24_000
    assert all(c.parent_index == i - 1 for i, c in enumerate(draft.comments) if i % 2)


# ------------------------------------------------------------------------------------- layout editing


def test_layout_roles_and_rebuild(seed_text):
    layout = paste.analyse(seed_text)
    roles = [b.role for b in layout.blocks]
    assert roles[:3] == ["dateline", "title", "image_credit"]
    assert roles.count("article") == 4 and roles.count("author") == sum(a is not None for a in SEED_AUTHORS)
    assert all(isinstance(b, Block) and 0 <= b.score <= 1 for b in layout.blocks)
    assert paste.build_draft(layout).comments == draft_of(seed_text).comments


def test_clear_and_set_author(seed_text):
    layout = paste.analyse(seed_text)
    chris = next(i for i, b in enumerate(layout.blocks) if b.text == "chris chuba")
    cleared = paste.build_draft(paste.clear_author(layout, chris))
    assert len(cleared.comments) == 26
    assert cleared.comments[23].author is None and cleared.comments[23].text.startswith("chris chuba\n\nHow about")
    merged = paste.build_draft(paste.clear_author(layout, chris, role="paragraph"))
    assert len(merged.comments) == 25 and "real terror\n\nchris chuba\n\nHow about" in merged.comments[22].text
    restored = paste.build_draft(paste.set_author(paste.clear_author(layout, chris), chris))
    assert [c.author for c in restored.comments] == SEED_AUTHORS
    with pytest.raises(ValueError):
        paste.set_author(layout, len(layout.blocks) - 1)  # nothing after it


def test_set_role_rebuilds_and_moves_quotes(seed_text):
    layout = paste.analyse(seed_text)
    first = next(i for i, b in enumerate(layout.blocks) if b.text.startswith("I am curious"))
    draft = paste.build_draft(paste.set_role(layout, first, "article"))
    assert draft.article.endswith("control since\n\nI am curious what “everything” will mean in the end….")
    assert len(draft.comments) == 25
    reply = next(c for c in draft.comments if c.text.endswith("then must die."))
    assert draft.comments[reply.parent_index].author == "Marek Pejović"  # indices shifted, link follows
    with pytest.raises(ValueError):
        paste.set_role(layout, first, "banner")


def test_remove_quote(seed_text):
    layout = paste.analyse(seed_text)
    quoting = next(q.block for q in layout.quotes if layout.blocks[q.block].text.startswith("syrians are not"))
    draft = paste.build_draft(paste.remove_quote(layout, quoting))
    reply = next(c for c in draft.comments if c.text.endswith("then must die."))
    assert reply.quotes == [] and reply.parent_index is None
    again = paste.build_draft(paste.restore_quote(paste.remove_quote(layout, quoting), quoting))
    assert next(c for c in again.comments if c.text.endswith("then must die.")).parent_index == 16


def test_merge_and_split_blocks():
    layout = paste.analyse(ARTICLE + "Anna Berg\n\nFirst part.\n\nSecond part.")
    second = len(layout.blocks) - 2
    merged = paste.merge_blocks(layout, second)
    assert merged.blocks[second].text == "First part.\n\nSecond part."
    assert paste.build_draft(merged).comments[0].text == "First part.\n\nSecond part."
    split = paste.split_block(merged, second, 1)
    assert [(b.line, b.blanks_before, b.text) for b in split.blocks] == [(b.line, b.blanks_before, b.text) for b in layout.blocks]
    with pytest.raises(ValueError):
        paste.split_block(layout, 0, 1)


# ---------------------------------------------------------------------------------------- demo thread


def test_demo_thread():
    draft = draft_of(DEMO.read_text(encoding="utf-8"), str(DEMO))
    assert draft.dateline == "MARCH 2031"
    assert draft.title.startswith("Harrowmere Council Approves Shelter")
    assert draft.image_credit.startswith("©")
    assert draft.article.count("\n\n") == 3
    assert [c.author for c in draft.comments] == [
        None,
        "Wilhelmina Coyle",
        "Dorian Ashby",
        "mossbank_42 .",
        None,
        "Ferdinand Lusk",
        "Wilhelmina Coyle",
        None,
        "hollis brandt",
        None,
        "Gideon Marwick",
        "quietharbour .",
    ]
    assert draft.comments[3].text.count("\n\n") == 2  # the multi-paragraph comment
    [article_quote] = draft.comments[5].quotes
    assert article_quote.source == "article" and draft.comments[5].parent_index is None
    assert draft.article[article_quote.source_start : article_quote.source_end] == (
        "we have a duty to the families who lost everything"
    )
    [reply_quote] = draft.comments[8].quotes
    assert reply_quote.source == "comment" and reply_quote.source_index == 7 and draft.comments[8].parent_index == 7
    assert draft.comments[7].text[reply_quote.source_start : reply_quote.source_end] == (
        "you will never get them out of Harrowmere again"
    )
    assert [i for i, c in enumerate(draft.comments) if c.quotes] == [5, 8]
