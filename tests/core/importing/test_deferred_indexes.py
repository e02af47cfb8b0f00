"""A bulk file written after the reading into an empty comments table sets the table's own indexes aside and
builds them after the rows; a failed or cancelled import leaves the schema and the rows exactly as they were."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from moderator.core.importing import bulk_stream
from moderator.core.importing.formats import ImportCancelled, ImportFailure
from moderator.core.importing.sqlite_indexes import DeferredIndexes
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, Thread

SQLITE = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
SPREAD = [{"thread_id": t, "id": i, "parent_id": i - 1 if i else None, "text": "filler"} for t in range(40) for i in range(30)]
CYCLE = [
    {"thread_id": "c", "id": "a", "parent_id": "b", "text": "a"},
    {"thread_id": "c", "id": "b", "parent_id": "a", "text": "b"},
]
OWN = ["ix_comments_parent_id"]


def write_jsonl(path, records, tail=""):
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + tail, encoding="utf-8")
    return path


def schema(engine):
    with engine.connect() as conn:
        listed = [tuple(r) for r in conn.exec_driver_sql("PRAGMA index_list(comments)")]
        made = [tuple(r) for r in conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")]
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    return listed, made


def counts(engine):
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Comment)), conn.scalar(select(func.count()).select_from(Thread))


@pytest.fixture
def set_aside(monkeypatch):
    """The indexes each import dropped (empty if it dropped none)."""
    seen: list[list[str]] = []
    real = DeferredIndexes.set_aside

    def spy(self):
        real(self)
        seen.append([name for name, _ in self.dropped])

    monkeypatch.setattr(DeferredIndexes, "set_aside", spy)
    return seen


@SQLITE
@pytest.mark.parametrize("streamed", [True, False], ids=["streamed", "after-the-reading"])
def test_indexes_are_built_again_after_the_rows(engine, tmp_path, monkeypatch, set_aside, streamed):
    if not streamed:
        monkeypatch.setattr(bulk_stream, "fits", lambda conn: False)
    before = schema(engine)
    import_paths(engine, [write_jsonl(tmp_path / "bulk.jsonl", SPREAD)])
    assert set_aside == ([] if streamed else [OWN])  # the stream keeps them: it inserts while the reading goes on
    assert schema(engine) == before and counts(engine) == (len(SPREAD), 40)
    with engine.connect() as conn:  # the index is there and answers
        plan = " ".join(r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN SELECT id FROM comments WHERE parent_id = 3"))
        assert "ix_comments_parent_id" in plan
        assert conn.scalar(select(func.count()).where(Comment.parent_id.is_not(None))) == 40 * 29


@SQLITE
def test_a_table_with_comments_keeps_its_indexes(engine, tmp_path, monkeypatch, set_aside):
    monkeypatch.setattr(bulk_stream, "fits", lambda conn: False)
    import_paths(engine, [write_jsonl(tmp_path / "one.jsonl", SPREAD[:30])])
    before = schema(engine)
    import_paths(engine, [write_jsonl(tmp_path / "two.jsonl", SPREAD[30:])])
    assert set_aside == [OWN, []] and schema(engine) == before and counts(engine) == (len(SPREAD), 40)


@SQLITE
def test_a_failure_midway_leaves_indexes_and_rows_as_they_were(engine, tmp_path, monkeypatch, set_aside):
    monkeypatch.setattr(bulk_stream, "fits", lambda conn: False)
    monkeypatch.setattr("moderator.core.importing.bulk.CHUNK", 50)  # rows are written before the failure
    before = schema(engine)
    with pytest.raises(ImportFailure, match=r"cycle.jsonl:\d+: reply cycle"):  # found while writing, after 40 threads
        import_paths(engine, [write_jsonl(tmp_path / "cycle.jsonl", SPREAD + CYCLE)])
    good = write_jsonl(tmp_path / "good.jsonl", SPREAD)
    with pytest.raises(ImportFailure, match=r"worse.jsonl:1: invalid JSON"):  # once the first file's indexes are back
        import_paths(engine, [good, write_jsonl(tmp_path / "worse.jsonl", [], tail="{not json\n")])
    with pytest.raises(ImportCancelled):  # cancelled between two of the writing's flushes
        import_paths(engine, [write_jsonl(tmp_path / "many.jsonl", SPREAD)], cancelled=lambda: len(set_aside) > 2)
    assert set_aside == [OWN] * 3
    assert schema(engine) == before and counts(engine) == (0, 0)
