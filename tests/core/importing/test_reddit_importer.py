"""Reddit: Pushshift NDJSON (plain or streamed from .zst) and a thread's .json, through a real import."""

from __future__ import annotations

import json
import os

import pytest
import zstandard
from helpers.import_checks import FIXTURES, cli_import, comments, quoted, refused, threads

from moderator.core.importing.formats import ImportFailure, detect_format, parse, read_source, text_source
from moderator.core.importing.formats.reddit import reader as reddit

DUMP = FIXTURES / "reddit-pushshift.ndjson"
THREAD = FIXTURES / "reddit-thread.json"


def compressed(tmp_path, data: bytes, name="RC_sample.zst", frames=1) -> object:
    """The dump compressed like Pushshift's (no content size, so a reader must stream), in one or more frames."""
    size = len(data) // frames + 1
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    path = tmp_path / name
    path.write_bytes(b"".join(zstandard.ZstdCompressor(write_content_size=False).compress(p) for p in parts))
    return path


def check_dump(engine):
    found = threads(engine)
    # the post of bv9x02 comes after its first comment; the thread keeps its place and takes the title
    assert list(found) == ["bv1a01", "bv9x02"]
    refugees, buses = found.values()
    assert refugees.title == "Ottawa to resettle 5,000 more refugees & fund language classes"
    assert refugees.url == "https://www.reddit.com/r/canada/comments/bv1a01/ottawa_to_resettle_5000_more_refugees/"
    assert refugees.meta["link_url"].startswith("https://www.cbc.ca/") and refugees.meta["orphans"] == 1
    assert buses.article == "Starting June 10 the city will add two new routes & cut the 435 express.\n\nDetails on the STM site."

    c = comments(engine)
    assert {k: (v["thread"], v["parent"], v["depth"]) for k, v in c.items()} == {
        "epk0001": ("bv1a01", None, 0),
        "epk0002": ("bv1a01", "epk0001", 1),
        "epk0003": ("bv1a01", "epk0002", 2),
        "epk0004": ("bv1a01", "epk0003", 3),
        "epk0005": ("bv1a01", None, 0),
        "epk0006": ("bv1a01", None, 0),  # replies to t1_epjzzzz, not in the dump
        "epm0101": ("bv9x02", None, 0),
        "epm0102": ("bv9x02", None, 0),
        "epm0103": ("bv9x02", "epm0102", 1),
        "epm0104": ("bv9x02", "epm0103", 2),
    }
    assert c["epk0006"]["meta"]["missing_parent_id"] == "epjzzzz"
    assert (c["epk0003"]["text"], c["epk0003"]["author"], c["epk0003"]["meta"]["deleted"]) == ("[deleted]", None, True)
    assert (c["epk0005"]["text"], c["epk0005"]["meta"]["removed"]) == ("[removed]", True)
    assert "deleted" not in c["epk0004"]["meta"] and "removed" not in c["epk0004"]["meta"]
    assert c["epm0102"]["text"] == "Cutting the 435 is a mistake <sigh>."  # entities decoded
    assert quoted(c, "epk0002") == [("it worked out fine",) * 2]
    assert quoted(c, "epm0101", buses.article) == [("the city will add two new routes",) * 2]
    assert [q[2:4] for q in c["epm0101"]["quotes"]] == [("article", None)]
    assert quoted(c, "epm0103") == [("Cutting the 435 is a mistake\n> <sigh>", "Cutting the 435 is a mistake <sigh>")]
    # quoted words found nowhere: no quote span, but not forgotten
    assert c["epm0104"]["quotes"] == [] and c["epm0104"]["meta"]["unlinked_quotes"] == [[2, 31]]


def test_pushshift_dump_round_trips(engine, capsys):
    status, out, err = cli_import(engine, capsys, DUMP)
    assert status == 0, err
    assert "(reddit): 10 comments in 2 new threads" in out and "1 reply whose parent is missing" in out
    check_dump(engine)


@pytest.mark.parametrize("frames", [1, 3])
def test_zst_dump_is_streamed_and_round_trips(engine, capsys, tmp_path, frames):
    path = compressed(tmp_path, DUMP.read_bytes(), frames=frames)
    source = read_source(path)
    assert source.text == "" and source.compressed == "zstd"  # nothing decompressed up front
    assert detect_format(source) == "reddit"
    status, out, err = cli_import(engine, capsys, path)
    assert status == 0, err
    assert "(reddit): 10 comments in 2 new threads" in out
    check_dump(engine)


def test_zst_is_recognised_by_its_magic_number_without_the_extension(tmp_path):
    path = compressed(tmp_path, DUMP.read_bytes(), name="RC_2019-06")
    assert sum(len(t.comments) for t in parse(read_source(path))) == 10


