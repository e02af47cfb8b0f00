"""`moderator bench`: measure import, queue, export and agreement on synthetic corpora.

Figures, not assertions: the test suite only checks that the benchmark runs (tiny N).
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, insert, select

from moderator.core.store.engine import open_database
from moderator.devtools.synthetic import write_bulk_jsonl

Report = Callable[[str], None]

# Against the floor of the same run: import speed at least this share of the floor's speed; export and
# agreement times at most this multiple of the floor's time.
TARGETS = {"import_speed": ">= 0.5", "export_jsonl_time": "<= 1.5", "export_parquet_time": "<= 1.5", "agreement_time": "<= 0.25"}


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"median_ms": round(statistics.median(ordered), 2), "p95_ms": round(pick(0.95), 2), "p99_ms": round(pick(0.99), 2)}


def floor_seconds(jsonl: Path) -> float:
    """json.loads per line + raw sqlite3 executemany into a plain table: what any importer must beat."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        db = sqlite3.connect(Path(tmp) / "floor.sqlite")
        db.execute("CREATE TABLE c (thread_id TEXT, id TEXT, parent_id TEXT, author TEXT, text TEXT)")
        rows = []
        with jsonl.open(encoding="utf-8") as lines:
            for line in lines:
                r = json.loads(line)
                rows.append((r["thread_id"], r["id"], r.get("parent_id"), r.get("author"), r["text"]))
        db.executemany("INSERT INTO c VALUES (?, ?, ?, ?, ?)", rows)
        db.commit()
        db.close()
        return time.perf_counter() - start


def import_seconds(engine: Engine, jsonl: Path) -> float:
    from moderator.core.importing.writer import import_paths

    start = time.perf_counter()
    import_paths(engine, [jsonl], "jsonl")
    return time.perf_counter() - start


def next_item_latency(engine: Engine, steps: int) -> dict[str, float]:
    """Claim + load + context after each submission, as the window's Enter does, in the core."""
    from moderator.core.labelling.session import answer_and_advance, load_resume
    from moderator.core.team.accounts import ensure_annotator

    annotator = ensure_annotator(engine, f"bench-{random.randrange(10**9)}")
    state = load_resume(engine, annotator)
    samples = []
    rng = random.Random(1)
    for _ in range(steps):
        if state is None:
            break
        start = time.perf_counter()
        state = answer_and_advance(engine, annotator, state.item.id, {"toxicity": rng.randint(1, 4)}, []).next
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples) | {"steps": len(samples)}


def open_to_first_item(engine_url: str) -> float:
    """A fresh engine (as a new app would have) to the first item on screen, minus the window."""
    from moderator.core.labelling.session import load_resume
    from moderator.core.team.accounts import ensure_annotator

    start = time.perf_counter()
    engine = open_database(engine_url)
    load_resume(engine, ensure_annotator(engine, "bench-open"))
    seconds = time.perf_counter() - start
    engine.dispose()
    return seconds


def add_synthetic_labels(engine: Engine, per_comment: int, limit: int) -> int:
    """Answers from ``per_comment`` annotators on up to ``limit`` comments, bulk-inserted."""
    from moderator.core.labelling.log import active_schema
    from moderator.core.store.tables import Annotation, Comment, utcnow
    from moderator.core.team.accounts import ensure_annotator

    schema_id, _ = active_schema(engine)
    annotators = [ensure_annotator(engine, f"synthetic{i}") for i in range(per_comment)]
    rng = random.Random(3)
    with engine.begin() as conn:
        ids = conn.scalars(select(Comment.id).order_by(Comment.id).limit(limit)).all()
        now = utcnow()
        batch = []
        count = 0
        for comment_id in ids:
            base = rng.randint(1, 4)
            for annotator in annotators:
                value = base if rng.random() < 0.7 else rng.randint(1, 4)
                batch.append({"comment_id": comment_id, "annotator_id": annotator, "schema_id": schema_id,
                              "values": {"toxicity": value, "dehumanization": "none"}, "spans": [],
                              "status": "submitted", "action": "submit", "submitted_at": now})  # fmt: skip
            if len(batch) >= 20000:
                conn.execute(insert(Annotation), batch)
                count += len(batch)
                batch = []
        if batch:
            conn.execute(insert(Annotation), batch)
            count += len(batch)
    return count


