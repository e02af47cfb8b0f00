"""`moderator report`: the data statement (REPORT.md and its charts) for reviewers of the dataset."""

from __future__ import annotations

import sys
from pathlib import Path

from moderator.cli.common import open_db, require_lead


def run(args) -> int:
    from moderator.core.report.statement import write_report

    engine = open_db(args)
    require_lead(args, engine, "write the data statement (it reads every label)")
    path = write_report(engine, Path(args.out), hourly_rate=args.hourly_rate, currency=args.currency, resamples=args.resamples)
    print(f"data statement written to {path}", file=sys.stderr)
    return 0
