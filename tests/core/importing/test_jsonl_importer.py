"""The JSON Lines importer: both shapes, reply trees, and the errors a user sees for broken files."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from moderator.core.importing.drafts import depths
from moderator.core.importing.formats import ImportFailure, importer, jsonl, parse, read_source


def source(tmp_path, lines, name="threads.jsonl"):
    path = tmp_path / name
    text = "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return read_source(path)


def fails(src, line, *words):
    with pytest.raises(ImportFailure) as info:
        list(jsonl.parse(src))
    message = str(info.value)
    assert message.startswith(f"{src.name}:{line}: "), message
    assert info.value.line == line
    for word in words:
        assert word in message, message
    return message


def test_thread_per_line_shape(tmp_path):
    src = source(
        tmp_path,
        [
            {
                "id": 7,
                "title": "Palmyra",
                "url": "https://example.com/p",
                "article": "Para one.\n\nPara two.",
                "section": "world",
                "comments": [
                    {"id": "c1", "author": "ann", "text": "first", "created_at": "2016-03-27T10:00:00Z"},
                    {"id": "c2", "parent_id": "c1", "author": "", "text": "reply", "score": 3},
                ],
            },
            {"comments": [{"text": "lonely"}]},
        ],
    )
    first, second = list(jsonl.parse(src))
    assert (first.source, first.external_id, first.title, first.url) == ("jsonl", "7", "Palmyra", "https://example.com/p")
    assert first.article == "Para one.\n\nPara two."
    assert first.metadata == {"section": "world"}
    assert first.line == 1 and second.line == 2
    a, b = first.comments
    assert (a.external_id, a.author, a.text, a.line) == ("c1", "ann", "first", 1)
    assert a.created_at == datetime(2016, 3, 27, 10, tzinfo=UTC)
    assert b.author is None  # "" is no author
    assert b.parent_index == 0
    assert b.metadata == {"score": 3}
    assert depths(first.comments) == [0, 1]
    assert second.external_id is None and second.title is None
    assert [c.text for c in second.comments] == ["lonely"]


def test_bulk_shape_groups_interleaved_threads_in_order(tmp_path):
    src = source(
        tmp_path,
        [
            {"thread_id": 2, "id": 1, "text": "b1", "thread_title": "Second article", "url": "https://x/2"},
            {"thread_id": "a", "id": 1, "text": "a1"},
            {"thread_id": 2, "id": 2, "parent_id": 1, "text": "b2", "lang": "en"},
            "",
            {"thread_id": "a", "id": 2, "parent_id": 1, "text": "a2", "title": "First seen late", "article": "Body."},
            {"thread_id": 2, "id": 3, "parent_id": 2, "text": "b3"},
        ],
    )
    threads = list(jsonl.parse(src))
    assert [t.external_id for t in threads] == ["2", "a"]
    b, a = threads
    assert [c.text for c in b.comments] == ["b1", "b2", "b3"]
    assert [c.line for c in b.comments] == [1, 3, 6]  # the blank line 4 still counts
    assert (b.title, b.url, b.line) == ("Second article", "https://x/2", 1)
    assert (a.title, a.article, a.line) == ("First seen late", "Body.", 2)
    assert depths(b.comments) == [0, 1, 2]
    assert b.comments[1].metadata == {"lang": "en"}
    assert depths(a.comments) == [0, 1]
    assert all(c.external_id in {"1", "2", "3"} for c in a.comments + b.comments)


def test_forward_parent_reference_and_orphans(tmp_path):
    src = source(
        tmp_path,
        [
            {"thread_id": 1, "id": "r", "parent_id": "p", "text": "reply before its parent"},
            {"thread_id": 1, "id": "p", "text": "parent"},
            {"thread_id": 1, "id": "o", "parent_id": "deleted", "text": "orphan"},
            {"thread_id": 1, "id": "x", "parent_id": 99, "text": "orphan too"},
        ],
    )
    (thread,) = jsonl.parse(src)
    reply, parent, orphan, other = thread.comments
    assert reply.parent_index == 1
    assert parent.parent_index is None and "missing_parent_id" not in parent.metadata
    assert orphan.parent_index is None and orphan.metadata["missing_parent_id"] == "deleted"
    assert other.metadata["missing_parent_id"] == "99"
    assert thread.metadata["orphans"] == 2
    assert depths(thread.comments) == [1, 0, 0, 0]


def test_parent_in_another_thread_is_an_orphan(tmp_path):
    src = source(tmp_path, [{"thread_id": 1, "id": 1, "text": "a"}, {"thread_id": 2, "id": 2, "parent_id": 1, "text": "b"}])
    first, second = jsonl.parse(src)
    assert "orphans" not in first.metadata
    assert second.metadata["orphans"] == 1


def test_created_at_forms(tmp_path):
    src = source(
        tmp_path,
        [
            {"thread_id": 1, "text": "offset", "created_at": "2020-05-01T12:00:00+02:00"},
            {"thread_id": 1, "text": "naive", "created_at": "2020-05-01 12:00:00"},
            {"thread_id": 1, "text": "epoch", "created_at": 1588334400},
            {"thread_id": 1, "text": "epoch float", "created_at": 1588334400.5},
            {"thread_id": 1, "text": "none", "created_at": None},
        ],
    )
    (thread,) = jsonl.parse(src)
    offset, naive, epoch, epoch_float, none = (c.created_at for c in thread.comments)
    assert offset == datetime(2020, 5, 1, 10, tzinfo=UTC) and offset.tzinfo == UTC
    assert naive == datetime(2020, 5, 1, 12) and naive.tzinfo is None
    assert epoch == datetime(2020, 5, 1, 12, tzinfo=UTC)
    assert epoch_float == datetime(2020, 5, 1, 12, 0, 0, 500000, tzinfo=UTC)
    assert none is None


def test_truncated_last_line(tmp_path):
    path = tmp_path / "half.jsonl"
    path.write_text('{"thread_id": 1, "text": "ok"}\n{"thread_id": 1, "text": "ok too"}\n{"thread_id": 1, "te', encoding="utf-8")
    message = fails(read_source(path), 3, "invalid JSON", "half-written")
    assert "column" in message


def test_invalid_json_in_the_middle_is_not_called_truncated(tmp_path):
    message = fails(source(tmp_path, [{"thread_id": 1, "text": "a"}, "{nope}", {"thread_id": 1, "text": "b"}]), 2, "invalid JSON")
    assert "half-written" not in message


def test_threads_stream_until_a_late_error(tmp_path):
    """A thread per line is yielded as its line is read; the bad line fails the file when reached (the
    writer's transaction undoes what was written: see test_a_bad_line_after_good_threads_writes_nothing)."""
    src = source(tmp_path, [{"comments": [{"text": "one"}]}, {"comments": [{"text": "two"}]}, "[1, 2]"])
    threads = jsonl.parse(src)
    assert [next(threads).comments[0].text, next(threads).comments[0].text] == ["one", "two"]
    with pytest.raises(ImportFailure) as info:
        next(threads)
    assert info.value.line == 3


def test_a_bulk_file_is_checked_whole_before_its_first_thread(tmp_path):
    src = source(tmp_path, [{"thread_id": 1, "text": "a"}, {"thread_id": 2, "text": "b"}, "[1, 2]"])
    with pytest.raises(ImportFailure) as info:
        next(jsonl.parse(src))
    assert info.value.line == 3


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("[1, 2]", ["expected a JSON object", "a list"]),
        ('"just a string"', ["expected a JSON object", "a string"]),
        ('{"thread_id": 1}', ['missing "text"']),
        ('{"thread_id": 1, "text": 5}', ['"text" must be a string', "a number"]),
        ('{"thread_id": 1, "text": null}', ['missing "text"']),
        ('{"text": "no thread"}', ['missing "thread_id"']),
        ('{"thread_id": 1.5, "text": "x"}', ['"thread_id" must be a string or an integer']),
        ('{"thread_id": 1, "id": true, "text": "x"}', ['"id" must be a string or an integer', "a boolean"]),
        ('{"thread_id": 1, "author": 3, "text": "x"}', ['"author" must be a string or null']),
        ('{"thread_id": 1, "text": "x", "created_at": "yesterday"}', ['"created_at"', "yesterday"]),
        ('{"thread_id": 1, "text": "x", "created_at": [2020]}', ['"created_at"']),
        ('{"thread_id": 1, "text": "x", "url": 3}', ['"url" must be a string']),
        ('{"comments": [{"text": "a thread"}]}', ["shapes are mixed"]),
    ],
)
def test_bad_bulk_line_names_its_line(tmp_path, bad, words):
    src = source(tmp_path, [{"thread_id": 1, "id": 1, "text": "fine"}, "", bad, {"thread_id": 1, "text": "after"}])
    fails(src, 3, *words)


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ('{"thread_id": 1, "text": "a comment"}', ['no "comments"', "one thread per line"]),
        ('{"comments": {"text": "x"}}', ['"comments" must be a list']),
        ('{"comments": [{"text": "ok"}, "x"]}', ["comment 2: expected a JSON object"]),
        ('{"comments": [{"id": 1, "text": "ok"}, {"author": "z"}]}', ['comment 2: missing "text"']),
        ('{"comments": [{"text": "x", "created_at": "31/12/2020"}]}', ['comment 1: "created_at"']),
        ('{"title": ["t"], "comments": []}', ['"title" must be a string']),
    ],
)
def test_bad_thread_line_names_its_line(tmp_path, bad, words):
    src = source(tmp_path, [{"comments": [{"text": "fine"}]}, bad])
    fails(src, 2, *words)


