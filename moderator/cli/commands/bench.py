"""`moderator bench`: the synthetic benchmark, the assist replay (--assist), claim latency (--claims), the crash campaigns (--crash)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from moderator.cli.common import UsageError, say


def run(args) -> int:
    if args.crash:
        return _crash(args)
    if args.claims:
        return _claims(args)
    if args.assist:
        return _assist(args)
    from moderator.devtools.bench import format_results
    from moderator.devtools.bench import run as run_bench

    if args.comments < 10:
        raise UsageError("bench needs --comments of at least 10")
    with tempfile.TemporaryDirectory(prefix="moderator-bench-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = run_bench(args.comments, args.db, workdir, say, gui=not args.no_gui)
    print(json.dumps(results, indent=2) if args.json else format_results(results))
    return 0


def _claims(args) -> int:
    from moderator.core.store.engine import resolve_url
    from moderator.devtools.claim_bench import format_results
    from moderator.devtools.claim_bench import run as run_claims

    url = resolve_url(args.db)
    if url.get_backend_name() != "postgresql":
        raise UsageError("bench --claims needs --db postgresql://USER@SERVER/DB (a login that may create databases)")
    with tempfile.TemporaryDirectory(prefix="moderator-claims-") as tmp:
        results = run_claims(url.render_as_string(hide_password=False), Path(tmp), team=args.team, say=say)
    print(json.dumps(results, indent=2) if args.json else format_results(results))
    return 0


def _assist(args) -> int:
    from moderator.devtools.assist_sim import format_report, run_all

    report = run_all(args.data, say=say)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _crash(args) -> int:
    from moderator.devtools.crash_bench import format_results
    from moderator.devtools.crash_bench import run as run_crash

    if args.kills < 1:
        raise UsageError("bench --crash needs --kills of at least 1")
    with tempfile.TemporaryDirectory(prefix="moderator-crash-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        gui_module = None if args.no_gui else "moderator.devtools.crash_window"
        results = run_crash(args.kills, workdir, say, seed=args.seed, gui_module=gui_module)
    print(json.dumps(results, indent=2) if args.json else format_results(results))
    return 0 if results["passed"] else 1
