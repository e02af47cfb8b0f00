"""`moderator import PATH...`: threads from files into the database."""

from __future__ import annotations

from moderator.cli.common import open_db, progress_bar, require_lead


def run(args) -> int:
    from moderator.core.importing.writer import import_paths

    engine = open_db(args)
    require_lead(args, engine, "import threads")
    with progress_bar("import") as progress:
        summaries = import_paths(engine, args.paths, args.format, progress)
    for summary in summaries:
        print(summary.describe())
    return 0
