"""A big bulk file read by two processes stores exactly what one process stores, and fails as it fails."""

from __future__ import annotations

import json
import multiprocessing
import tempfile

import pytest
from helpers.import_rows import rows, same_secret, write_jsonl
from sqlalchemy import select

from moderator.core.importing import bulk_halves
from moderator.core.importing.formats import ImportCancelled, ImportFailure
from moderator.core.importing.writer import import_paths
from moderator.core.store.tables import Comment, ImportBatch, Thread

SQLITE = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def thread(t: int, size: int = 6) -> list[dict]:
    """A thread with what a real one carries: replies, an orphan, times written two ways, a key of its own."""
    lines = [{"thread_id": f"t{t}", "id": f"{t}-{i}", "parent_id": f"{t}-{i // 2}" if i else None, "author": f"user{(t + i) % 7}",
              "text": f"comment {i} of thread {t}", "created_at": "2021-03-04T05:06:07Z" if i % 2 else 1614834367 + i}
             for i in range(size)]  # fmt: skip
    lines[0]["thread_title"] = f"Article {t}"
    lines[-1] |= {"parent_id": "gone", "lang": "en"}
    return lines


def reply_before_parent(t: int) -> list[dict]:
    return [
        {"thread_id": f"t{t}", "id": "child", "parent_id": "parent", "text": "reply before its parent"},
        {"thread_id": f"t{t}", "id": "parent", "text": "the parent"},
    ]


def cycle(t: int) -> list[dict]:
    return [
        {"thread_id": f"t{t}", "id": "a", "parent_id": "b", "text": "a"},
        {"thread_id": f"t{t}", "id": "b", "parent_id": "a", "text": "b"},
    ]


def wide(t: int) -> list[dict]:
    """A comment with more keys than one may carry: its metadata is cut, with a warning."""
    return [{"thread_id": f"t{t}", "id": "w", "text": "wide", **{f"k{k}": k for k in range(300)}}]


def corpus(threads: int = 40) -> list[dict]:
    records = []
    for t in range(threads):
        records += thread(t)
    return records


@pytest.fixture
def halves(monkeypatch, tmp_path):
    """Two processes for any file; the part process's outcomes; its scratch folders made under ``tmp_path/scratch``."""
    monkeypatch.setattr(bulk_halves, "PARALLEL_FROM", 0)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    outcomes = []
    real = bulk_halves.SecondHalf.result

    def result(self):
        outcome = real(self)
        if outcome not in outcomes:
            outcomes.append(outcome)
        return outcome

    monkeypatch.setattr(bulk_halves.SecondHalf, "result", result)
    yield outcomes
    assert not list(scratch.iterdir())  # the scratch file went with the import
    assert not multiprocessing.active_children()  # and so did the part process


def one_process(engine, path, monkeypatch):
    with monkeypatch.context() as m:
        m.setattr(bulk_halves, "PARALLEL_FROM", 2**62)
        return import_paths(engine, [path])


def failure(engine, path) -> str:
    with pytest.raises(ImportFailure) as caught:
        import_paths(engine, [path])
    return str(caught.value)


def nothing_stored(engine) -> bool:
    with engine.connect() as conn:
        attached = [row[1] for row in conn.exec_driver_sql("PRAGMA database_list")]
        return attached == ["main"] and not any(conn.scalar(select(t.id)) for t in (Comment, Thread, ImportBatch))


@SQLITE
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_two_processes_store_the_rows_and_counts_of_one(engine, second_engine, tmp_path, monkeypatch, halves, newline):
    records = corpus(20) + reply_before_parent(20) + [r for t in range(21, 40) for r in thread(t)]
    records += wide(41) + reply_before_parent(42) + thread(43)  # in the second half
    path = tmp_path / "big.jsonl"
    path.write_bytes(write_jsonl(tmp_path / "lf.jsonl", records).read_text().replace("\n", newline).encode())
    same_secret(engine, second_engine)
    [two] = import_paths(engine, [path])
    [one] = one_process(second_engine, path, monkeypatch)
    assert [o[0] for o in halves] == ["ok"]  # the second half came from the part process
    assert rows(engine) == rows(second_engine)  # ids, parents, depths, times, metadata with its line numbers
    for key in ("threads_added", "comments_added", "orphans", "warnings"):
        assert getattr(two, key) == getattr(one, key), key
    assert two.comments_added == len(records) and two.warnings and "1 comment" in two.warnings[0]
    with engine.connect() as conn:
        assert [row[1] for row in conn.exec_driver_sql("PRAGMA database_list")] == ["main"]