def test_duplicate_comment_id_names_the_second_line(tmp_path):
    src = source(
        tmp_path,
        [
            {"thread_id": 1, "id": 5, "text": "a"},
            {"thread_id": 2, "id": 5, "text": "same id, other thread: fine"},
            {"thread_id": 1, "id": "5", "text": "b"},
        ],
    )
    fails(src, 3, "duplicate comment id '5'", "first on line 1")


def test_duplicate_id_inside_a_thread_line(tmp_path):
    src = source(tmp_path, [{"comments": [{"id": 1, "text": "a"}, {"id": 1, "text": "b"}]}])
    fails(src, 1, "comment 2: duplicate comment id '1'")


def test_reply_cycle_is_refused(tmp_path):
    src = source(
        tmp_path,
        [
            {"thread_id": 1, "id": "root", "text": "fine"},
            {"thread_id": 1, "id": "a", "parent_id": "c", "text": "a"},
            {"thread_id": 1, "id": "b", "parent_id": "a", "text": "b"},
            {"thread_id": 1, "id": "c", "parent_id": "b", "text": "c"},
        ],
    )
    fails(src, 2, "reply cycle", "'a'", "'b'", "'c'")


def test_own_parent_is_refused(tmp_path):
    src = source(tmp_path, [{"thread_id": 1, "id": 1, "text": "a"}, {"thread_id": 1, "id": 2, "parent_id": 2, "text": "b"}])
    fails(src, 2, "its own parent")


