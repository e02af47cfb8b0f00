"""`moderator agreement`: inter-annotator agreement per question (reviewers and admins only)."""

from __future__ import annotations

import json

from moderator.cli.common import UsageError, open_db, viewer


def run(args) -> int:
    from moderator.core.agreement.extended import Extended
    from moderator.core.agreement.report import agreement_report, format_report

    if args.resamples < 0:
        raise UsageError("--resamples: 0 or more")
    if args.labels and (args.basic or not args.json):
        raise UsageError("--labels lists every comment: it goes with --json, not with --basic")
    engine = open_db(args)
    who = viewer(args, engine)
    if who is not None and not who.sees_all:
        raise UsageError("agreement figures are for reviewers and admins (annotators label blind)")
    extended = None if args.basic else Extended(resamples=args.resamples, seed=args.seed, labels=args.labels)
    report = agreement_report(engine, args.question or None, extended=extended, include_gold=args.include_gold)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0