@SQLITE
def test_a_bad_line_in_the_second_half_is_named_at_its_line_and_leaves_nothing(engine, tmp_path, monkeypatch, halves):
    records = corpus()
    bad = len(records) * 3 // 4
    records[bad] = {"thread_id": records[bad]["thread_id"], "id": "x", "text": 5}
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    message = failure(engine, path)
    assert message == f'{path}:{bad + 1}: "text" must be a string, found a number'
    assert [o[0] for o in halves] == ["line"] and nothing_stored(engine)
    assert one_process_failure(engine, path, monkeypatch) == message


def one_process_failure(engine, path, monkeypatch) -> str:
    with monkeypatch.context() as m:
        m.setattr(bulk_halves, "PARALLEL_FROM", 2**62)
        return failure(engine, path)


@SQLITE
def test_a_bad_line_in_the_second_half_comes_before_a_cycle_in_the_first(engine, tmp_path, monkeypatch, halves):
    records = cycle(0) + corpus()[6:]
    path = write_jsonl(tmp_path / "cycle.jsonl", records)
    with path.open("a") as out:
        out.write("{not json\n")
    message = failure(engine, path)
    assert message.startswith(f"{path}:{len(records) + 1}: invalid JSON")
    assert message == one_process_failure(engine, path, monkeypatch) and nothing_stored(engine)


@SQLITE
@pytest.mark.parametrize("where", ["first", "second"])
def test_a_reply_cycle_in_either_half_fails_as_in_one_process(engine, tmp_path, monkeypatch, halves, where):
    records = corpus()
    at = 0 if where == "first" else len(records) - 12  # the start of a thread near the end
    records[at : at + 2] = cycle(99)
    path = write_jsonl(tmp_path / "cycle.jsonl", records)
    message = failure(engine, path)
    assert message.startswith(f"{path}:{at + 1}: reply cycle")
    assert message == one_process_failure(engine, path, monkeypatch) and nothing_stored(engine)


@SQLITE
def test_a_thread_in_both_halves_is_read_again_as_one_process_reads_it(engine, second_engine, tmp_path, monkeypatch, halves):
    records = corpus()
    records.append({"thread_id": "t0", "id": "late", "parent_id": "0-1", "text": "back to the first thread"})
    path = write_jsonl(tmp_path / "scattered.jsonl", records)
    same_secret(engine, second_engine)
    [two] = import_paths(engine, [path])
    one_process(second_engine, path, monkeypatch)
    assert [o[0] for o in halves] == ["ok"]  # read whole, but its thread came back: regrouped
    assert rows(engine) == rows(second_engine) and two.comments_added == len(records)


@SQLITE
def test_cancelling_stops_the_part_process_and_leaves_nothing(engine, tmp_path, halves):
    path = write_jsonl(tmp_path / "many.jsonl", corpus(200))
    with pytest.raises(ImportCancelled):
        import_paths(engine, [path], cancelled=lambda: True)
    assert nothing_stored(engine)


def test_the_file_is_cut_between_two_threads_past_its_middle(tmp_path):
    path = write_jsonl(tmp_path / "cut.jsonl", corpus(10))
    data = path.read_bytes()
    at = bulk_halves.split_point(path, len(data), "utf-8")
    assert at is not None and at >= len(data) // 2 and data[at - 1 : at] == b"\n"
    middle = data.rfind(b"\n", 0, len(data) // 2) + 1  # the start of the line the middle falls in
    passed = [json.loads(line)["thread_id"] for line in data[middle:at].splitlines()]
    assert len(set(passed)) == 1 and json.loads(data[at:].splitlines()[0])["thread_id"] != passed[0]
    one_thread = write_jsonl(tmp_path / "one.jsonl", thread(0, 50))
    assert bulk_halves.split_point(one_thread, one_thread.stat().st_size, "utf-8") is None
    per_line = write_jsonl(tmp_path / "threads.jsonl", [{"id": t, "comments": []} for t in range(50)])
    assert bulk_halves.split_point(per_line, per_line.stat().st_size, "utf-8") is None
