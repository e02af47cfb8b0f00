"""Crash test: label, get killed with SIGKILL at a random moment, reopen, check, many times over.

This process is a zygote: it imports everything once, then forks one labelling child per kill (a few
ms, where a fresh interpreter costs 0.4 s). The child reports on a pipe, unbuffered, *after* each
submit returns; the zygote kills it a random delay after its first confirmed answer (or, now and then,
while it starts), reads what it reported and checks the database (crash_check). ``python -m moderator.devtools.crash_drive`` runs the core write path;
``moderator.devtools.crash_window`` runs the real window with the same campaign. A run prints one JSON line.

The seed is fixed unless asked otherwise (--seed, else $MODERATOR_CRASH_SEED, else DEFAULT_SEED): the
same seed gives the same kill schedule (which kills come while the child starts, every delay, every
child's answers); where each kill lands still depends on how fast the machine is.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

from moderator.devtools.crash_check import Confirmed, check

ANNOTATOR = "crash"
# Compiled SQL shared by every engine of the campaign (checks and children inherit it through fork):
# compiling is pure CPU, and the time is better spent labelling and being killed.
COMPILED: dict = {}
TOP_UP_BELOW = 1000  # unanswered comments left before the campaign imports more
DEFAULT_SEED = 12345
SEED_ENV = "MODERATOR_CRASH_SEED"
# Labeller(db path, annotator name, report, seed): labels until killed; report(*fields) writes one line.
Labeller = Callable[[str, str, Callable[..., None], int], None]


def crash_seed(explicit: int | None = None) -> int:
    """The campaign's seed: ``explicit`` (--seed), else $MODERATOR_CRASH_SEED, else DEFAULT_SEED."""
    if explicit is not None:
        return explicit
    value = os.environ.get(SEED_ENV, "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{SEED_ENV} must be an integer, not {value!r}") from None


def seed_note(seed: int, vary: str = f"set {SEED_ENV} to vary") -> str:
    return f"crash test seed {seed} ({vary})"


def kill_schedule(seed: int, max_delay_ms: float) -> Iterator[tuple[int, bool, float]]:
    """Kill after kill: the child's seed, whether it dies while starting, and the delay (s) before its kill."""
    rng = random.Random(seed)
    while True:
        child_seed = rng.randrange(2**32)
        at_startup = rng.random() < 0.15  # kill while it opens the database and claims its first item
        yield child_seed, at_startup, rng.uniform(0, 0.03 if at_startup else max_delay_ms / 1000)


def pipe_reporter(fd: int) -> Callable[..., None]:
    def report(*fields) -> None:
        os.write(fd, (" ".join(str(f) for f in fields) + "\n").encode())  # one write: no buffer to lose

    return report


def core_labeller(db: str, annotator: str, report: Callable[..., None], seed: int) -> None:
    """The app's write path without the window: resume, then answer (now and then skip) and move on."""
    from moderator.core.labelling.browse import item_for
    from moderator.core.labelling.log import submit
    from moderator.core.labelling.session import claim_item, load_resume
    from moderator.core.store.engine import open_database
    from moderator.core.team.accounts import ensure_annotator

    rng = random.Random(seed)
    engine = open_database(db).execution_options(compiled_cache=COMPILED)
    annotator_id = ensure_annotator(engine, annotator)
    state = load_resume(engine, annotator_id)
    report("R", state.item.id if state else 0)
    while state is not None:
        comment_id = state.item.id
        skip = rng.random() < 0.1
        toxicity = None if skip else rng.randint(1, 4)
        report("T")
        submit(engine, comment_id, annotator_id, {} if skip else {"toxicity": toxicity}, [], "skipped" if skip else "submitted")
        report("K", comment_id, "skipped" if skip else "submitted", toxicity)
        # The rest of answer_and_advance: the answered item, then claim the next one.
        state = claim_item(engine, annotator_id, item_for(engine, annotator_id, comment_id).key)


