"""Lexicon exceptions: words right after a term, or right before it in the same clause, cancel its match,
so a sacrifice ("should die for their country") or a negation ("no one should die") is no call for violence."""

import pytest

from moderator.core.wellbeing import lexicon as lx
from moderator.core.wellbeing.lexicon import LexiconError, Severity, parse_lexicon

SMALL = """
[categories.violence]
label = "call for violence"
inflect = "verb"
terms = ["should [all] die", "deserve to die", "shoot", "shoot them [all]"]

[[categories.violence.exceptions]]
terms = ["should [all] die"]
followed_by = ["for", "in [utter] vain"]

[[categories.violence.exceptions]]
terms = ["should [all] die", "deserve to die"]
preceded_by = ["no ...", "nobody"]

[[categories.violence.exceptions]]
terms = ["shoot them [all]"]
followed_by = ["with a camera"]

[categories.vermin]
label = "vermin metaphor"
terms = ["rat"]

[[categories.vermin.exceptions]]
preceded_by = ["desert", "lab"]
"""


@pytest.fixture
def small():
    return parse_lexicon(SMALL, "small.toml")


@pytest.fixture(scope="module")
def bundled():
    return parse_lexicon(lx.bundled_path().read_text(encoding="utf-8"), "bundled")


def found(lexicon, text):
    return [(text[m.start : m.end], m.category.id) for m in lexicon.find(text)]


def test_a_phrase_right_after_the_term_cancels_it(small):
    assert found(small, "Soldiers should die for their country") == []
    assert found(small, "they should all die in vain, and in utter vain") == []
    assert found(small, "they should die in utter vain") == []
    assert found(small, "they should die in agony") == [("should die", "violence")]
    assert found(small, "they deserve to die for this") == [("deserve to die", "violence")]  # not that term's exception


def test_a_phrase_right_before_the_term_cancels_it_and_dots_stand_for_a_few_words(small):
    assert found(small, "no foreign man should die for cowards") == []
    assert found(small, "No one should die") == [] and found(small, "nobody deserves to die") == []
    assert found(small, "no human being should die in agony") == []  # "no" + three words
    assert found(small, "no, not one human being should die") == [("should die", "violence")]  # more than three


def test_exceptions_stop_at_the_end_of_a_clause(small):
    assert found(small, "Nobody cares, they should all die") == [("should all die", "violence")]
    assert found(small, "No. They should die") == [("should die", "violence")]
    assert found(small, "they should die. For real") == [("should die", "violence")]
    assert found(small, "they should die: for sure") == [("should die", "violence")]


def test_a_cancelled_match_gives_way_to_a_shorter_term_with_no_such_exception(small):
    assert found(small, "shoot them with a camera") == [("shoot", "violence")]
    assert found(small, "shoot them all now") == [("shoot them all", "violence")]


def test_a_table_naming_no_terms_is_for_every_term_of_its_category(small):
    assert found(small, "a desert rat, lab rats, and sewer rats") == [("rats", "vermin")]


def test_exception_words_match_as_written_without_inflections(small):
    assert found(small, "NOBODY should die") == [] and found(small, "nobodies should die") == [("should die", "violence")]


@pytest.mark.parametrize(
    "text",
    [
        "no foreign man should die for cowards",
        "No foreign man should die for cowards.",
        "Young men should die for their country, they said.",
        "No one should die like that.",
        "Nobody deserves to die over a parking space.",
        "No child should be shot on the way to school.",
        "I don't think anyone should die.",
        "They must die for the cause, the old song goes.",
    ],
)
def test_the_bundled_lexicon_does_not_read_sacrifice_or_negation_as_a_call(bundled, text):
    assert [m for m in bundled.find(text) if m.category.id == "violence"] == []
    assert bundled.severity(text) == Severity.NONE


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("If they will not leave, then must die.", "must die"),
        ("they should all die", "should all die"),
        ("these people should die", "should die"),
        ("Traitors like him should be shot", "should be shot"),
        ("they deserve to die", "deserve to die"),
        ("They deserve to die for what they did", "deserve to die"),
        ("Nobody cares, they should all die.", "should all die"),
        ("No, these people should die.", "should die"),
        ("these people should die. For good.", "should die"),
        ("they should die for their crimes", "should die"),  # only a cause one dies for cancels "die for"
    ],
)
def test_the_bundled_lexicon_still_finds_real_calls_for_violence(bundled, text, phrase):
    assert (phrase, "violence") in found(bundled, text)
    assert bundled.severity(text) == Severity.SEVERE


@pytest.mark.parametrize(
    ("table", "line", "reason"),
    [
        ('[[categories.x.exceptions]]\nfollowed_by = ["for"]\ncolour = 1\n', 4, "unknown key 'colour'"),
        ('[[categories.x.exceptions]]\nterms = ["b"]\n', 4, "needs followed_by or preceded_by"),
        ('[[categories.x.exceptions]]\nterms = ["nope"]\npreceded_by = ["no"]\n', 5, "'nope' is not one of the category's terms"),
        ('[[categories.x.exceptions]]\nfollowed_by = "for"\n', 5, "followed_by must be a list of text"),
        (
            '[[categories.x.exceptions]]\nfollowed_by = ["for"]\n[[categories.x.exceptions]]\npreceded_by = ["[no"]\n',
            6,
            "unbalanced",
        ),
    ],
)
def test_a_broken_exceptions_table_names_its_line(table, line, reason):
    text = '[categories.x]\nterms = ["a", "b"]\n\n' + table
    with pytest.raises(LexiconError) as exc:
        parse_lexicon(text, "mine.toml")
    assert str(exc.value).startswith(f"mine.toml:{line}: ") and reason in str(exc.value)
