"""`moderator stats`: threads, comments, annotations and annotators."""

from __future__ import annotations

import json

from moderator.cli.common import open_db


def run(args) -> int:
    from moderator.core.labelling.stats import database_stats

    stats = database_stats(open_db(args))
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:>16}: {value}")
    return 0
