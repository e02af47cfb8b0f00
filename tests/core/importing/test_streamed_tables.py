"""Tables and dumps streamed a thread at a time: rows staged on disk (``Spill``), threads written as they
are built, in the import's one transaction; prior labels judged from a digest of their column."""

from __future__ import annotations

import json
import random

import pytest
from helpers.whole_table_labels import detect_label_columns, read_labels
from sqlalchemy import func, select

from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.importing.formats import csv_table, jsonl, read_source
from moderator.core.importing.formats.reddit import reader as reddit
from moderator.core.importing.formats.table_columns import label_columns
from moderator.core.importing.formats.table_labels import plan_labels
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.records import Records
from moderator.core.importing.sources.spill import Spill
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, ImportBatch, Thread

ONE_BACKEND = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def test_a_spill_gives_back_threads_in_order_of_first_line_and_rows_in_file_order():
    with Spill() as spill:
        for line, key in enumerate(["b", "a", "b", "c", "a", "b"], start=1):
            spill.add(key, line, (key, [line]))
        spill.thread("empty", 7)
        spill.skip("a")
        threads = list(spill.threads())
        assert [(k, first, skipped, [ln for ln, _ in items]) for k, first, skipped, items in threads] == [
            ("b", 1, 0, [1, 3, 6]),
            ("a", 2, 1, [2, 5]),
            ("c", 4, 0, [4]),
        ]
        assert threads[0][3][1] == (3, ("b", [3]))
        assert [ln for ln, _ in spill.items()] == [1, 2, 3, 4, 5, 6]
        assert spill.distinct(["x", "y"]) and not spill.distinct(["x", "y", "x"])


def test_records_keep_the_first_or_the_last_put_under_a_key():
    with Records() as records:
        records.put("a", {"n": 1})
        records.put("b", "first", replace=True)
        records.put("a", {"n": 2})
        assert records.get("a") == {"n": 1}
        records.put("b", "last", replace=True)  # after a read: the batch before it is on disk
        assert (records.get("b"), records.get("missing")) == ("last", None)


def test_scattered_rows_and_late_parents_make_the_same_threads(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(
        "thread,id,parent,text\nA,2,1,reply first\nB,9,,other\nA,,,blank? no\nA,1,,root\nB,8,9,answer\n,x,,lone\nB,7,,\n"
    )
    a, b, rest = list(csv_table.parse(read_source(path)))
    assert (a.external_id, a.line, [c.text for c in a.comments]) == ("A", 2, ["reply first", "blank? no", "root"])
    assert a.comments[0].parent_index == 2 and a.comments[2].parent_index is None
    assert (b.external_id, b.line, [c.parent_index for c in b.comments]) == ("B", 3, [None, 0])
    assert b.metadata["skipped_empty_rows"] == 1
    assert (rest.external_id, rest.title, rest.line, rest.comments[0].external_id) == (None, "t", 7, "x")


def labelled_table(rng: random.Random, rows: int) -> list[tuple[int, list[str]]]:
    words = ["yes", "no", "maybe"]
    table = []
    for k in range(rows):
        cells = [
            str(rng.randrange(3)) if rng.random() < 0.97 else rng.choice(["No", "", "n/a"]),  # a stray word now and then
            rng.choice(["0.5", "0.25", "1", ""]),
            rng.choice(words + ["", "1"]),
            f"[{rng.randrange(2)} {rng.choice(['1', 'nan', 'x'])} 0]" if rng.random() < 0.96 else "oops",
            rng.choice(["1.0", "2", "3.", "04", ""]),
        ]
        table.append((k + 2, cells))
    return table


@pytest.mark.parametrize("seed", range(6))
def test_labels_from_a_digest_are_those_read_from_every_row(seed):
    rng = random.Random(seed)
    header = ["toxic", "toxicity_mean", "label_word", "annotations", "severity_level"]
    rows = labelled_table(rng, rng.choice([5, 40, 400]))
    for skip in (set(), {2}, {0, 2, 3}, {0, 2, 3, 4}):  # the columns found: as csv_labels finds them from every cell
        assert label_columns(header, rows, skip) == detect_label_columns(header, rows, skip)
        plain = ["a", "p", "b", "c", "d"]  # no label names: a bare table of shares, or none
        assert label_columns(plain, rows, skip) == detect_label_columns(plain, rows, skip)
    columns = ([0, 1, 2, 4], [3], {1})
    whole, streamed = ImportOptions(), ImportOptions()
    schema, expected = read_labels("x.csv", 1, header, rows, columns, False, whole)
    plan = plan_labels("x.csv", 1, header, rows, len(rows), columns, False, streamed)
    assert (plan.schema if plan else None) == schema
    assert [plan.row(line, row) if plan else [] for line, row in rows] == expected
    assert streamed.notes.warnings == whole.notes.warnings


@ONE_BACKEND
def test_a_failure_in_a_later_thread_leaves_nothing_written(engine, tmp_path):
    """The first thread is written before the second is built; its reply cycle still undoes the whole import."""
    path = tmp_path / "cycle.csv"
    path.write_text("thread,id,parent,text\nA,1,,fine\nB,1,2,one\nB,2,1,two\n")
    with pytest.raises(ImportFailure, match="reply cycle"):
        import_paths(engine, [path])
    with engine.connect() as conn:
        assert [conn.scalar(select(func.count()).select_from(t)) for t in (ImportBatch, Thread, Comment)] == [0, 0, 0]


@ONE_BACKEND
def test_cancelling_while_threads_stream_leaves_nothing_written(engine, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("thread,text\n" + "".join(f"T{i},comment {i}\n" for i in range(400)))
    seen = []
    with pytest.raises(ImportCancelled):
        import_paths(engine, [path], progress=seen.append, cancelled=lambda: len(seen) > 20)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Comment)) == 0


