"""Disqus XML exports: threads, nested posts, HTML messages, deleted and spam posts, and hostile XML."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers.import_checks import FIXTURES, cli_import, comments, quoted, refused, snapshot, threads
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from moderator.core.importing.formats import ImportFailure, detect_format, disqus, read_source
from moderator.core.importing.sources import reading
from moderator.core.importing.sources.html_text import html_to_text
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, ImportBatch, Thread

EXPORT = FIXTURES / "disqus-export.xml"


def test_export_round_trips(engine, capsys):
    status, out, err = cli_import(engine, capsys, EXPORT)
    assert status == 0, err
    assert "(disqus): 7 comments in 2 new threads" in out and "1 reply whose parent is missing" in out
    found = threads(engine)
    assert list(found) == ["7781230451", "7781230999"]
    fares, camp = found.values()
    assert fares.title == "Ferry fares rise 8% & islanders push back"
    assert fares.url == "https://harbourtimes.example/news/2019/06/ferry-fares-rise"
    assert fares.article == (
        "BC Ferries will raise fares on the minor routes by 8% from July.\n\n"
        "Island councils say the increase will hit commuters hardest."
    )
    assert fares.published_at.replace(tzinfo=UTC) == datetime(2019, 6, 3, 14, 5, 11, tzinfo=UTC)
    assert fares.meta["category"] == "General" and fares.meta["identifier"] == "news-2019-06-ferry-fares"
    assert camp.meta["closed"] is True and camp.meta["orphans"] == 1

    c = comments(engine)
    assert {k: (v["thread"], v["parent"], v["depth"]) for k, v in c.items()} == {
        "4460001001": ("7781230451", None, 0),
        "4460001002": ("7781230451", "4460001001", 1),
        "4460001003": ("7781230451", "4460001002", 2),
        "4460001004": ("7781230451", None, 0),
        "4460002001": ("7781230999", None, 0),
        "4460002002": ("7781230999", "4460002001", 1),
        "4460002003": ("7781230999", None, 0),  # its parent is not in the export
    }
    assert c["4460002003"]["meta"]["missing_parent_id"] == "4460001999"
    assert c["4460001004"]["meta"]["spam"] is True and c["4460001004"]["text"] == "CHEAP FERRY TICKETS >>> click here"
    assert c["4460002001"]["meta"]["deleted"] is True
    assert c["4460002001"]["text"] == "Clear them out. These people are a disease on the neighbourhood."
    assert not {"deleted", "spam"} & c["4460001001"]["meta"].keys()
    assert c["4460001002"]["text"] == (
        "Commuters can\u2019t keep absorbing this.\n\nThen move to the mainland like normal people.\nNobody forced you onto a rock."
    )
    assert c["4460001003"]["text"] == "Dave, some of us work in healthcare on those islands & we're short-staffed already."
    assert (c["4460001002"]["author"], c["4460001002"]["meta"]["username"]) == ("Dave R", "daver_van")
    assert quoted(c, "4460001002") == [("Commuters can\u2019t keep absorbing this.",) * 2]
    assert quoted(c, "4460002002") == [("a disease on the neighbourhood",) * 2]
    # commenters' e-mail and IP addresses never reach the database
    rows = repr(snapshot(engine))
    assert "example.org" not in rows and "203.0.113" not in rows


def test_sniffed_by_content_and_extension(tmp_path):
    assert detect_format(read_source(EXPORT)) == "disqus"
    renamed = tmp_path / "harbourtimes-2019-06-10T0912"
    renamed.write_bytes(EXPORT.read_bytes())
    assert detect_format(read_source(renamed)) == "disqus"
    assert disqus.sniff(read_source(FIXTURES / "reddit-thread.json")) == 0.0


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE disqus [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <post dsq:id="1"><message>&lol9;</message><thread dsq:id="2" /></post>
</disqus>
"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE disqus [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <post dsq:id="1"><message>&secret;</message><thread dsq:id="2" /></post>
</disqus>
"""


def test_hostile_and_broken_xml_is_refused_and_changes_nothing(engine, capsys, tmp_path):
    cli_import(engine, capsys, EXPORT)

    def write(name, data):
        path = tmp_path / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        return path

    refused(engine, capsys, write("laughs.xml", BILLION_LAUGHS), 2, "DTD")
    refused(engine, capsys, write("external.xml", EXTERNAL), 2, "DTD")
    text = EXPORT.read_text()
    refused(engine, capsys, write("truncated.xml", text[: text.index('<post dsq:id="4460001003">')]), None, "cut off")
    refused(
        engine,
        capsys,
        write("mismatched.xml", text.replace("</title>\n    <message />", "</titel>\n    <message />")),
        30,
        "mismatched tag",
    )
    refused(engine, capsys, write("entity.xml", text.replace("Dave R", "Dave &R;")), 64, "undefined entity")
    refused(engine, capsys, write("latin1.xml", text.replace("Dave R", "D\u00e9sir\u00e9").encode("latin-1")), 64, "UTF-8")
    refused(
        engine,
        capsys,
        write("feed.xml", '<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n'),
        2,
        "not a Disqus export",
    )
    refused(
        engine,
        capsys,
        write("orphan.xml", text.replace('<thread dsq:id="7781230451" />\n    <parent', "<parent")),
        56,
        "names no thread",
    )


