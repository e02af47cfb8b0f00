"""SIGKILL the real window (offscreen) while keys are typed and its worker thread submits.

Each kill's child opens the window on the database, resumes, types answers a few keys ahead of the
worker, and is killed at a random moment; the window it opens next must show the comment after the
last answer stored. With tests/core/test_crash_safety.py the kills pass 200.
"""

import pytest

from moderator.devtools.crash_check import integrity
from moderator.devtools.crash_drive import crash_seed, seed_note, spawn

pytestmark = pytest.mark.slow  # the slow tier: pytest -m 'not slow' leaves it out

GUI_KILLS = 30


def test_sigkill_of_the_window_loses_no_confirmed_label_and_reopens_where_it_was(tmp_path):
    seed = crash_seed()  # fixed, unless MODERATOR_CRASH_SEED says otherwise
    print(seed_note(seed))
    figures = spawn("moderator.devtools.crash_window", tmp_path / "crash.sqlite", GUI_KILLS, seed, timeout=300)
    print(figures)
    assert figures["failures"] == [], f"seed {seed}"
    assert figures["kills"] == GUI_KILLS
    assert figures["labels_lost"] == 0 and figures["doubled"] == 0 and figures["resume_mismatches"] == 0
    assert figures["integrity"] == figures["final_integrity"] == "ok"
    confirmed_after_startup = figures["labels_confirmed"] >= GUI_KILLS - figures["kills_scheduled_at_startup"]
    assert confirmed_after_startup and figures["kills_mid_submit"] >= GUI_KILLS // 5, f"seed {seed}: {figures}"
    # Each window made a backup at start, racing the labelling and the kill; the last few are kept whole.
    backups = sorted((tmp_path / "backups").glob("*.sqlite"))
    assert 1 <= len(backups) <= 3 and all(integrity(b) == "ok" for b in backups)
