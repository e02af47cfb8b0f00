"""The bulk path writing each thread as it is read (SQLite) stores exactly what writing after the reading stores."""

from __future__ import annotations

import pytest
from helpers.import_rows import rows, same_secret, write_jsonl
from sqlalchemy import func, select

from moderator.core.importing import bulk_batches, bulk_stream, writer
from moderator.core.importing.bulk import write_bulk
from moderator.core.importing.formats import ImportCancelled, ImportFailure, jsonl
from moderator.core.importing.sources.comment_bounds import OWN_KEYS, MetadataBound
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, ImportBatch, Thread

SQLITE = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

# Threads one after another (as a bulk export writes them): an epoch time, an offset time, extra keys, an
# orphan, a reply before its parent, a reply to the post a thread is keyed by, comments naming no thread.
RECORDS = [
    {"thread_id": 7, "id": 1, "author": "ann", "text": "first", "created_at": "2016-11-09T14:05:00Z"},
    {"thread_id": 7, "id": 2, "parent_id": 1, "author": "bob", "text": "reply", "created_at": 1478700300, "lang": "en"},
    {"thread_id": 7, "id": 4, "parent_id": "gone", "author": "ann", "text": "orphan", "thread_title": "Late title"},
    {"thread_id": "x", "id": "c", "parent_id": "b", "text": "reply before its parent"},
    {"thread_id": "x", "id": "b", "text": "the parent", "created_at": "2020-05-01T12:00:00+02:00"},
    {"link_id": "t3_p", "id": "r1", "parent_id": "t3_p", "text": "to the post", "author": "cy"},
    {"link_id": "t3_p", "id": "r2", "parent_id": "r1", "text": "under it", "score": {"up": 3}},
    {"link_id": "t3_q", "id": "q1", "parent_id": "t3_q", "text": "another post's"},
]  # fmt: skip


def read_whole(conn, source, summary, progress, cancelled):
    """The file read whole, then written: what the stream is held to."""
    bound = MetadataBound(OWN_KEYS)
    threads = jsonl.read_bulk(source, None, cancelled, bound)
    if threads is None:
        return False
    write_bulk(conn, source.name, summary.batch_id, threads, summary, progress, cancelled, bound)
    return bound


def as_read_whole(engine, second_engine, monkeypatch, path):
    """``path`` imported into ``engine`` as it comes, and into ``second_engine`` read whole before any of it
    is written (``read_whole``): the same rows and counts."""
    same_secret(engine, second_engine)
    [streamed] = import_paths(engine, [path])
    monkeypatch.setattr(writer, "_streamed", read_whole)
    [after] = import_paths(second_engine, [path])
    monkeypatch.undo()
    assert rows(engine) == rows(second_engine)
    for key in ("threads_added", "threads_existing", "comments_added", "comments_skipped", "orphans", "warnings"):
        assert getattr(streamed, key) == getattr(after, key), key


def both_ways(engine, second_engine, monkeypatch, path):
    """``as_read_whole``; whether the threads were written as they were read."""
    finished = []
    real = bulk_stream.BulkStream.finish
    monkeypatch.setattr(bulk_stream.BulkStream, "finish", lambda self, *a: finished.append(real(self, *a)))
    as_read_whole(engine, second_engine, monkeypatch, path)
    return len(finished) == 1


@SQLITE
def test_threads_one_after_another_are_streamed_as_written_after(engine, second_engine, tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "bulk.jsonl", RECORDS)
    assert both_ways(engine, second_engine, monkeypatch, path)
    with engine.connect() as conn:
        top = conn.scalar(select(Comment.parent_id).where(Comment.external_id == "r1"))
        orphans = conn.scalar(select(Thread.meta).where(Thread.external_id == "7"))
    assert top is None and orphans == {"orphans": 1}


@SQLITE
@pytest.mark.parametrize(
    "records",
    [
        RECORDS + [{"thread_id": 7, "id": 9, "text": "back to an earlier thread"}],
        [{"text": "no thread"}, *RECORDS[:3], {"text": "no thread again"}],
        [RECORDS[3], RECORDS[0], RECORDS[5], RECORDS[1], RECORDS[4], RECORDS[6], RECORDS[2], RECORDS[7]],
    ],
    ids=["a-thread-comes-back", "the-file-thread-comes-back", "every-line-in-time-order"],
)
def test_scattered_threads_are_regrouped_on_disk_and_streamed_as_written_after(
    engine, second_engine, tmp_path, monkeypatch, records
):
    path = write_jsonl(tmp_path / "bulk.jsonl", records)
    assert both_ways(engine, second_engine, monkeypatch, path)


