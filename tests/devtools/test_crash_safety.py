"""SIGKILL the labelling process at random moments, again and again: no returned submit is ever lost.

The window's share of the kills is in tests/gui/test_crash_gui.py; with this file's they pass 200.
The seed is fixed (the same kill schedule on every run); MODERATOR_CRASH_SEED=<seed> varies it.
"""

import os
import sqlite3
import time
from itertools import islice

import pytest

from moderator.core.labelling.browse import item_for
from moderator.core.labelling.log import submit
from moderator.core.store.engine import open_database
from moderator.core.team.accounts import ensure_annotator
from moderator.devtools.crash_check import Confirmed, check, integrity
from moderator.devtools.crash_drive import DEFAULT_SEED, campaign, crash_seed, kill_schedule, prepare, seed_note, spawn

CORE_KILLS = 180


@pytest.mark.slow
def test_sigkill_in_the_core_write_path_loses_no_confirmed_label(tmp_path):
    seed = crash_seed()
    print(seed_note(seed))
    figures = spawn("moderator.devtools.crash_drive", tmp_path / "crash.sqlite", CORE_KILLS, seed, timeout=300)
    print(figures)
    assert figures["failures"] == [], f"seed {seed}"
    assert figures["kills"] == CORE_KILLS
    assert figures["labels_lost"] == 0 and figures["doubled"] == 0 and figures["resume_mismatches"] == 0
    assert figures["integrity"] == figures["final_integrity"] == "ok"
    # The kills landed where it matters: many with a submission under way, and labels were confirmed.
    assert figures["kills_mid_submit"] >= CORE_KILLS // 5, f"seed {seed}: {figures}"
    assert figures["labels_confirmed"] >= CORE_KILLS - figures["kills_scheduled_at_startup"]


def test_the_seed_is_fixed_unless_asked_and_fixes_the_kill_schedule(monkeypatch):
    monkeypatch.delenv("MODERATOR_CRASH_SEED", raising=False)
    assert crash_seed() == DEFAULT_SEED and crash_seed(5) == 5
    monkeypatch.setenv("MODERATOR_CRASH_SEED", "77")
    assert crash_seed() == 77 and crash_seed(5) == 5
    assert seed_note(77) == "crash test seed 77 (set MODERATOR_CRASH_SEED to vary)"
    first, again, other = (list(islice(kill_schedule(s, 120), 50)) for s in (77, 77, 78))
    assert first == again and first != other
    assert any(at_startup for _, at_startup, _ in first) and all(0 <= delay <= 0.12 for _, _, delay in first)


def test_the_check_notices_a_lost_label_a_wrong_value_and_a_resume_that_went_back(tmp_path):
    path = tmp_path / "c.sqlite"
    prepare(str(path), 20)
    engine = open_database(str(path))
    annotator = ensure_annotator(engine, "crash")
    first, second = 1, 2
    submit(engine, first, annotator, {"toxicity": 3}, [])
    engine.dispose()
    assert check(path, annotator, {first: Confirmed("submitted", 3)}).ok
    lost = check(path, annotator, {first: Confirmed("submitted", 3), second: Confirmed("submitted", 1)})
    assert lost.lost == [second] and not lost.ok
    assert check(path, annotator, {first: Confirmed("submitted", 4)}).lost == [first]
    # A second answer on the same comment is what a resume that went back would leave.
    engine = open_database(str(path))
    submit(engine, first, annotator, {"toxicity": 3}, [])
    assert item_for(engine, annotator, first).status == "submitted"
    engine.dispose()
    assert check(path, annotator, {first: Confirmed("submitted", 3)}).doubled == [first]


def test_integrity_reports_a_damaged_file(tmp_path):
    path = tmp_path / "c.sqlite"
    prepare(str(path), 300)
    assert integrity(path) == "ok"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=DELETE")  # everything in the main file, no WAL to mask the damage
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.close()
    with open(path, "r+b") as handle:  # scribble over the second half of the file's pages
        handle.seek(4096 * (pages // 2) + 100)
        handle.write(os.urandom(4096 * (pages // 2 - 1)))
    assert integrity(path) != "ok"


def lying_labeller(db, annotator, report, seed):
    report("R", 1)
    report("K", 1, "submitted", 3)  # claims an answer it never stored
    time.sleep(60)


def test_a_child_that_confirms_what_it_never_stored_is_caught(tmp_path):
    path = tmp_path / "c.sqlite"
    prepare(str(path), 20)
    figures = campaign(str(path), 1, 7, lying_labeller, max_delay_ms=20, say=lambda _: None)
    assert figures["kills"] == 1 and figures["labels_lost"] == 1
    assert figures["failures"] and "lost [1]" in figures["failures"][0]


@pytest.mark.slow
def test_bench_crash_prints_the_figures(tmp_path, capsys):
    from moderator.cli.main import main

    assert main(["bench", "--crash", "--kills", "6", "--no-gui", "--seed", "11", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "6 SIGKILLs" in out and "labels lost: 0" in out and "integrity_check: ok" in out and "PASSED" in out