def test_html_to_text():
    assert html_to_text("<p>One &amp; two</p><p>Three<br/>four</p>") == ("One & two\n\nThree\nfour", [])
    text, quotes = html_to_text("<blockquote><p>quoted <i>words</i></p><blockquote>inner</blockquote></blockquote>reply")
    assert text == "quoted words\n\ninner\n\nreply"
    assert [text[a:b] for a, b in quotes] == ["quoted words\n\ninner"]  # a nested quote belongs to the outer one
    assert html_to_text("<script>alert(1)</script>a  <b>b</b>\n c")[0] == "a b c"
    assert html_to_text("x &lt;b&gt; y")[0] == "x <b> y"  # escaped markup stays text


_PIECES = ["a", "b c", " ", "\n", "\t", "\r\n", "<p>", "</p>", "<br>", "<br/>", "<i>", "</i>", "<div>", "<li>", "&amp;",
           "&nbsp;", "\u00a0", "&#10;", "<script>x</script>", "  word  ", "<!-- c -->", "\x0b", "\u2028"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_a_message_without_quotes_reads_as_one_with_an_empty_quote(pieces):
    """Text without quote spans skips the character-by-character offset map: the same text as with it."""
    html = "".join(pieces)
    assert html_to_text(html) == (html_to_text(html + "<blockquote></blockquote>")[0], [])


def test_the_sources_marks_reach_the_annotators_context(engine, capsys):
    from sqlalchemy import select

    from moderator.core.labelling.context import comment_context
    from moderator.core.store.tables import Comment

    cli_import(engine, capsys, EXPORT)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Comment.external_id, Comment.id)).all())
    marks = {ext: comment_context(engine, cid).comment.source_status for ext, cid in ids.items()}
    assert sorted(m for m in marks.values() if m) == ["deleted", "spam"]
    assert marks["4460001001"] is None


def test_a_malformed_marked_section_in_a_message_is_shown_as_text_not_a_crash():
    # Found by the atheris fuzzer: Python's HTML parser asserts on "<![" + an unknown keyword.
    from moderator.core.importing.sources.html_text import html_to_text

    text, quotes = html_to_text("a <![CDATd_it b <blockquote>q</blockquote> c")
    assert text == "a <![CDATd_it b\n\nq\n\nc" and quotes == [(17, 18)]


def test_an_export_read_in_small_pieces_gives_the_same_threads_and_lines(monkeypatch, tmp_path):
    """The export is fed to the parser a piece at a time: the same drafts, and errors at the same lines."""
    whole = list(disqus.parse(read_source(EXPORT)))
    monkeypatch.setattr(reading, "BLOCK", 64)
    assert list(disqus.parse(read_source(EXPORT))) == whole
    broken = tmp_path / "mismatched.xml"
    broken.write_text(EXPORT.read_text().replace("</title>\n    <message />", "</titel>\n    <message />"))
    with pytest.raises(ImportFailure, match="mismatched tag") as info:
        list(disqus.parse(read_source(broken)))
    assert info.value.line == 30


def test_posts_scattered_among_threads_make_whole_threads_in_order_of_first_post(tmp_path):
    path = tmp_path / "export.xml"
    path.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<post dsq:id="b2"><message>reply first</message><thread dsq:id="B"/><parent dsq:id="b1"/></post>\n'
        '<thread dsq:id="A"><title>Thread A</title></thread>\n'
        '<post dsq:id="a1"><message>&lt;p&gt;in A&lt;/p&gt;</message><thread dsq:id="A"/></post>\n'
        '<post dsq:id="b1"><message>root of B</message><thread dsq:id="B"/></post>\n'
        "</disqus>\n"
    )
    b, a = disqus.parse(read_source(path))
    assert (b.external_id, b.line, b.metadata, [(c.external_id, c.parent_index) for c in b.comments]) == (
        "B", 2, {"thread_missing": True}, [("b2", 1), ("b1", None)])  # fmt: skip
    assert (a.external_id, a.title, a.line, [c.text for c in a.comments]) == ("A", "Thread A", 3, ["in A"])


def test_a_bad_post_in_a_later_thread_writes_nothing(engine, tmp_path):
    """Thread A is written before thread B is built; B's bad date still undoes the whole import."""
    path = tmp_path / "export.xml"
    path.write_text(
        '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
        '<post dsq:id="a1"><message>fine</message><thread dsq:id="A"/></post>\n'
        '<post dsq:id="b1"><message>late</message><createdAt>yesterday</createdAt><thread dsq:id="B"/></post>\n'
        "</disqus>\n"
    )
    with pytest.raises(ImportFailure, match=r"export\.xml:3: <createdAt> 'yesterday'"):
        import_paths(engine, [path])
    with engine.connect() as conn:
        assert [conn.scalar(select(func.count()).select_from(t)) for t in (ImportBatch, Thread, Comment)] == [0, 0, 0]