def test_progress_reaches_one_and_is_not_called_per_line(tmp_path):
    src = source(tmp_path, [{"thread_id": i % 7, "id": i, "text": f"c{i}"} for i in range(1000)])
    calls = []
    threads = list(jsonl.parse(src, progress=calls.append))
    assert sum(len(t.comments) for t in threads) == 1000
    assert calls[-1] == 1.0
    assert calls == sorted(calls) and all(0 < f <= 1 for f in calls)
    assert len(calls) <= 160  # the reading (about every 1%), then the threads as they are yielded (every 2%)


def test_sniff_and_format_detection(tmp_path):
    bulk = source(tmp_path, ["", {"thread_id": 1, "text": "x"}], name="clip.txt")
    threads = source(tmp_path, [{"comments": []}], name="t.txt")
    other = source(tmp_path, ['{"title": "no comments"}'], name="o.txt")
    assert jsonl.sniff(bulk) == 0.95
    assert jsonl.sniff(threads) == 0.95
    assert jsonl.sniff(other) == 0.0
    assert jsonl.sniff(source(tmp_path, ["not json at all"], name="n.txt")) == 0.0
    assert jsonl.sniff(source(tmp_path, ["[1]"], name="l.txt")) == 0.0
    # detect_format goes by extension first; it needs every importer, so only the registry is checked here
    assert importer("jsonl") is jsonl and ".ndjson" in jsonl.EXTENSIONS and ".jsonl" in jsonl.EXTENSIONS
    (thread,) = parse(source(tmp_path, [{"thread_id": 1, "text": "x"}], name="feed.ndjson"), fmt="jsonl")
    assert thread.comments[0].text == "x"


def test_empty_file_is_refused_by_reading(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(ImportFailure) as info:
        read_source(path)
    assert str(info.value).startswith(f"{path}:1: ")


def test_comments_without_a_thread_id_form_one_thread_per_file(tmp_path):
    src = source(
        tmp_path,
        [
            {"id": 1, "text": "root", "lang": "en"},
            {"id": 2, "parent": 1, "text": "reply by the short key"},
            {"id": 3, "parent_id": 2, "text": "deeper", "created_at": 1588334400},
            {"id": 4, "link_id": "t3_x", "parent_id": "t3_x", "text": "a reply to the post its thread is keyed by"},
        ],
        name="Replies export.jsonl",
    )
    alone, linked = jsonl.parse(src)
    assert (alone.external_id, alone.title) == (None, "Replies export")
    assert [c.parent_index for c in alone.comments] == [None, 0, 1]
    assert alone.comments[0].metadata == {"lang": "en"} and alone.comments[1].metadata == {}
    assert (linked.external_id, linked.comments[0].parent_index, linked.comments[0].metadata) == ("t3_x", None, {})
    assert "orphans" not in linked.metadata
