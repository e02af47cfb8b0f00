"""The fast bulk path of a one-comment-per-line JSONL import stores exactly what the generic path stores."""

from __future__ import annotations

import json

import pytest
from helpers.probes import store_author_secret
from sqlalchemy import select, text

from moderator.core.importing import bulk as ingest_bulk
from moderator.core.importing import writer as ingest
from moderator.core.importing.formats import ImportCancelled, ImportFailure, jsonl, read_source
from moderator.core.importing.keys import comment_hash, thread_hash, thread_key
from moderator.core.importing.writer import import_drafts, import_paths
from moderator.core.store import settings as project
from moderator.core.store.tables import Comment, ImportBatch, Thread

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

RECORDS = [
    # Thread fields on a later line, an epoch time, an offset time, unicode, extra keys, a null author.
    {"thread_id": 7, "id": 1, "author": "ann", "text": "first ✓ — «quoted»", "created_at": "2016-11-09T14:05:00Z"},
    {"thread_id": 7, "id": 2, "parent_id": 1, "author": "bob", "text": "reply", "created_at": 1478700300, "lang": "en"},
    {"thread_id": "x", "id": "a", "text": "other thread", "created_at": "2020-05-01T12:00:00+02:00", "author": None},
    {"thread_id": 7, "id": 3, "parent_id": 2, "author": "", "text": "deeper", "created_at": "2020-05-01 12:00:00",
     "thread_title": "Title late", "url": "https://example.com/7", "article": "Body."},
    {"thread_id": 7, "id": 4, "parent_id": "gone", "author": "ann", "text": "orphan", "created_at": 1588334400.25},
    {"thread_id": "x", "id": "c", "parent_id": "b", "text": "reply before its parent", "created_at": "2020-05-01T12:00:00.5Z"},
    {"thread_id": "x", "id": "b", "parent_id": "a", "text": "the parent", "created_at": "2020-05-01T12:00:00+00:00"},
    {"thread_id": "x", "text": "no id", "score": {"up": 3}, "created_at": "2020-05-01T10:00:00"},
    {"thread_id": "x", "text": "no id", "parent_id": "deleted", "score": 1},
    {"thread_id": 9, "id": 1, "text": "lonely", "created_at": "1999-12-31T23:59:59Z"},
]  # fmt: skip


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def rows(engine):
    """Every thread and comment as the ORM reads it back, plus the stored text of JSON and time columns."""
    with engine.connect() as conn:
        threads = [
            tuple(r) for r in conn.execute(select(*[c for c in Thread.__table__.c if c.name != "batch_id"]).order_by(Thread.id))
        ]
        comments = [tuple(r) for r in conn.execute(select(Comment.__table__).order_by(Comment.id))]
        raw = conn.execute(text("SELECT id, CAST(meta AS TEXT), CAST(created_at AS TEXT) FROM comments ORDER BY id")).all()
    return threads, comments, [tuple(r) for r in raw]


def same_secret(engine, other):
    """Author keys are keyed by a per-database secret: give ``other`` the one of ``engine``."""
    with engine.begin() as conn:
        secret = project.author_key_secret(conn)
    with other.begin() as conn:
        store_author_secret(conn, secret)


def generic(engine, path):
    """The same file through drafts and the generic writer."""
    source = read_source(path)
    return import_drafts(engine, list(jsonl.parse(source)), name=source.name, fmt="jsonl", sha256=source.sha256)


def test_fast_path_rows_read_back_as_the_generic_paths(engine, second_engine, tmp_path, monkeypatch):
    path = write_jsonl(tmp_path / "bulk.jsonl", RECORDS)
    drafted = []
    monkeypatch.setattr(ingest, "_write_drafts", lambda *a, **k: drafted.append(1))
    same_secret(engine, second_engine)
    [fast] = import_paths(engine, [path])
    assert not drafted, "the bulk shape goes through the fast path"
    monkeypatch.undo()
    slow = generic(second_engine, path)
    for key in ("threads_added", "comments_added", "comments_skipped"):
        assert getattr(fast, key) == getattr(slow, key)
    assert (fast.threads_added, fast.comments_added, fast.orphans) == (3, 10, 2)
    assert rows(engine) == rows(second_engine)
    with engine.connect() as conn:
        by_ext = {(c.thread_id, c.external_id): c for c in conn.execute(select(Comment))}
        threads = {t.external_id: t for t in conn.execute(select(Thread))}
    assert threads["7"].title == "Title late" and threads["7"].meta == {"orphans": 1}
    assert threads["x"].meta == {"orphans": 1}
    seven, x = threads["7"].id, threads["x"].id
    assert by_ext[(seven, "3")].depth == 2 and by_ext[(x, "c")].depth == 2
    assert by_ext[(x, "c")].parent_id == by_ext[(x, "b")].id
    assert by_ext[(seven, "4")].meta == {"missing_parent_id": "gone", "source_line": 5}
    assert by_ext[(seven, "2")].meta == {"lang": "en", "source_line": 2}