class _Child:
    """One forked labeller and what it has said so far."""

    def __init__(self, labeller: Labeller, db: str, seed: int):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child: never returns into the zygote's code
            os.close(read)
            report = pipe_reporter(write)
            try:
                labeller(db, ANNOTATOR, report, seed)
                os._exit(0)
            except BaseException:  # noqa: BLE001 - whatever it is, the zygote must hear of it
                report("E", traceback.format_exc().replace("\n", " | "))
                os._exit(1)
        os.close(write)
        self.fd = read
        self.buffer = b""
        self.lines: list[list[str]] = []
        self.eof = False

    def read(self, timeout: float) -> None:
        if self.eof or not select.select([self.fd], [], [], max(0.0, timeout))[0]:
            return
        data = os.read(self.fd, 65536)
        if not data:
            self.eof = True
            return
        self.buffer += data
        *complete, self.buffer = self.buffer.split(b"\n")
        self.lines += [line.decode().split(" ", 3 if line.startswith(b"K") else 1) for line in complete]

    def said(self, tag: str) -> bool:
        return any(line[0] == tag for line in self.lines)

    def kill(self) -> int:
        os.kill(self.pid, signal.SIGKILL)
        _, status = os.waitpid(self.pid, 0)
        while not self.eof:  # whatever it wrote before it died is still in the pipe
            self.read(5.0)
        os.close(self.fd)
        return status


def campaign(db: str, kills: int, seed: int, labeller: Labeller, max_delay_ms: float, say=print) -> dict:
    """Kill ``kills`` labelling children; returns the figures (and any failures, with the kill number)."""
    from moderator.core.store.engine import open_database
    from moderator.core.team.accounts import ensure_annotator

    schedule = kill_schedule(seed, max_delay_ms)
    path = Path(db)
    engine = open_database(db)
    annotator_id = ensure_annotator(engine, ANNOTATOR)
    engine.dispose()  # nothing open across a fork
    confirmed: dict[int, Confirmed] = {}
    figures = {"seed": seed, "kills": 0, "kills_scheduled_at_startup": 0, "kills_at_startup": 0, "kills_mid_submit": 0, "mid_submit_committed": 0,
               "labels_confirmed": 0, "labels_lost": 0, "resume_mismatches": 0, "doubled": 0, "integrity": "ok",
               "failures": []}  # fmt: skip
    start = time.perf_counter()
    expected_first: int | None = None
    unconfirmed = 0  # answers committed by a child killed before it could report them
    for n in range(kills):
        child_seed, at_startup, delay = next(schedule)
        child = _Child(labeller, db, child_seed)
        deadline = time.monotonic() + delay if at_startup else None
        give_up = time.monotonic() + 60
        while not child.eof and time.monotonic() < (deadline or give_up):
            child.read((deadline or give_up) - time.monotonic())
            # The clock starts at the first confirmed answer, not at the resume: a slow (busy) machine
            # then still has every kill but the startup ones come after labels, not before any.
            if deadline is None and child.said("K"):
                deadline = time.monotonic() + delay
        if child.eof or child.said("E"):
            errors = [line[1] for line in child.lines if line[0] == "E"]
            figures["failures"].append(f"kill {n}: the child stopped before the kill: {errors or 'no report'}")
            child.kill()  # or reap it, if it is gone already
            break
        child.kill()
        figures["kills"] += 1
        figures["kills_scheduled_at_startup"] += at_startup
        figures["kills_at_startup"] += not child.said("R")
        for line in child.lines:
            if line[0] == "R" and expected_first is not None and int(line[1] or 0) != (expected_first or 0):
                figures["resume_mismatches"] += 1
                figures["failures"].append(f"kill {n}: the child resumed on comment {line[1]}, not {expected_first}")
            elif line[0] == "K":
                toxicity = None if line[3] == "None" else int(line[3])
                confirmed[int(line[1])] = Confirmed(line[2], toxicity)
                figures["labels_confirmed"] += 1
        result = check(path, annotator_id, confirmed, COMPILED)
        # Typed more than it confirmed: the kill came with a submission under way (maybe committed).
        if sum(line[0] == "T" for line in child.lines) > sum(line[0] == "K" for line in child.lines):
            figures["kills_mid_submit"] += 1
            figures["mid_submit_committed"] += result.stored - len(confirmed) > unconfirmed
        unconfirmed = result.stored - len(confirmed)
        expected_first = result.expected_next
        if result.remaining < TOP_UP_BELOW:  # a fast machine labels more per kill: never run dry
            figures["top_ups"] = figures.get("top_ups", 0) + 1
            prepare(db, TOP_UP_BELOW * 2, batch=figures["top_ups"])
        figures["labels_lost"] = max(figures["labels_lost"], len(result.lost))
        figures["doubled"] = max(figures["doubled"], len(result.doubled))
        if result.integrity != "ok":
            figures["integrity"] = result.integrity
        if result.expected_next != result.resumed_at:
            figures["resume_mismatches"] += 1
        if not result.ok:
            figures["failures"].append(
                f"kill {n} (seed {seed}): integrity {result.integrity}, lost {result.lost[:10]}, doubled "
                f"{result.doubled[:10]}, resumed at {result.resumed_at} instead of {result.expected_next}"
            )
            break
        if (n + 1) % 50 == 0:
            say(f"{n + 1} kills, {figures['labels_confirmed']} labels confirmed, none lost")
    final = check(path, annotator_id, confirmed, COMPILED)
    figures["final_integrity"], figures["stored_labels"] = final.integrity, final.stored
    figures["seconds"] = round(time.perf_counter() - start, 2)
    return figures