def run(comments: int, db_url: str | None, workdir: Path, report: Report, gui: bool = True) -> dict:
    """The whole benchmark; ``report`` gets a line of progress for the terminal."""
    results: dict = {"comments": comments, "cpus": os.cpu_count()}
    sizes = sorted({s for s in (1000, 100_000, comments) if s <= comments})
    jsonl = workdir / f"bench-{comments}.jsonl"
    report(f"writing a synthetic corpus of {comments:,} comments")
    write_bulk_jsonl(jsonl, comments)

    report("floor: json.loads + sqlite3.executemany")
    floor = floor_seconds(jsonl)
    results["floor_seconds"] = _figure(floor)
    queue: dict[str, dict] = {}
    big_url = None
    for size in sizes:
        url = db_url if (db_url and size == comments) else f"sqlite:///{workdir / f'bench-{size}.sqlite'}"
        engine = open_database(url)
        source = jsonl if size == comments else write_bulk_jsonl(workdir / f"bench-{size}.jsonl", size)
        report(f"importing {size:,} comments")
        seconds = import_seconds(engine, source)
        if size == comments:
            results["import"] = {
                "comments_per_s": round(comments / seconds), "seconds": round(seconds, 2),
                "floor_comments_per_s": round(comments / floor), "floor_seconds": _figure(floor),
                "ratio_to_floor": max(0.001, round(floor / seconds, 3)),
            }  # fmt: skip
            big_url = url
        report(f"next-item latency at {size:,} comments")
        queue[str(size)] = next_item_latency(engine, 200) | {"open_to_first_item_s": round(open_to_first_item(url), 3)}
        engine.dispose()
    results["queue"] = queue

    engine = open_database(big_url)
    report("labels for export and agreement")
    labels = add_synthetic_labels(engine, 5, max(1, comments // 5))
    results["labels"] = labels
    # Export and agreement are commands of their own, run on a database its last user closed
    # (SQLite folds the write-ahead log back in then), not on a million rows still in the log.
    engine.dispose()
    engine = open_database(big_url)
    results["export"] = export_figures(engine, workdir, labels, floor)
    report("agreement")
    results["agreement"] = agreement_figures(engine, labels, floor)
    engine.dispose()
    results["ratios_to_floor"] = ratios_to_floor(results)
    if gui:
        report("GUI: keystroke to painted, memory")
        results["gui"] = gui_figures(big_url)
    return results


def export_figures(engine: Engine, workdir: Path, labels: int, floor: float) -> dict:
    """Comment-level JSONL and Parquet of the whole database; CPU seconds too (all threads), which a
    busy machine disturbs less than wall time; each time as a ratio to the floor's (lower is faster)."""
    from moderator.core.export.writer import export_file

    figures: dict = {"annotations": labels}
    for fmt in ("jsonl", "parquet"):
        out = workdir / f"bench-export.{fmt}"
        start, cpu = time.perf_counter(), time.process_time()
        records = export_file(engine, out, fmt)
        seconds = time.perf_counter() - start
        figures |= {f"{fmt}_seconds": round(seconds, 2), f"{fmt}_cpu_seconds": round(time.process_time() - cpu, 2),
                    f"{fmt}_mb": round(out.stat().st_size / 1e6, 1), f"{fmt}_ratio_to_floor": _ratio(seconds, floor)}  # fmt: skip
        out.unlink()
    seconds = figures["jsonl_seconds"]
    return figures | {"records": records, "annotations_per_s": round(labels / seconds) if seconds else None}


def agreement_figures(engine: Engine, labels: int, floor: float) -> dict:
    """The agreement report's time, and as a ratio to the floor's (lower is faster)."""
    from moderator.core.agreement.report import agreement_report

    start = time.perf_counter()
    report = agreement_report(engine, ["toxicity"])
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        "annotations": labels,
        "alpha_ordinal": report["toxicity"].get("krippendorff_alpha_ordinal"),
        "ratio_to_floor": _ratio(seconds, floor),
    }


def _figure(seconds: float) -> float:
    """Three significant digits: a tiny corpus's floor is a few milliseconds, never shown as 0."""
    return float(f"{seconds:.3g}")


def _ratio(seconds: float, floor: float) -> float:
    """A time over the floor's time of the same run (unrounded times; at least 0.001, so never zero)."""
    return max(0.001, round(seconds / floor, 3))


def ratios_to_floor(results: dict) -> dict:
    """Every figure against the floor of the same run: import as a speed (higher is faster), the rest
    as times (lower is faster); the targets of issue 19 beside them."""
    imp, exp, agr = results.get("import", {}), results.get("export", {}), results.get("agreement", {})
    return {
        "floor_seconds": results.get("floor_seconds"),
        "import_speed": imp.get("ratio_to_floor"),
        "export_jsonl_time": exp.get("jsonl_ratio_to_floor"),
        "export_parquet_time": exp.get("parquet_ratio_to_floor"),
        "agreement_time": agr.get("ratio_to_floor"),
        "targets": dict(TARGETS),
    }


def gui_figures(db_url: str) -> dict:
    """The window in its own process (offscreen), so its peak memory is the GUI's alone."""
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "moderator.devtools.bench_gui", db_url], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def format_results(results: dict) -> str:
    lines = [f"Moderator bench: {results['comments']:,} comments, {results['cpus']} CPUs"]
    imp = results.get("import", {})
    if imp:
        lines.append(
            f"import     {imp['comments_per_s']:>10,} comments/s in {imp['seconds']} s   floor {imp['floor_comments_per_s']:,}/s"
            f" in {imp['floor_seconds']} s   ratio to the floor's speed {imp['ratio_to_floor']}"
        )
    for size, q in results.get("queue", {}).items():
        lines.append(
            f"next item  {int(size):>10,} comments   median {q['median_ms']} ms  p95 {q['p95_ms']} ms  p99 {q['p99_ms']} ms"
            f"   open→first item {q['open_to_first_item_s']} s"
        )
    exp = results.get("export", {})
    if exp:
        lines.append(
            f"export     {exp['annotations']:>10,} annotations in {exp['jsonl_seconds']} s (JSONL, {exp['records']:,} records)"
            f"   Parquet {exp.get('parquet_seconds')} s   ratio to the floor's time: JSONL {exp.get('jsonl_ratio_to_floor')}"
            f"  Parquet {exp.get('parquet_ratio_to_floor')}"
        )
    agr = results.get("agreement", {})
    if agr:
        lines.append(
            f"agreement  {agr['annotations']:>10,} annotations in {agr['seconds']} s   ratio to the floor's time {agr.get('ratio_to_floor')}"
        )
    gui = results.get("gui", {})
    if "error" in gui:
        lines.append(f"gui        failed: {gui['error']}")
    elif gui:
        lines.append(
            f"gui        keystroke→painted median {gui['keystroke_median_ms']} ms  p99 {gui['keystroke_p99_ms']} ms"
            f"   first item {gui['first_item_s']} s   peak RSS {gui['peak_rss_mb']} MB after paging {gui['rows_paged']:,} rows"
        )
    ratios = results.get("ratios_to_floor")
    if ratios:
        targets = ratios["targets"]
        lines.append(
            f"vs floor   {ratios['floor_seconds']} s: "
            + "   ".join(f"{key.replace('_', ' ')} {ratios[key]} (target {targets[key]})" for key in TARGETS)
        )
    return "\n".join(lines)
