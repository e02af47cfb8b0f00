"""`moderator export`: comments with their labels as JSONL, CSV or Parquet, and a dataset card; or, with
`--format lewidi`, the perspectivist folder (every annotator's labels apart: LeWiDi files and more).
Personal data in the texts becomes placeholders unless `--no-scrub` (core.export.scrub)."""

from __future__ import annotations

import sys
from pathlib import Path

from moderator.cli.common import UsageError, open_db, progress_bar, viewer


def run(args) -> int:
    if args.format == "lewidi":
        return _perspectivist(args)
    from moderator.core.export.scrub import ScrubCounts
    from moderator.core.export.writer import export_file, write_export

    if (args.format == "parquet" or args.card) and not args.out:
        raise UsageError("parquet exports and --card need --out PATH")
    if args.card:
        from moderator.core.export.card import check_card_folder

        try:
            check_card_folder(Path(args.out))  # before the export, not after it
        except FileExistsError as exc:
            raise UsageError(str(exc)) from None
    engine, who = _allowed(args)
    options = {"level": args.level, "keep_authors": args.keep_authors, "keep_annotators": args.keep_annotators}
    scrubbed = ScrubCounts()
    with progress_bar("export") as progress:
        if args.out:
            # Written to PATH.part and renamed: never a half-written export under the real name.
            count = export_file(engine, args.out, args.format, progress, who, scrub=args.scrub, scrubbed=scrubbed, **options)
            print(f"{count} {args.level}s written to {args.out}", file=sys.stderr)
        else:
            write_export(engine, sys.stdout, args.format, progress, who, scrub=args.scrub, scrubbed=scrubbed, **options)
    if scrubbed.texts:
        print(f"personal data scrubbed from {scrubbed.texts} texts: {_scrubbed(scrubbed)} (--no-scrub keeps it)", file=sys.stderr)
    if args.card:
        from moderator.core.export.card import write_card
        from moderator.core.export.release import may_export_statement
        from moderator.core.report.statement import write_report

        statement = may_export_statement(who)
        if statement:  # the data statement beside the card, which links it
            print(f"data statement written to {write_report(engine, Path(args.out).parent)}", file=sys.stderr)
        card = write_card(engine, Path(args.out), args.format, who, statement=statement, scrubbed=scrubbed, **options)
        print(f"dataset card written to {card}", file=sys.stderr)
    return 0


def _scrubbed(counts) -> str:
    names = {"email": "e-mail", "ip": "IP", "phone": "phone", "url": "profile URL", "user": "user name"}
    return ", ".join(f"{counts.found[kind]} {name}" for kind, name in names.items() if counts.found[kind])


def _allowed(args):
    """The database and who runs the export, once they may."""
    from moderator.core.export.release import ExportRefused, refuse_annotators

    engine = open_db(args)
    who = viewer(args, engine)
    try:
        refuse_annotators(engine, who)
    except ExportRefused as exc:
        raise UsageError(str(exc)) from None
    return engine, who


def _perspectivist(args) -> int:
    from moderator.core.export.perspectivist import check_perspectivist_folder, export_perspectivist

    if not args.out:
        raise UsageError("--format lewidi writes a folder: give it with --out FOLDER")
    if args.card:
        raise UsageError("--card goes with jsonl, csv and parquet (a lewidi folder has no dataset card)")
    try:
        check_perspectivist_folder(Path(args.out))  # before the export, not after it
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    engine, who = _allowed(args)
    with progress_bar("export") as progress:
        done = export_perspectivist(
            engine, args.out, who, keep_annotators=args.keep_annotators, progress=progress, scrub=args.scrub
        )  # fmt: skip
    print(
        f"{len(done.files)} LeWiDi files, {done.rows} label rows and {done.annotators} annotators written to {done.folder}",
        file=sys.stderr,
    )
    return 0
