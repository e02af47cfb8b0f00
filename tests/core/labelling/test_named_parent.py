"""A reply with no stored parent shows the earlier comment whose author it names ("Dorian has a point")."""

import pytest
from helpers.probes import queue_page

from moderator.core.demo import load_demo
from moderator.core.labelling.context import comment_context
from moderator.core.labelling.named_parent import named_parent, names_author
from moderator.core.team.accounts import ensure_annotator

THREAD = [("Gideon Marwick", "gideon"), ("hollis brandt", "hollis"), ("mossbank_42 .", "mossbank"), ("Dorian Ashby", "dorian")]


def parent(text, candidates=THREAD, own=None):
    return named_parent(text, candidates, own_author=own)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dorian has a point about parking on Quay Lane", "dorian"),  # first name at the start
        ("Dorian Ashby is right about parking", "dorian"),
        ("Parking, Dorian: you are right about it", "dorian"),  # first name followed by a colon
        ("I agree with Dorian Ashby, parking is impossible", "dorian"),
        ("It was on page two last week, Dorian.", "dorian"),  # set off by a comma at the end of a sentence
        ("@mossbank_42 you're wrong", "mossbank"),
        ("you're wrong @MossBank_42!", "mossbank"),  # handles in any case
        ("@DorianAshby read the article", "dorian"),
        ("@dorian_ashby read the article", "dorian"),
        ("@Dorian read the article", "dorian"),
        ("Hollis, these are families", "hollis"),  # a lowercase name in any case
        ("hollis brandt said it better", "hollis"),
        ("“Dorian, you again”", "dorian"),  # after an opening quote
    ],
)
def test_a_reply_naming_an_earlier_author_finds_that_comment(text, expected):
    assert parent(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I think Dorian mentioned parking",  # named in passing, not addressed
        "dorian has a point",  # a capitalised name only as written
        "Doriana has a point",  # whole words only
        "Dorian-Gray has a point",
        "write to me@mossbank_42 please",  # an e-mail address, no @mention
        "The council could open the yard to residents",
    ],
)
def test_a_name_in_passing_or_inside_another_word_is_no_parent(text):
    assert parent(text) is None


def test_the_nearest_named_author_wins_and_each_author_once():
    candidates = [("Dorian Ashby", "dorian-late"), ("Wilhelmina Coyle", "wilhelmina"), ("Dorian Ashby", "dorian-early")]
    assert parent("Wilhelmina, Dorian: you are both wrong", candidates) == "dorian-late"
    assert parent("Wilhelmina, you are wrong", candidates) == "wilhelmina"


def test_never_the_comments_own_author_nor_a_placeholder():
    assert parent("Dorian here, as I said before", own="Dorian Ashby") is None
    assert parent("Dorian, as I said before", own="Gideon Marwick") == "dorian"
    for placeholder in ("Anonymous", "anonymous", "Guest", "[deleted]"):
        assert not names_author(f"{placeholder}, you are wrong", placeholder)
        assert not names_author(f"@{placeholder} you are wrong", placeholder)


@pytest.mark.parametrize(
    ("author", "text"),
    [
        ("The", "The council could open the yard"),
        ("Well", "Well, that settles it"),
        ("Well", "Well has a point"),
        ("Will Smith", "Will they ever learn"),
        ("Al Jones", "Al, you are wrong"),  # a first name of fewer than three letters
        ("quietharbour", "quietharbour you are wrong"),  # a one-word name needs , : or has/is…
        ("Dorian", "Dorian built the ropeworks"),
    ],
)
def test_common_words_short_names_and_bare_one_word_names_are_not_taken_as_names(author, text):
    assert not names_author(text, author)


@pytest.mark.parametrize(
    ("author", "text"),
    [
        ("quietharbour .", "quietharbour, you are wrong"),
        ("quietharbour .", "Quietharbour has a point"),
        ("Dorian", "Dorian's point stands"),
        ("Dorian", "Dorian: the yard is open"),
        ("Al Jones", "Al Jones, you are wrong"),
        ("Will Smith", "@will you are wrong"),
    ],
)
def test_a_one_word_or_short_name_still_names_its_author_when_clearly_addressed(author, text):
    assert names_author(text, author)


def test_the_demo_threads_replies_show_the_comment_they_answer(engine):
    load_demo(engine)
    items = {item.position: item.id for item in queue_page(engine, ensure_annotator(engine, "ana"))}
    quiet = comment_context(engine, items[11])  # quietharbour: "Dorian has a point about parking…"
    assert quiet.parents == [] and quiet.named_parent is not None
    assert (quiet.named_parent.author, quiet.named_parent.position) == ("Dorian Ashby", 2)
    assert quiet.named_parent.text.startswith("Parking on Quay Lane")
    answer = comment_context(engine, items[6])  # Wilhelmina: "…for three years, Ferdinand."
    assert (answer.named_parent.author, answer.named_parent.position) == ("Ferdinand Lusk", 5)
    assert comment_context(engine, items[2]).named_parent is None  # Dorian names nobody
    stored = comment_context(engine, items[8])  # hollis brandt's reply has a stored parent: that is enough
    assert [p.position for p in stored.parents] == [7] and stored.named_parent is None
