"""`moderator agreement`: inter-annotator agreement per question (reviewers and admins only)."""

from __future__ import annotations

import json

from moderator.cli.common import UsageError, open_db, viewer


def run(args) -> int:
    from moderator.core.agreement.report import agreement_report, format_report

    engine = open_db(args)
    who = viewer(args, engine)
    if who is not None and not who.sees_all:
        raise UsageError("agreement figures are for reviewers and admins (annotators label blind)")
    report = agreement_report(engine, args.question or None)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0
