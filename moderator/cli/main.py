"""Command line: every subcommand is a thin call into moderator.core (Qt is imported only by `gui`)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from moderator.cli.parser import _with_default_command, build_parser


@contextmanager
def progress_bar(description: str):
    """A terminal progress bar on stderr (silent when stderr is not a terminal); yields a fraction callback."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    with tqdm(total=1000, desc=description, unit="‰", leave=False, file=sys.stderr) as bar:

        def update(fraction: float) -> None:
            n = int(1000 * min(max(fraction, 0.0), 1.0))
            if n != bar.n:  # callers may report thousands of times; redraw only on a visible change
                bar.n = n
                bar.refresh()

        yield update


def _open(args):
    from moderator.core.store.engine import open_database

    return open_database(args.db)


def cmd_import(args) -> int:
    from moderator.core.importing.writer import import_paths

    engine = _open(args)
    with progress_bar("import") as progress:
        summaries = import_paths(engine, args.paths, args.format, progress)
    for summary in summaries:
        print(summary.describe())
    return 0


def _password(prompt: str) -> str:
    """From $MODERATOR_PASSWORD (scripts) or typed at the terminal, never echoed."""
    if "MODERATOR_PASSWORD" in os.environ:
        return os.environ["MODERATOR_PASSWORD"]
    if not sys.stdin.isatty():
        raise UsageError("a password is needed: set MODERATOR_PASSWORD or run in a terminal")
    import getpass

    return getpass.getpass(prompt)


def _viewer(args, engine, name: str | None = None):
    """Who runs this command: None in solo mode (full access), else the signed-in account."""
    from moderator.core.team.accounts import authenticate, team_mode

    if not team_mode(engine):
        return None
    name = name or args.annotator
    if not name:
        raise UsageError("this database has accounts: say who you are with --annotator NAME")
    return authenticate(engine, name, _password(f"password for {name}: "))


def cmd_export(args) -> int:
    from moderator.core.export.writer import export_file, write_export

    if (args.format == "parquet" or args.card) and not args.out:
        raise UsageError("parquet exports and --card need --out PATH")
    if args.card:
        from moderator.core.export.card import check_card_folder

        try:
            check_card_folder(Path(args.out))  # before the export, not after it
        except FileExistsError as exc:
            raise UsageError(str(exc)) from None
    engine = _open(args)
    viewer = _viewer(args, engine)
    options = {"level": args.level, "keep_authors": args.keep_authors}
    with progress_bar("export") as progress:
        if args.out:
            # Written to PATH.part and renamed: never a half-written export under the real name.
            count = export_file(engine, args.out, args.format, progress, viewer, **options)
            print(f"{count} {args.level}s written to {args.out}", file=sys.stderr)
        else:
            write_export(engine, sys.stdout, args.format, progress, viewer, **options)
    if args.card:
        from moderator.core.export.card import write_card

        card = write_card(engine, Path(args.out), args.format, viewer, **options)
        print(f"dataset card written to {card}", file=sys.stderr)
    return 0


def cmd_stats(args) -> int:
    from moderator.core.labelling.stats import database_stats

    stats = database_stats(_open(args))
    if args.json:
        print(json.dumps(stats))
    else:
        for key, value in stats.items():
            print(f"{key:>16}: {value}")
    return 0


def cmd_schema(args) -> int:
    from moderator.core.schema.definition import load_schema

    if args.action in ("check", "load") and not args.file:
        raise UsageError(f"schema {args.action} needs a FILE")
    schema = load_schema(args.file) if args.file else None
    if args.action == "check":
        print(f"{args.file}: valid schema {schema.name!r} version {schema.version}, {len(schema.questions)} questions")
        return 0
    from moderator.core.labelling.log import activate_schema, active_schema

    engine = _open(args)
    if args.action == "load":
        activate_schema(engine, schema)
        print(f"schema {schema.name!r} version {schema.version} is now the project's label schema")
        return 0
    _, schema = active_schema(engine)
    print(f"{schema.name} v{schema.version}: {schema.description}")
    for q in schema.questions:
        keys = ", ".join(f"{o.key}={o.value}" for o in q.options if o.key) or (q.key or "")
        print(f"  {q.id:<16} {q.kind:<8} {'required' if q.required else 'optional':<9} {keys}")
    return 0


