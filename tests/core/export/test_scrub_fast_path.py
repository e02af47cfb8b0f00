"""The scrubber's fast paths decide exactly as its full checks: ``may_hold`` never misses a text
``candidates`` would find something in, and ``quiet_run`` over a page takes the rows ``unchanged`` takes,
leaving the scrubber in the same state."""

import random

import pytest

from moderator.core.export.scrub import Scrubber
from moderator.core.export.scrub_patterns import candidates, may_hold

TEXTS = [
    "plain words only", "mail ana@example.org", "see https://x.com/ana", "www.example.org", "u/ana_lopez here",
    "reddit.com/u/ana", "call 0612 345 678", "at 10:30", "fe80::1", "year 1999", "a/b", "nothing: here", "",
    "x.com/home", "std::vector", "@", "Ana, Bo and Cy agree.",
]  # fmt: skip


@pytest.mark.parametrize("text", TEXTS)
def test_may_hold_never_misses_what_candidates_finds(text):
    assert may_hold(text) or not candidates(text)


def _rows(seed: int) -> list[tuple]:
    """(thread id, comment id, parent id, text) rows of three threads in order, replies after their parents."""
    rng = random.Random(seed)
    rows, cid = [], 0
    for thread in (1, 2, 3):
        ids = []
        for _ in range(12):
            cid += 1
            parent = rng.choice([None, *ids[-3:]]) if ids else None
            rows.append((thread, cid, parent, rng.choice(TEXTS)))
            ids.append(cid)
    return rows


def _walk(rows: list[tuple], quick: bool) -> tuple[list[bool], Scrubber]:
    """Each row unchanged or scrubbed, row by row (``unchanged``) or a quiet run at a time (``quiet_run``)."""
    scrubber, taken = Scrubber(), []
    quiet = scrubber.quiet_run(rows, 0, None, (0, 1, 2, 3)) if quick else 0
    for i, (thread, cid, parent, text) in enumerate(rows):
        if quick and i < quiet:
            taken.append(True)
            continue
        same = scrubber.unchanged(thread, cid, text, parent)
        if not same:
            scrubber.text(thread, f"thread {thread}", None, cid, text, parent, None)
        taken.append(same)
        if quick:
            quiet = scrubber.quiet_run(rows, i + 1, None, (0, 1, 2, 3))
    return taken, scrubber


@pytest.mark.parametrize("seed", range(6))
def test_a_quiet_run_takes_the_rows_unchanged_takes(seed):
    rows = _rows(seed)
    slow, one = _walk(rows, quick=False)
    fast, other = _walk(rows, quick=True)
    assert fast == slow
    assert one.counts.as_dict() == other.counts.as_dict()
    assert (one._thread.seen, one._thread.changed, one._thread.users) == (
        other._thread.seen,
        other._thread.changed,
        other._thread.users,
    )