# Hacker News items in id order, as a dump has them: stories, comments naming only their parent.
HN = [
    {"type": "comment", "id": 1, "parent": 99, "by": "ann", "text": "its story is not in the file", "time": 1478700000},
    {"type": "story", "id": 5, "title": "S", "url": "https://example.com/s", "by": "sam", "time": 1478700100},
    {"type": "comment", "id": 6, "parent": 5, "by": "bob", "text": "top <i>level</i>", "time": 1478700200},
    {"type": "story", "id": 7, "title": "No one answered", "by": "sam"},
    {"type": "comment", "id": 8, "parent": 6, "by": "cy", "text": "deeper", "kids": [9]},
    {"type": "comment", "id": 11, "parent": 10, "by": "dee", "text": "before its parent"},
    {"type": "comment", "id": 9, "parent": 8, "by": "ann", "text": "deeper still"},
    {"type": "story", "id": 10, "title": "T", "text": "<p>Ask HN: the article</p>", "by": "ed"},
    {"type": "comment", "id": 12, "parent": 11, "deleted": True},
    {"type": "comment", "id": 13, "parent": 6, "dead": True, "text": "flagged"},
    {"story_id": 10, "id": 14, "parent_id": 12, "text": "names its story", "author": "fay"},
    {"type": "poll", "id": 20, "title": "P", "by": "gus"},
    {"type": "pollopt", "id": 21, "parent": 20, "text": "yes", "score": 3},
    {"type": "comment", "id": 22, "parent": 8, "by": "bob", "text": "last"},
]  # fmt: skip


@pytest.mark.parametrize(
    "records",
    [
        HN,
        HN[1:],
        [HN[3], HN[1], HN[2]],
        [{"id": "x", "text": "names no thread"}, *HN[1:4], {"thread_id": "t", "id": 2, "text": "t"}],
    ],
    ids=["a-comment-first", "a-story-first", "one-story", "other-threads-around"],
)
def test_comments_under_story_lines_are_regrouped_on_disk_and_streamed_as_written_after(
    engine, second_engine, tmp_path, monkeypatch, records
):
    streamed = both_ways(engine, second_engine, monkeypatch, write_jsonl(tmp_path / "hn.jsonl", records))
    assert streamed == (engine.dialect.name == "sqlite")  # PostgreSQL: in batches (bulk_batches)
    if records is HN:
        with engine.connect() as conn:
            titles = conn.scalars(select(Thread.title).order_by(Thread.id)).all()
            under = conn.execute(select(Thread.title, func.count()).join(Comment).group_by(Thread.title)).all()
        assert titles == ["hn", "S", "T", "P"]  # the file's own thread first (its first line), no unanswered story
        assert dict(under) == {"hn": 1, "S": 5, "T": 3, "P": 1}


@SQLITE
def test_comments_under_story_lines_fail_as_read_whole(engine, tmp_path):
    """Two comments naming no thread with one id are refused as read whole (at the second one's line)."""
    twice = [*HN, {"type": "comment", "id": 8, "parent": 5, "text": "again"}]
    with pytest.raises(ImportFailure, match=rf"twice.jsonl:{len(twice)}: duplicate comment id '8'"):
        import_paths(engine, [write_jsonl(tmp_path / "twice.jsonl", twice)])
    keyed = [{"story_id": 5, "id": 1, "text": "first"}, *HN[1:3]]
    with pytest.raises(ImportFailure, match=r"keyed.jsonl:3: missing \"thread_id\""):
        import_paths(engine, [write_jsonl(tmp_path / "keyed.jsonl", keyed)])
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id)) is None and conn.scalar(select(ImportBatch.id)) is None


@SQLITE
def test_cancelling_while_comments_find_their_stories_leaves_nothing(engine, tmp_path, monkeypatch):
    from moderator.core.importing.formats import jsonl_stories

    finding = []
    real = jsonl_stories.StorySpill._under_stories
    monkeypatch.setattr(
        jsonl_stories.StorySpill, "_under_stories", lambda self: finding.append(1) or real(self) or finding.append(2)
    )
    monkeypatch.setattr(jsonl_stories, "CHECK_EVERY", 1)
    with pytest.raises(ImportCancelled):
        import_paths(engine, [write_jsonl(tmp_path / "hn.jsonl", HN)], cancelled=lambda: bool(finding))
    assert finding == [1]  # stopped inside the queries
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id)) is None and conn.scalar(select(ImportBatch.id)) is None


