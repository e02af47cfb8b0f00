"""`moderator gold`: gold items (checks with known answers): import a file, promote reviewer gold, accuracy."""

from __future__ import annotations

import json

from moderator.cli.common import UsageError, open_db, require_lead


def run(args) -> int:
    from moderator.core.project import Project

    engine = open_db(args)
    who = require_lead(args, engine, "manage gold items or see their accuracy")
    project = Project(engine)
    if args.action == "import":
        if len(args.items) != 1:
            raise UsageError("gold import takes one file (JSONL, JSON, CSV or TSV)")
        added = project.import_gold(args.items[0], who)
        print(f"{added.items} gold items in {args.items[0]}: {added.added} added, {added.already} already gold")
    elif args.action == "promote":
        try:
            ids = [int(i) for i in args.items] or None
        except ValueError:
            raise UsageError("gold promote takes comment ids (none: every comment with a reviewer gold label)") from None
        added = project.promote_gold(ids, who)
        print(f"{added.added} reviewer gold labels promoted to gold items ({added.already} were already)")
    else:
        _accuracy(project, who, args)
    return 0


def _accuracy(project, who, args) -> None:
    from moderator.core.gold.accuracy import under_threshold

    threshold = project.gold_settings().threshold if args.threshold is None else args.threshold
    people = project.gold_accuracy(who)
    below = {p.annotator_id for p in under_threshold(people, threshold)}
    if args.json:
        rows = [p.as_dict() | {"below_threshold": p.annotator_id in below} for p in people]
        print(json.dumps({"threshold": threshold, "people": rows}, indent=2))
        return
    if not people:
        print("no one has answered a gold item yet")
        return
    print(f"{len(below)} of {len(people)} people below {threshold:.0%} on gold items")
    for p in people:
        questions = ", ".join(f"{q} {a.share:.0%} of {a.checked}" for q, a in sorted(p.questions.items()))
        mark = "  BELOW" if p.annotator_id in below else ""
        print(f"{p.name}: {p.overall.share:.0%} on {p.items} items ({questions}){mark}")
