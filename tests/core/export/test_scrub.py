"""The export's scrubber on tricky strings: what becomes a placeholder, what is left alone, how user names
are numbered and how offsets move with a scrubbed text."""

import pytest

from moderator.core.export.scrub import Scrubber, remap, remap_spans


def scrub(text: str, thread=None) -> str:
    return (thread or Scrubber().thread(1)).scrub(text)[0]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("mail ana.lopez+news@example.org today", "mail [EMAIL] today"),
        ("write to @ana or ana@example.org", "write to [USER_1] or [EMAIL]"),  # the address is no mention of "example"
        ("(ana_l@mail.example.co.uk)", "([EMAIL])"),
        ("mailto:ana@example.org?subject=hi", "[EMAIL]"),
        ("bob@localhost is no address", "bob@localhost is no address"),
        ("follow @bob@mastodon.social and @Bob", "follow [USER_1] and [USER_2]"),
        ("thanks @Bob.", "thanks [USER_1]."),
        ("meet @ 5, or @5pm", "meet @ 5, or @5pm"),
    ],
)
def test_e_mail_addresses_and_mentions(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("from 192.168.1.20, again", "from [IP], again"),
        ("blocked 10.0.0.0/8.", "blocked [IP]."),
        ("version 1.2.3 and v1.2.3.4", "version 1.2.3 and v1.2.3.4"),
        ("not 10.0.0.256 nor 1.2.3.4.5", "not 10.0.0.256 nor 1.2.3.4.5"),
        ("on 12.05.2019 at 10:30:45", "on 12.05.2019 at 10:30:45"),
        ("v6 2001:db8::8a2e:370:7334, ::1 and fe80::1", "v6 [IP], [IP] and [IP]"),
        ("std::vector and a::b::c", "std::vector and a::b::c"),
        ("full 2001:0db8:0000:0000:0000:ff00:0042:8329", "full [IP]"),
    ],
)
def test_ip_addresses_but_not_versions_dates_or_times(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("call +44 20 7946 0958 now", "call [PHONE] now"),
        ("or (555) 123-4567, or 555-123-4567.", "or [PHONE], or [PHONE]."),
        ("mobile 07700900123 / 06-12345678", "mobile [PHONE] / [PHONE]"),
        ("Paris +33 1 23 45 67 89; 01 23 45 67 89", "Paris [PHONE]; [PHONE]"),
        ("US 555.123.4567 and 0044 20 7946 0958", "US [PHONE] and [PHONE]"),
    ],
)
def test_phone_numbers(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "in 1999 2000 2001 it cost $1,000,000, or 1 234 567 890 in all",
        "ticket id 123456789 and timestamp 1569888000",
        "posted 2019-06-03 12:30, 03/06/2019 15:00",
        "read https://www.cbc.ca/news/politics/refugees-resettlement-1.5157001 and www.example.org/a/20190603123456",
        "8% of 5,000 is 400; call me at 5 pm",
    ],
)
def test_years_prices_ids_and_ordinary_links_are_left_alone(text):
    assert scrub(text) == text


@pytest.mark.parametrize(
    "url",
    [
        "https://www.reddit.com/user/Spez/comments/",
        "https://old.reddit.com/u/someone",
        "reddit.com/u/someone",
        "https://twitter.com/jack/status/20",
        "x.com/elonmusk",
        "https://www.facebook.com/dave.r.ferries",
        "instagram.com/ana.lopez",
        "https://github.com/torvalds/linux",
        "https://news.ycombinator.com/user?id=pg",
        "https://mastodon.social/@Gargron",
        "https://www.linkedin.com/in/ana-lopez",
    ],
)
def test_profile_urls_become_url(url):
    assert scrub(f"see {url}.") == "see [URL]."
    assert scrub(f"(see {url})") == "(see [URL])"


@pytest.mark.parametrize(
    "url",
    [
        "https://twitter.com/search?q=ferries",
        "https://www.reddit.com/r/canada/comments/bv1a01/ottawa/",
        "https://news.ycombinator.com/item?id=123",
        "https://github.com/about",
        "https://en.wikipedia.org/wiki/Ferry_(disambiguation)",
    ],
)
def test_other_links_are_kept(url):
    assert scrub(f"see {url} now") == f"see {url} now"


def test_addresses_inside_a_kept_link_are_replaced():
    assert scrub("http://203.0.113.5/admin?from=ana@example.org") == "http://[IP]/admin?from=[EMAIL]"


def test_user_names_are_numbered_per_thread_in_order_of_first_appearance():
    scrubber = Scrubber()
    thread = scrubber.thread(1)
    assert scrub("@Ana said u/bob_99 is wrong", thread) == "[USER_1] said [USER_2] is wrong"
    assert scrub("/u/ana and @BOB_99 and @carol", thread) == "[USER_1] and [USER_2] and [USER_3]"
    other = scrubber.thread(2)  # the next thread starts again
    assert scrub("@carol then @ana", other) == "[USER_1] then [USER_2]"
    assert scrubber.counts.users == 5


def test_a_comment_is_scrubbed_once_and_its_parent_text_is_its_text():
    scrubber = Scrubber()
    first = scrubber.text(1, "About @ana", None, 10, "hi @bob, mail bob@example.org")
    reply = scrubber.text(1, "About @ana", None, 11, "@carol no", parent_id=10, parent_text="hi @bob, mail bob@example.org")
    assert first.title == reply.title == "About [USER_1]" and first.text == "hi [USER_2], mail [EMAIL]"
    assert reply.parent_text == first.text and reply.text == "[USER_3] no"
    counts = scrubber.counts
    assert dict(counts.found) == {"user": 3, "email": 1} and counts.texts == 3  # the parent text counted once
    # a reply before its parent (out of order) numbers the parent's names then, and the parent keeps them
    early = Scrubber()
    reply = early.text(1, None, None, 11, "@carol", parent_id=10, parent_text="@bob")
    parent = early.text(1, None, None, 10, "@bob")
    assert reply.parent_text == parent.text == "[USER_1]" and reply.text == "[USER_2]"


def test_text_without_personal_data_is_the_same_object():
    text = "Nothing to see here, just 2 ferries at 10:30."
    thread = Scrubber().thread(1)
    assert thread.scrub(text)[0] is text and thread.scrub(text)[1] == ()


def test_offsets_move_with_the_scrubbed_text():
    text = "hi ana.lopez@example.org, bye @someone_long_name ok"
    scrubbed, edits = Scrubber().thread(1).scrub(text)
    assert scrubbed == "hi [EMAIL], bye [USER_1] ok"
    for word in ("hi", "bye", "ok"):
        start = text.index(word)
        assert scrubbed[remap(start, edits) : remap(start + len(word), edits, end=True)] == word
    # a span over part of an address covers its placeholder
    inside = text.index("lopez")
    assert scrubbed[remap(inside, edits) : remap(inside + 3, edits, end=True)] == "[EMAIL]"
    [span] = remap_spans([{"start": text.index("bye"), "end": len(text), "question": "q"}], edits)
    assert scrubbed[span["start"] : span["end"]] == "bye [USER_1] ok" and span["question"] == "q"
    assert remap(None, edits) is None and remap(5, ()) == 5