@pytest.mark.parametrize("scattered", [False, True], ids=["in-turn", "scattered"])
def test_where_it_cannot_stream_threads_are_written_in_batches_as_read_whole(
    engine, second_engine, tmp_path, monkeypatch, scattered
):
    """PostgreSQL, or SQLite with threads of the format already there: batches of the threads let go."""
    records = [RECORDS[3], RECORDS[0], RECORDS[5], RECORDS[1], RECORDS[4], RECORDS[6], RECORDS[2]] if scattered else RECORDS
    path = write_jsonl(tmp_path / "bulk.jsonl", records + [{"thread_id": "last", "text": "one more thread"}])
    written = []
    real = bulk_batches.write_bulk
    monkeypatch.setattr(
        bulk_batches,
        "write_bulk",
        lambda conn, name, batch, threads, *a: written.append(len(threads)) or real(conn, name, batch, threads, *a),
    )
    monkeypatch.setattr(bulk_batches, "BATCH", 3)
    monkeypatch.setattr(bulk_stream, "fits", lambda conn: False)
    as_read_whole(engine, second_engine, monkeypatch, path)
    threads = len({r.get("thread_id", r.get("link_id")) for r in records}) + 1
    assert len(written) > 1 and sum(written) == threads  # every thread once, in more than one batch


@SQLITE
def test_a_database_with_threads_of_the_format_is_written_after_the_reading(engine, tmp_path):
    import_paths(engine, [write_jsonl(tmp_path / "one.jsonl", RECORDS[3:5])])
    with engine.connect() as conn:
        assert not bulk_stream.fits(conn)
    [more] = import_paths(engine, [write_jsonl(tmp_path / "two.jsonl", RECORDS)])
    assert (more.threads_existing, more.comments_added, more.comments_skipped) == (1, 6, 2)


@SQLITE
def test_failures_are_the_whole_files_and_leave_nothing(engine, tmp_path):
    """A reply cycle in a thread already written: the bad line further on is still the one reported."""
    cycle = [
        {"thread_id": 1, "id": "a", "parent_id": "b", "text": "a"},
        {"thread_id": 1, "id": "b", "parent_id": "a", "text": "b"},
    ]
    spread = [{"thread_id": t, "id": i, "text": "filler"} for t in range(2, 40) for i in range(30)]
    path = write_jsonl(tmp_path / "bad.jsonl", cycle + spread)
    with path.open("a") as out:
        out.write("{not json\n")
    with pytest.raises(ImportFailure, match=rf"bad.jsonl:{len(cycle) + len(spread) + 1}: invalid JSON"):
        import_paths(engine, [path])
    fine = write_jsonl(tmp_path / "cycle.jsonl", cycle + spread)
    with pytest.raises(ImportFailure, match=r"cycle.jsonl:1: reply cycle"):
        import_paths(engine, [fine])
    with pytest.raises(ImportCancelled):
        import_paths(engine, [write_jsonl(tmp_path / "many.jsonl", spread * 20)], cancelled=lambda: True)
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id)) is None and conn.scalar(select(Thread.id)) is None
        assert conn.scalar(select(ImportBatch.id)) is None
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -2000  # the sink's own, given back


def test_failures_in_a_scattered_file_name_the_files_lines_and_leave_nothing(engine, tmp_path):
    """Regrouped by thread, each line keeps its own number; a bad line further on is still the one reported."""
    turns = [{"thread_id": t, "id": i, "parent_id": i - 1 if i else None, "text": "x"} for i in range(20) for t in range(3)]
    cycle = [
        {"thread_id": 9, "id": "a", "parent_id": "b", "text": "a"},
        {"thread_id": 9, "id": "b", "parent_id": "a", "text": "b"},
    ]
    records = turns[:1] + cycle + turns[1:]
    path = write_jsonl(tmp_path / "cycle.jsonl", records)
    with pytest.raises(ImportFailure, match=r"cycle.jsonl:2: reply cycle"):
        import_paths(engine, [path])
    with path.open("a") as out:
        out.write('{"thread_id": 1, "id": 99, "text": 5}\n')
    with pytest.raises(ImportFailure, match=rf"cycle.jsonl:{len(records) + 1}: \"text\" must be a string"):
        import_paths(engine, [path])
    with pytest.raises(ImportCancelled):
        import_paths(engine, [write_jsonl(tmp_path / "turns.jsonl", turns * 3)], cancelled=lambda: True)
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id)) is None and conn.scalar(select(ImportBatch.id)) is None