def prepare(db: str, comments: int, batch: int = 0) -> None:
    """A synthetic corpus in ``db``; each ``batch`` adds new threads, after the earlier ones in the queue."""
    import tempfile

    from moderator.core.importing.writer import import_paths
    from moderator.core.labelling.log import active_schema
    from moderator.core.store.engine import open_database
    from moderator.devtools.synthetic import write_bulk_jsonl

    engine = open_database(db)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_bulk_jsonl(Path(tmp) / f"crash-{batch}.jsonl", comments, seed=7 + batch)
        if batch:  # other thread and comment ids, or the import would find them already there
            records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            for r in records:
                r.update({k: f"b{batch}-{r[k]}" for k in ("thread_id", "id", "parent_id") if r.get(k)})
            path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        import_paths(engine, [path], "jsonl")
    active_schema(engine)  # store the schema now, not in the first child's first submit
    engine.dispose()


def main(labeller: Labeller = core_labeller, argv: list[str] | None = None, max_delay_ms: float = 120) -> int:
    parser = argparse.ArgumentParser(description="SIGKILL a labelling process again and again; check nothing is lost")
    parser.add_argument("--db", required=True, help="a new SQLite file (created with a synthetic corpus)")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None, help=f"default: ${SEED_ENV}, else {DEFAULT_SEED}")
    parser.add_argument("--comments", type=int, default=None, help="corpus size (default: enough for the kills)")
    parser.add_argument("--max-delay-ms", type=float, default=max_delay_ms)
    args = parser.parse_args(argv)
    seed = crash_seed(args.seed)
    name = Path(sys.argv[0]).stem  # crash_drive or crash_window: two campaigns may share a terminal
    say = lambda line: print(f"{name}: {line}", file=sys.stderr, flush=True)  # noqa: E731
    say(f"{seed_note(seed, f'set {SEED_ENV} or --seed to vary')}; {args.kills} kills")
    # A child answers some 3 (window) to 15 (core) comments before its kill; the campaign adds more
    # when they run low. A small file keeps each check quick (integrity_check reads all of it).
    comments = args.comments or max(2000, args.kills * 15)
    prepare(args.db, comments)
    figures = campaign(args.db, args.kills, seed, labeller, args.max_delay_ms, say) | {"comments": comments}
    print(json.dumps(figures), flush=True)
    return 0


def spawn(
    module: str, db: Path, kills: int, seed: int, timeout: float = 600, extra: list[str] | None = None, progress: bool = False
) -> dict:
    """Run a campaign in a fresh zygote (``python -m module``): nothing of the caller leaks into the children.

    ``progress``: let its progress lines through to this terminal instead of keeping them for an error.
    """
    import subprocess

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", module, "--db", str(db), "--kills", str(kills), "--seed", str(seed), *(extra or [])]
    stderr = None if progress else subprocess.PIPE
    done = subprocess.run(command, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env, timeout=timeout, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{module} failed (exit {done.returncode}, seed {seed}): {(done.stderr or '').strip()[-2000:]}")
    return json.loads(lines[-1])


if __name__ == "__main__":
    sys.exit(main())