def test_corrupt_and_cut_off_zst_are_refused(engine, capsys, tmp_path):
    cli_import(engine, capsys, DUMP)
    data = many_threads(300)  # several compressed blocks, so a cut one leaves whole lines before it
    good = compressed(tmp_path, data).read_bytes()
    corrupt = tmp_path / "corrupt.zst"
    corrupt.write_bytes(good[:40] + bytes(b ^ 0x5A for b in good[40:80]) + good[80:])
    refused(engine, capsys, corrupt, 1, "corrupt")
    cut = tmp_path / "cut.zst"
    cut.write_bytes(good[: len(good) * 2 // 3])
    err = refused(engine, capsys, cut, None, "cut off")
    assert int(err[len(str(cut)) + 1 :].split(":")[0]) > 100  # the line where the data stops
    fake = tmp_path / "fake.zst"
    fake.write_bytes(b"not compressed\n" + DUMP.read_bytes())
    refused(engine, capsys, fake, 1, "not a Zstandard")


def test_a_zst_decompression_bomb_is_refused_within_the_size_bounds(engine, capsys, tmp_path, monkeypatch):
    from moderator.core.importing.sources import reading

    cli_import(engine, capsys, DUMP)
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 1_000_000)
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 5_000_000)
    one_line = compressed(tmp_path, b"a" * 2_000_000, name="line.zst")  # kilobytes that inflate to one long line
    assert one_line.stat().st_size < 10_000
    refused(engine, capsys, one_line, 1, "longer than")
    many_lines = compressed(tmp_path, (b"b" * 999 + b"\n") * 6_000, name="lines.zst")
    refused(engine, capsys, many_lines, None, "decompressed", "larger than")


def many_threads(copies: int) -> bytes:
    """Copies of the dump as distinct threads, each line with a random field so it compresses like real data."""
    out = []
    for i in range(copies):
        for line in DUMP.read_bytes().splitlines():
            for old in (b"bv1a01", b"bv9x02", b"epk000", b"epm010"):
                line = line.replace(old, old[:-2] + b"%05d" % i)
            out.append(line[:-1] + b', "nonce": "%s"}\n' % os.urandom(32).hex().encode())
    return b"".join(out)


def test_thread_json_round_trips(engine, capsys):
    status, out, err = cli_import(engine, capsys, THREAD)  # .json, but not LeWiDi: told by content
    assert status == 0, err
    assert "(reddit): 6 comments in 1 new thread" in out
    (thread,) = threads(engine).values()
    assert thread.title == "Oppenheimer Park camp to be cleared & fenced off"
    assert thread.article.startswith("The city wants to move the tent camp")
    assert thread.meta["more_comments_not_loaded"] == 5  # two "more" stubs, skipped
    c = comments(engine)
    assert {k: (v["parent"], v["depth"]) for k, v in c.items()} == {
        "f1b0001": (None, 0),
        "f1b0002": ("f1b0001", 1),
        "f1b0003": ("f1b0001", 1),
        "f1b0004": ("f1b0003", 2),
        "f1b0005": (None, 0),
        "f1b0006": (None, 0),
    }
    assert c["f1b0004"]["meta"]["removed"] is True and c["f1b0005"]["meta"]["deleted"] is True
    assert c["f1b0003"]["text"] == "Agreed. BC Housing said 40 beds open up next month & that is not enough."
    assert quoted(c, "f1b0002") == [("Shelter beds first",) * 2]
    assert quoted(c, "f1b0006", thread.article) == [("What happens to the people living there?",) * 2]


def test_sniffing_takes_reddit_files_and_leaves_the_others(tmp_path):
    assert detect_format(read_source(DUMP)) == "reddit"
    assert detect_format(read_source(THREAD)) == "reddit"
    for text in ('{"thread_id": "a", "id": "1", "text": "x"}\n', '{"1": {"text": "x", "annotators": "A", "annotations": "0"}}'):
        assert reddit.sniff(text_source("f.json", text)) == 0.0
    assert reddit.sniff(text_source("f.json", '[{"kind": "t1"}]')) == 0.0


def test_broken_reddit_files_are_refused_cleanly(engine, capsys, tmp_path):
    lines = DUMP.read_bytes().splitlines(keepends=True)
    truncated = tmp_path / "truncated.ndjson"
    truncated.write_bytes(b"".join(lines[:5]) + lines[5][:100])
    refused(engine, capsys, truncated, 6, "cut off")
    latin = tmp_path / "latin.ndjson"
    latin.write_bytes(b"".join(lines[:3]) + lines[7].replace("Québec".encode(), "Qu\xe9bec".encode("latin-1")))
    refused(engine, capsys, latin, 4, "UTF-8")
    odd = tmp_path / "odd.ndjson"
    odd.write_bytes(b"".join(lines[:2]) + b'{"kind": "t5", "data": {"display_name": "canada"}}\n')
    refused(engine, capsys, odd, 3, "neither a Reddit comment")
    listing = THREAD.read_text()
    broken = tmp_path / "broken.json"
    broken.write_text(listing[: listing.index('"id": "f1b0003"')])
    refused(engine, capsys, broken, listing[: listing.index('"id": "f1b0003"')].count("\n") + 1, "invalid JSON")
    shape = tmp_path / "shape.json"
    shape.write_text(json.dumps([json.loads(listing)[0]]))
    refused(engine, capsys, shape, 1, "a list of two Listings")


def test_comment_without_a_submission_id_is_refused():
    with pytest.raises(ImportFailure) as info:
        list(parse(text_source("c.ndjson", '{"id": "a", "body": "x", "parent_id": "t1_b"}\n')))
    assert info.value.line == 1 and "link_id" in str(info.value)


def test_a_thread_json_comment_names_the_line_of_its_own_name():
    """Pretty-printed: each comment's source line is where its "name" stands, not a reply's "parent_id"."""
    (draft,) = parse(read_source(THREAD), "reddit")
    lines = {c.external_id: c.line for c in draft.comments}
    text = THREAD.read_text().splitlines()
    for ext, line in lines.items():
        assert f'"name": "t1_{ext}"' in text[line - 1], ext
    assert lines["f1b0001"] > lines["f1b0003"]  # written after its replies, as Reddit nests them
