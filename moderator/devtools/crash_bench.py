"""`moderator bench --crash`: the crash campaigns (core write path, window) side by side, and their figures."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from moderator.devtools.crash_drive import SEED_ENV, crash_seed, seed_note, spawn

CORE_MODULE = "moderator.devtools.crash_drive"


def run(kills: int, workdir: Path, say: Callable[[str], None], seed: int | None = None, gui_module: str | None = None) -> dict:
    """``kills`` in all, a fifth of them in the window (``gui_module``) when given; both run at once."""
    seed = crash_seed(seed)  # --seed, else $MODERATOR_CRASH_SEED, else a fixed one: a run repeats by default
    gui_kills = kills // 5 if gui_module else 0
    plan = {"core": (CORE_MODULE, kills - gui_kills)}
    if gui_kills:
        plan["gui"] = (gui_module, gui_kills)
    shares = ", ".join(f"{n} {name}" for name, (_, n) in plan.items())
    say(f"{seed_note(seed, f'set {SEED_ENV} or --seed to vary')}; {kills} kills ({shares})")
    start = time.perf_counter()
    with ThreadPoolExecutor(len(plan)) as pool:  # one zygote per campaign, each on its own database
        futures = {
            name: pool.submit(spawn, module, workdir / f"crash-{name}.sqlite", n, seed, 3600, None, True)
            for name, (module, n) in plan.items()
        }
        campaigns = {name: future.result() for name, future in futures.items()}
    results = {
        "seed": seed,
        "seconds": round(time.perf_counter() - start, 2),
        "kills": sum(c["kills"] for c in campaigns.values()),
        "labels_confirmed": sum(c["labels_confirmed"] for c in campaigns.values()),
        "labels_lost": sum(c["labels_lost"] for c in campaigns.values()),
        "integrity": "ok" if all(c["integrity"] == c["final_integrity"] == "ok" for c in campaigns.values()) else "FAILED",
        "campaigns": campaigns,
    }
    results["passed"] = (
        results["kills"] == kills and results["labels_lost"] == 0 and results["integrity"] == "ok"
        and not any(c["failures"] or c["resume_mismatches"] or c["doubled"] for c in campaigns.values())
    )  # fmt: skip
    return results


def format_results(results: dict) -> str:
    names = {"core": "core write path", "gui": "window (offscreen)"}
    lines = [
        f"Crash test, seed {results['seed']}: {results['kills']} SIGKILLs in {results['seconds']} s — "
        + ("PASSED" if results["passed"] else "FAILED"),
        f"  labels confirmed: {results['labels_confirmed']:,}   labels lost: {results['labels_lost']}   "
        f"integrity_check: {results['integrity']}",
    ]
    for name, c in results["campaigns"].items():
        lines.append(
            f"  {names.get(name, name)}: {c['kills']} kills ({c['kills_at_startup']} while starting, "
            f"{c['kills_mid_submit']} with a submission under way, {c['mid_submit_committed']} of which had committed), "
            f"{c['labels_confirmed']:,} confirmed, {c['labels_lost']} lost, resume mismatches {c['resume_mismatches']}, "
            f"{c['seconds']} s"
        )
        lines += [f"    {failure}" for failure in c["failures"]]
    return "\n".join(lines)