def cmd_annotators(args) -> int:
    from moderator.core.team.accounts import add_account, list_accounts

    engine = _open(args)
    if args.action == "list":
        for info in list_accounts(engine):
            print(f"{info.name:<24} {info.role:<10} {'password' if info.has_password else 'no password'}")
        return 0
    if not args.name:
        raise UsageError("annotators add needs a NAME")
    by = _viewer(args, engine, args.by) if args.by else None
    if args.no_password:
        password = None
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = _password(f"new password for {args.name}: ")
    if password == "":
        raise UsageError("the password is empty")
    account = add_account(engine, args.name, args.role, password, by=by)
    print(f"account {account.name!r} ({account.role}) ready")
    return 0


def _wellbeing_changes(args) -> dict:
    switches = {name: None if getattr(args, name) is None else getattr(args, name) == "on" for name in ("blur", "greyscale", "breaks")}
    numbers = {"break_minutes": args.break_minutes, "break_severe": args.break_severe,
               "break_length_minutes": args.break_length, "daily_cap": args.daily_cap}  # fmt: skip
    return switches | numbers


def cmd_project(args) -> int:
    from moderator.core.labelling.claims import configure
    from moderator.core.wellbeing.session import configure as configure_wellbeing

    engine = _open(args)
    changes = _wellbeing_changes(args)
    if any(v is not None for v in (args.overlap, args.lease_minutes, args.ordering, *changes.values())):
        viewer = _viewer(args, engine)
        if viewer is not None and not viewer.sees_all:
            raise UsageError("only a reviewer or admin may change the project's settings")
    w = configure_wellbeing(engine, **changes)  # first: a refused value changes nothing at all
    settings = configure(engine, args.overlap, args.lease_minutes, args.ordering)
    print(f"overlap k = {settings['overlap']}, lease = {settings['lease_minutes']} min, ordering = {settings['ordering']}")
    breaks = f"after {w.break_minutes} min or {w.break_severe} severe, {w.break_length_minutes} min long" if w.breaks else "off"
    cap = w.daily_cap or "none"
    print(f"blur = {'on' if w.blur else 'off'}, greyscale = {'on' if w.greyscale else 'off'}, breaks = {breaks}, daily cap = {cap}")
    return 0


def cmd_lexicon(args) -> int:
    from moderator.core.wellbeing import lexicon as lx

    if args.action == "path":
        print(lx.ensure_user_lexicon())  # made from the bundled one on first use, ready to edit
        return 0
    if args.action == "check":
        path = Path(args.file) if args.file else lx.user_lexicon_path()
        if not path.exists() and not args.file:
            print(f"{path}: no copy of your own yet; the bundled lexicon is used (`moderator lexicon path` makes one)")
            path = lx.bundled_path()
        lexicon = lx.load_lexicon(path)  # LexiconError: path:line: reason, and exit status 1
        print(f"{path}: valid lexicon, {lexicon.terms} terms in {len(lexicon.categories)} categories")
        return 0
    lexicon, error = lx.active_lexicon()
    if error:
        print(f"moderator: {error}", file=sys.stderr)
    print(f"# {lexicon.source}")
    for category in lexicon.categories:
        print(f"\n[{category.id}] {category.label} ({category.severity.name.lower()})")
        print("  " + ", ".join(term + ("" if level == category.severity else f" ({level.name.lower()})")
                               for c, term, level in lexicon.entries if c == category))  # fmt: skip
    return 0


