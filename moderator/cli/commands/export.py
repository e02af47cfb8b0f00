"""`moderator export`: comments with their labels as JSONL, CSV or Parquet, and a dataset card."""

from __future__ import annotations

import sys
from pathlib import Path

from moderator.cli.common import UsageError, open_db, progress_bar, viewer


def run(args) -> int:
    from moderator.core.export.release import ExportRefused, refuse_annotators
    from moderator.core.export.writer import export_file, write_export

    if (args.format == "parquet" or args.card) and not args.out:
        raise UsageError("parquet exports and --card need --out PATH")
    if args.card:
        from moderator.core.export.card import check_card_folder

        try:
            check_card_folder(Path(args.out))  # before the export, not after it
        except FileExistsError as exc:
            raise UsageError(str(exc)) from None
    engine = open_db(args)
    who = viewer(args, engine)
    try:
        refuse_annotators(engine, who)
    except ExportRefused as exc:
        raise UsageError(str(exc)) from None
    options = {"level": args.level, "keep_authors": args.keep_authors}
    with progress_bar("export") as progress:
        if args.out:
            # Written to PATH.part and renamed: never a half-written export under the real name.
            count = export_file(engine, args.out, args.format, progress, who, **options)
            print(f"{count} {args.level}s written to {args.out}", file=sys.stderr)
        else:
            write_export(engine, sys.stdout, args.format, progress, who, **options)
    if args.card:
        from moderator.core.export.card import write_card

        card = write_card(engine, Path(args.out), args.format, who, **options)
        print(f"dataset card written to {card}", file=sys.stderr)
    return 0