def test_adding_to_existing_threads_matches_the_generic_path(engine, second_engine, tmp_path):
    first = write_jsonl(tmp_path / "one.jsonl", RECORDS[:4])
    more = write_jsonl(tmp_path / "two.jsonl", list(reversed(RECORDS)))
    same_secret(engine, second_engine)
    import_paths(engine, [first])
    [fast] = import_paths(engine, [more])
    generic(second_engine, first)
    slow = generic(second_engine, more)
    assert (fast.threads_existing, fast.threads_added, fast.comments_added, fast.comments_skipped) == (2, 1, 6, 4)
    assert (fast.comments_added, fast.comments_skipped) == (slow.comments_added, slow.comments_skipped)
    assert rows(engine) == rows(second_engine)


def test_two_files_in_one_import_share_threads(engine, tmp_path):
    records = [{"thread_id": t, "id": i, "parent_id": i - 2 if i > 1 else None, "text": f"c{i}"} for i in range(8) for t in "ab"]
    one = write_jsonl(tmp_path / "one.jsonl", records[:6])
    two = write_jsonl(tmp_path / "two.jsonl", records)
    first, second = import_paths(engine, [one, two])
    assert (first.comments_added, first.threads_added) == (6, 2)
    assert (second.comments_added, second.comments_skipped, second.threads_existing, second.threads_added) == (10, 6, 2, 0)
    with engine.connect() as conn:
        positions = conn.execute(select(Comment.thread_id, Comment.position)).all()
        depths = conn.scalars(select(Comment.depth).order_by(Comment.id)).all()
    assert sorted(positions) == [(t, p) for t in (1, 2) for p in range(8)]
    assert depths == [0, 0, 1] * 2 + [1, 2, 2, 3, 3] * 2  # thread by thread, parents from the first file


def test_stored_time_shortcut_equals_the_bind_processor(engine):
    with engine.connect() as conn:
        made = ingest_bulk._Rows(conn, "secret")
    process = made.to_time or (lambda moment: moment)
    for raw in ("2016-11-09T14:05:00Z", "2016-11-09 14:05:00", "2016-11-09T14:05:00+00:00", "0099-01-02T03:04:05",
                "2016-11-09T14:05:00+02:00", "2016-11-09T14:05:00.250Z", "20161109T140500", "2016-W45-3T14:05:00",
                "2016-11-09T14:05", 1478700300, 1478700300.5):  # fmt: skip
        assert made.stored_time(raw) == process(jsonl.when(raw)), raw


def test_reply_cycle_and_bad_lines_name_their_line(engine, tmp_path):
    cycle = write_jsonl(
        tmp_path / "cycle.jsonl",
        [{"thread_id": 1, "id": "r", "text": "fine"}, {"thread_id": 2, "id": "a", "parent_id": "b", "text": "a"},
         {"thread_id": 2, "id": "b", "parent_id": "a", "text": "b"}],
    )  # fmt: skip
    with pytest.raises(ImportFailure) as info:
        import_paths(engine, [cycle])
    assert str(info.value) == f"{cycle}:2: reply cycle: 'a' -> 'b' -> 'a'"
    dup = write_jsonl(tmp_path / "dup.jsonl", [{"thread_id": 1, "id": 5, "text": "a"}, {"thread_id": 1, "id": "5", "text": "b"}])
    with pytest.raises(ImportFailure, match=r"dup.jsonl:2: duplicate comment id '5' in this thread \(first on line 1\)"):
        import_paths(engine, [dup])
    with engine.connect() as conn:
        assert conn.scalar(select(Comment.id)) is None and conn.scalar(select(ImportBatch.id)) is None


def test_progress_rises_to_one_and_cancel_writes_nothing(engine, tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", [{"thread_id": i % 13, "id": i, "text": f"c{i}"} for i in range(3000)])
    calls: list[float] = []
    import_paths(engine, [path], progress=calls.append)
    assert calls[-1] == 1.0 and calls == sorted(calls) and len(calls) < 300
    other = write_jsonl(tmp_path / "other.jsonl", [{"thread_id": "z", "id": i, "text": f"z{i}"} for i in range(3000)])
    with pytest.raises(ImportCancelled):
        import_paths(engine, [other], cancelled=lambda: True)
    with engine.connect() as conn:
        assert conn.scalar(select(Thread.id).where(Thread.external_id == "z")) is None


def test_thread_per_line_files_still_take_the_generic_path(engine, tmp_path, monkeypatch):
    for fast in (ingest.BulkStream, ingest.BulkBatches):
        monkeypatch.setattr(fast, "take", lambda *a, **k: pytest.fail("bulk path used for a thread-per-line file"))
    path = write_jsonl(tmp_path / "t.jsonl", [{"id": 1, "comments": [{"id": "a", "text": "x"}, {"parent_id": "a", "text": "y"}]}])
    [summary] = import_paths(engine, [path])
    assert (summary.threads_added, summary.comments_added) == (1, 2)


def test_content_hashes_are_stable():
    # Stored in every database: a changed definition would make a re-import add every comment again.
    assert comment_hash("k", "1", "ann", "text") == "da49eccee8cd9fd66235d6ffcd757043"
    assert comment_hash("k", "1", None, "text") == comment_hash("k", "1", "", "text")
    key = thread_key("jsonl", "7", None, None, "")
    assert key == "d34157abaf09f3fc4c723d0b80ac3d19f8b4d1dd538a23172fc3600f09a8019e"
    assert key == thread_hash(jsonl.bulk_draft("n", jsonl.BulkThread("7", 1)))