@ONE_BACKEND
def test_a_streamed_import_reports_progress_in_order_and_counts_labels(engine, tmp_path):
    path = tmp_path / "labelled.csv"
    path.write_text("thread,text,toxic\n" + "".join(f"T{i % 7},comment {i},{i % 2}\n" for i in range(300)))
    seen: list[float] = []
    (summary,) = import_paths(engine, [path], progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    assert (summary.comments_added, summary.threads_added, summary.labels_added) == (300, 7, 300)
    assert summary.annotators == 1 and summary.labels_by_question == {"toxic": 300}


def test_a_reddit_dump_yields_each_thread_with_its_post_wherever_it_is(tmp_path):
    lines = [
        {"id": "c1", "link_id": "t3_a", "parent_id": "t3_a", "body": "first", "link_title": "From a comment"},
        {"id": "d1", "link_id": "t3_b", "parent_id": "t3_b", "body": "&gt; first\n\nother"},
        {"id": "c2", "link_id": "t3_a", "parent_id": "t1_c3", "body": "reply before its parent"},
        {"id": "a", "title": "Post A", "selftext": "", "subreddit": "x"},
        {"id": "c3", "link_id": "t3_a", "parent_id": "t3_a", "body": "late parent"},
    ]
    path = tmp_path / "dump.ndjson"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    a, b = reddit.parse(read_source(path))
    assert (a.external_id, a.title, a.line, [c.external_id for c in a.comments]) == ("a", "Post A", 1, ["c1", "c2", "c3"])
    assert a.comments[1].parent_index == 2
    assert (b.external_id, b.line, b.comments[0].metadata.get("unlinked_quotes")) == ("b", 2, [[2, 7]])


def test_a_bad_line_after_good_threads_writes_nothing(engine, tmp_path):
    """A thread per line is written as its line is read; a bad line after them still undoes the whole import."""
    path = tmp_path / "threads.jsonl"
    good = [json.dumps({"id": f"t{i}", "comments": [{"id": "1", "text": f"comment {i}"}]}) for i in range(3)]
    path.write_text("\n".join([*good, '{"id": "t3", "comments": [{"text": 5}]}']) + "\n")
    with pytest.raises(ImportFailure, match=r"threads\.jsonl:4: .*\"text\" must be a string"):
        import_paths(engine, [path])
    with engine.connect() as conn:
        assert [conn.scalar(select(func.count()).select_from(t)) for t in (ImportBatch, Thread, Comment)] == [0, 0, 0]


@ONE_BACKEND
def test_a_thread_per_line_import_reports_progress_in_order_as_it_writes(engine, tmp_path):
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps({"id": f"t{i}", "comments": [{"text": f"c{i}"}]}) + "\n" for i in range(300)))
    seen: list[float] = []
    (summary,) = import_paths(engine, [path], progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    assert (summary.comments_added, summary.threads_added) == (300, 300)


def test_the_bulk_shape_through_parse_reports_the_reading_then_the_threads(tmp_path):
    """``jsonl.STREAMS``: a bulk file read by ``parse`` (not the writer's fast path) reports its reading as a
    quarter, then the rest as its threads are asked for."""
    path = tmp_path / "bulk.jsonl"
    path.write_text("".join(json.dumps({"thread_id": i % 100, "text": f"c{i}"}) + "\n" for i in range(1000)))
    seen: list[float] = []
    threads = jsonl.parse(read_source(path), progress=seen.append)
    next(threads)
    assert seen and max(seen) <= jsonl.READ_SHARE
    assert len(list(threads)) == 99
    assert seen == sorted(seen) and seen[-1] == 1.0 and any(jsonl.READ_SHARE < f < 1 for f in seen)


def scattered_utterances(path):
    row = {"speaker": "a", "timestamp": 1, "text": "hi"}
    lines = [
        {**row, "id": f"u{i}", "conversation_id": f"u{i % 7}", "reply_to": None if i < 7 else f"u{i - 7}"} for i in range(300)
    ]
    (path / "utterances.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path / "utterances.jsonl"


def scattered_posts(path):
    posts = "".join(f'<post dsq:id="p{i}"><message>hi</message><thread dsq:id="T{i % 7}"/></post>\n' for i in range(300))
    (path / "export.xml").write_text(f'<disqus xmlns:dsq="http://disqus.com/disqus-internals">\n{posts}</disqus>\n')
    return path / "export.xml"


@ONE_BACKEND
@pytest.mark.parametrize("make", [scattered_utterances, scattered_posts])
def test_staged_conversations_and_posts_report_progress_in_order(engine, tmp_path, make):
    seen: list[float] = []
    (summary,) = import_paths(engine, [make(tmp_path)], progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(seen) > 10
    assert (summary.comments_added, summary.threads_added) == (300, 7)
