"""A big export written by two processes (parallel.py) is the one-process export, byte for byte.

The thresholds are lowered so that a few threads make several chunks; the parent's claims are made to
alternate with the part process's, so that both write chunks (nothing here depends on timing).
"""

from __future__ import annotations

import json
import multiprocessing
import time

import pytest

from moderator.core.export import parallel
from moderator.core.export.part import claim as real_claim
from moderator.core.export.scrub import ScrubCounts
from moderator.core.export.writer import ExportCancelled, export_file
from moderator.core.importing.writer import import_paths
from moderator.core.labelling.claims import configure
from moderator.core.labelling.log import submit
from moderator.core.team.accounts import add_account, ensure_annotator

THREADS, REPLIES = 9, 6


def threads() -> list[dict]:
    """Threads whose texts hold personal data: user names repeat within a thread and across threads."""
    out = []
    for t in range(THREADS):
        comments = [{"id": f"{t}-0", "author": f"user{t}", "text": f"Opening words of thread {t}, mail me at a{t}@example.org"}]
        for r in range(1, REPLIES):
            text = f"@user{t} and @user{(t + 1) % THREADS} said {r}; call +44 20 7946 09{r:02d}" if r % 2 else f"plain reply {r}"
            comments.append({"id": f"{t}-{r}", "parent_id": f"{t}-{r - 1}", "author": f"user{r}", "text": text})
        out.append({"id": f"t{t}", "title": f"Thread {t} by @user{t}", "url": f"https://example.org/{t}", "comments": comments})
    return out


@pytest.fixture
def project(engine, tmp_path):
    path = tmp_path / "threads.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in threads()), encoding="utf-8")
    import_paths(engine, [path])
    from sqlalchemy import select

    from moderator.core.store.tables import Comment

    with engine.connect() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.id)).all()
    configure(engine, overlap=3)
    ana, bo = ensure_annotator(engine, "ana"), ensure_annotator(engine, "bo")
    for i, cid in enumerate(ids[::3]):
        submit(engine, cid, ana, {"toxicity": 1 + i % 4, "dehumanization": "none"}, spans=[{"start": 0, "end": 4}])
        submit(engine, cid, bo, {"toxicity": 2, "dehumanization": "none"}, duration_ms=900)
    return engine


@pytest.fixture
def small(monkeypatch):
    """Every export parallel, in chunks of about one thread."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setattr(parallel, "CHUNK", REPLIES)


@pytest.fixture
def split(small, monkeypatch):
    """``small``, the parent taking every other chunk."""

    def alternating(counter, count):
        until = time.monotonic() + 20  # the part process takes the odd chunks (it may start slowly)
        while counter.value % 2 and counter.value < count and time.monotonic() < until:
            time.sleep(0.01)
        return real_claim(counter, count)

    monkeypatch.setattr(parallel, "claim", alternating)


def one_process(engine, path, fmt, **options):
    original = parallel.PARALLEL_FROM
    parallel.PARALLEL_FROM = 10**12
    try:
        counts = ScrubCounts()
        return export_file(engine, path, fmt, scrubbed=counts, **options), counts
    finally:
        parallel.PARALLEL_FROM = original


def same_file(one, two, fmt) -> bool:
    if fmt == "jsonl":
        return one.read_bytes() == two.read_bytes()
    import pyarrow.parquet as pq

    return pq.read_table(one).equals(pq.read_table(two))


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
@pytest.mark.parametrize("level", ["comment", "annotation"])
def test_two_processes_write_the_one_process_file(project, tmp_path, split, fmt, level):
    expected, expected_counts = one_process(project, tmp_path / f"one.{fmt}", fmt, level=level)
    counts, seen = ScrubCounts(), []
    count = export_file(project, tmp_path / f"two.{fmt}", fmt, seen.append, level=level, scrubbed=counts)
    assert count == expected
    assert same_file(tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}", fmt)
    assert counts.as_dict() == expected_counts.as_dict() and counts.users and counts.found["email"]
    assert seen == sorted(seen) and seen[-1] == 1.0
    assert not (tmp_path / f"two.{fmt}.part").exists() and not (tmp_path / f"two.{fmt}.part2").exists()
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_the_part_process_alone_writes_the_same_file(project, tmp_path, small, monkeypatch, fmt):
    monkeypatch.setattr(parallel, "claim", lambda counter, count: None)  # the parent only puts the file together
    one_process(project, tmp_path / f"one.{fmt}", fmt)
    export_file(project, tmp_path / f"two.{fmt}", fmt)
    assert same_file(tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}", fmt)


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_a_write_during_the_export_is_in_neither_part(project, tmp_path, split, monkeypatch, fmt):
    """SQLite: the part process sees another snapshot, so the parent writes the rest itself; PostgreSQL:
    the part process reads the parent's snapshot. Either way the file is the database before the write."""
    one_process(project, tmp_path / f"one.{fmt}", fmt)
    start = parallel._Parent._start

    def start_then_write(self, context, snapshot):
        start(self, context, snapshot)
        with project.connect() as conn:
            first = conn.exec_driver_sql("SELECT min(id) FROM comments").scalar()
        submit(project, first, ensure_annotator(project, "cy"), {"toxicity": 4, "dehumanization": "none"})

    monkeypatch.setattr(parallel._Parent, "_start", start_then_write)
    alone = _spy_alone(monkeypatch)
    export_file(project, tmp_path / f"two.{fmt}", fmt)
    assert same_file(tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}", fmt)
    assert alone == ([True] if project.dialect.name == "sqlite" else [])


