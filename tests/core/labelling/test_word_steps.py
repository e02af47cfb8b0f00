"""Keyboard word steps for rationale spans: whole words, never punctuation, never past the text."""

from hypothesis import given
from hypothesis import strategies as st

from moderator.core.labelling.word_steps import step, words

TEXT = "Then they must die. Don't let the so-called 'guests' stay!"


def test_next_previous_grow_and_shrink_move_by_whole_words():
    first = step(TEXT, 0, 0, "next")
    assert TEXT[slice(*first)] == "Then"
    three = step(TEXT, *step(TEXT, *first, "grow"), "grow")
    assert TEXT[slice(*three)] == "Then they must"
    assert TEXT[slice(*step(TEXT, *three, "grow"))] == "Then they must die"  # not the full stop
    assert TEXT[slice(*step(TEXT, *three, "shrink"))] == "Then they"
    assert TEXT[slice(*step(TEXT, *first, "shrink"))] == "Then"  # never less than one word
    dont = step(TEXT, *step(TEXT, *three, "next"), "next")
    assert TEXT[slice(*dont)] == "Don't"
    assert TEXT[slice(*step(TEXT, *dont, "previous"))] == "die"
    so_called = step(TEXT, *step(TEXT, *step(TEXT, *dont, "next"), "next"), "next")
    assert TEXT[slice(*so_called)] == "so-called"


def test_a_caret_after_a_marked_span_steps_on_from_there():
    assert TEXT[slice(*step(TEXT, 9, 9, "next"))] == "must"
    assert TEXT[slice(*step(TEXT, 9, 9, "grow"))] == "must"


def test_at_either_end_the_selection_stays():
    last = words(TEXT)[-1]
    assert step(TEXT, *last, "next") == last and step(TEXT, *words(TEXT)[0], "previous") == words(TEXT)[0]
    assert step("", 0, 0, "next") == (0, 0) and step("!!", 0, 0, "grow") == (0, 0)


@given(st.text(max_size=60), st.lists(st.sampled_from(["next", "previous", "grow", "shrink"]), max_size=12))
def test_any_steps_on_any_text_select_within_the_text_from_word_start_to_word_end(text, moves):
    start = end = 0
    starts, ends = {a for a, _ in words(text)} | {0}, {b for _, b in words(text)} | {0}
    for move in moves:
        start, end = step(text, start, end, move)
        assert 0 <= start <= end <= len(text) and start in starts and end in ends