def cmd_agreement(args) -> int:
    from moderator.core.agreement.report import agreement_report, format_report

    engine = _open(args)
    viewer = _viewer(args, engine)
    if viewer is not None and not viewer.sees_all:
        raise UsageError("agreement figures are for reviewers and admins (annotators label blind)")
    report = agreement_report(engine, args.question or None)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def cmd_bench(args) -> int:
    import tempfile

    if args.crash:
        return _crash_bench(args)

    if args.assist:
        from moderator.devtools.assist_sim import format_report, run_all

        report = run_all(args.data, say=lambda line: print(f"bench: {line}", file=sys.stderr, flush=True))
        print(json.dumps(report, indent=2) if args.json else format_report(report))
        return 0
    from moderator.devtools.bench import format_results, run

    if args.comments < 10:
        raise UsageError("bench needs --comments of at least 10")

    def say(line: str) -> None:
        print(f"bench: {line}", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="moderator-bench-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        results = run(args.comments, args.db, workdir, say, gui=not args.no_gui)
    print(json.dumps(results, indent=2) if args.json else format_results(results))
    return 0


def _crash_bench(args) -> int:
    import tempfile

    from moderator.devtools.crash_bench import format_results, run

    if args.kills < 1:
        raise UsageError("bench --crash needs --kills of at least 1")
    say = lambda line: print(f"bench: {line}", file=sys.stderr, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="moderator-crash-") as tmp:
        workdir = Path(args.workdir) if args.workdir else Path(tmp)
        gui_module = None if args.no_gui else "moderator.devtools.crash_window"
        results = run(args.kills, workdir, say, seed=args.seed, gui_module=gui_module)
    print(json.dumps(results, indent=2) if args.json else format_results(results))
    return 0 if results["passed"] else 1


def cmd_backup(args) -> int:
    from moderator.core.store.backup import copy_database, sqlite_file
    from moderator.core.store.engine import resolve_url

    path = copy_database(sqlite_file(resolve_url(args.db), "backup"), Path(args.path), force=args.force)
    print(f"backup written to {path}", file=sys.stderr)
    return 0


def cmd_restore(args) -> int:
    from moderator.core.store.backup import restore, sqlite_file
    from moderator.core.store.engine import resolve_url

    db = sqlite_file(resolve_url(args.db), "restore")
    done = restore(db, Path(args.path))
    if done.safety is not None:
        print(f"the database as it was is kept at {done.safety}", file=sys.stderr)
    upgraded = f" (upgraded from schema {done.revision_was})" if done.revision != done.revision_was else ""
    print(f"{db} restored from {args.path}{upgraded}", file=sys.stderr)
    return 0


def cmd_gui(args) -> int:
    from moderator.core.store.engine import open_database
    from moderator.core.demo import demo_database_path, load_demo

    db = args.db
    if args.demo and db is None:
        db = str(demo_database_path())
    engine = open_database(db)
    if args.demo:
        load_demo(engine)
    from moderator.gui.app import run  # Qt is imported here only

    return run(engine, db_url=engine.url, annotator=args.annotator, screenshot=args.screenshot)


class UsageError(Exception):
    pass


HANDLERS: dict[str, Callable] = {
    "gui": cmd_gui,
    "import": cmd_import,
    "export": cmd_export,
    "stats": cmd_stats,
    "schema": cmd_schema,
    "annotators": cmd_annotators,
    "project": cmd_project,
    "agreement": cmd_agreement,
    "bench": cmd_bench,
    "backup": cmd_backup,
    "restore": cmd_restore,
    "lexicon": cmd_lexicon,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    args.demo = getattr(args, "demo", False)
    args.screenshot = getattr(args, "screenshot", None)
    from sqlalchemy.exc import SQLAlchemyError

    from moderator.core.team.accounts import AuthError
    from moderator.core.importing.formats import ImportCancelled, ImportFailure
    from moderator.core.schema.definition import LabelError, SchemaError

    try:
        return HANDLERS[args.command or "gui"](args)
    except ImportFailure as exc:
        print(exc, file=sys.stderr)  # path:line: reason, as compilers print it, so editors can jump there
        return 1
    except (SchemaError, LabelError, UsageError, AuthError, ValueError) as exc:
        print(f"moderator: {exc}", file=sys.stderr)
        return 1
    except ImportCancelled:
        print("moderator: cancelled; nothing was imported", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `moderator export ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a folder that cannot be written, a full disk, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"moderator: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("moderator: interrupted; the database is as it was before this command", file=sys.stderr)
        return 130
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"moderator: database error: {reason}", file=sys.stderr)
        return 1