def _spy_alone(monkeypatch) -> list:
    """A list that gets an item each time the parent stops the part process to write the rest alone."""
    calls, go_alone = [], parallel._Parent._go_alone
    monkeypatch.setattr(parallel._Parent, "_go_alone", lambda self: (calls.append(not self.alone), go_alone(self))[1])
    return calls


def test_a_failed_part_process_leaves_the_parent_to_finish(project, tmp_path, small, monkeypatch):
    one_process(project, tmp_path / "one.jsonl", "jsonl")
    monkeypatch.setattr(parallel, "claim", lambda counter, count: None)  # every chunk left to the part process
    setup = parallel._Parent._setup  # the parent reads only the format's fields of its own
    monkeypatch.setattr(parallel._Parent, "_setup", lambda self, snapshot: _broken(setup(self, snapshot)))
    alone = _spy_alone(monkeypatch)
    export_file(project, tmp_path / "two.jsonl", "jsonl")
    assert same_file(tmp_path / "one.jsonl", tmp_path / "two.jsonl", "jsonl")
    assert alone[:1] == [True]


def _broken(setup):
    if setup.snapshot is None and setup.url.get_backend_name() == "sqlite":
        setup.url = setup.url.set(database=setup.url.database + ".missing/none.sqlite")
    else:
        setup.snapshot = "00000000-00000000-0"  # no such snapshot
    return setup


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_cancel_stops_both_processes_and_keeps_nothing(project, tmp_path, split, fmt):
    out = tmp_path / f"two.{fmt}"
    calls = []
    with pytest.raises(ExportCancelled):
        export_file(project, out, fmt, calls.append, cancelled=lambda: len(calls) >= 2)
    assert not out.exists() and not (tmp_path / f"two.{fmt}.part").exists() and not (tmp_path / f"two.{fmt}.part2").exists()
    assert not multiprocessing.active_children()


@pytest.mark.parametrize("fmt", ["jsonl", "parquet"])
def test_an_annotators_parallel_export_holds_only_their_own_labels(project, tmp_path, split, fmt):
    admin = add_account(project, "root", "admin", "pw")
    cy = add_account(project, "cy", "annotator", "pw", by=admin)
    with project.connect() as conn:
        ids = conn.exec_driver_sql("SELECT id FROM comments ORDER BY id").scalars().all()
    for cid in ids[::4]:
        submit(project, cid, cy.id, {"toxicity": 3, "dehumanization": "none"})
    one_process(project, tmp_path / f"one.{fmt}", fmt, viewer=cy)
    export_file(project, tmp_path / f"two.{fmt}", fmt, viewer=cy)
    assert same_file(tmp_path / f"one.{fmt}", tmp_path / f"two.{fmt}", fmt)
