"""The command line's grammar: every subcommand, its options and the implicit `gui` command."""

from __future__ import annotations

import argparse

COMMANDS = (
    "gui",
    "import",
    "export",
    "stats",
    "schema",
    "annotators",
    "team",
    "project",
    "agreement",
    "gold",
    "report",
    "bench",
    "backup",
    "restore",
    "lexicon",
)
_VALUED_GLOBALS = ("--db", "--annotator")


def _global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--db",
        default=default,
        help="database file or SQLAlchemy URL (default: $MODERATOR_DB, else a file in your user data folder)",
    )
    parser.add_argument("--annotator", default=default, help="your annotator name (default: your login name)")


def build_parser() -> argparse.ArgumentParser:
    from moderator import __version__
    from moderator.core.importing.formats import FORMATS

    parser = argparse.ArgumentParser(prog="moderator", description="Label toxic and dehumanizing speech in discussion threads.")
    parser.add_argument("--version", action="version", version=f"moderator {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the annotation window (the default command)")
    _global_options(gui, suppress=True)
    gui.add_argument(
        "--demo", action="store_true", help="open on the bundled demo thread (in a demo database unless --db is given)"
    )
    gui.add_argument("--screenshot", metavar="PATH", help="render the window on the first queue item to a PNG and exit")

    imp = sub.add_parser("import", help="import threads from files, or from their addresses (http/https)")
    _global_options(imp, suppress=True)
    imp.add_argument("paths", nargs="+", metavar="PATH|URL")
    # Addresses are read as reddit, hackernews or page (forced by --format, else told by the host).
    imp.add_argument("--format", default="auto", choices=("auto", *dict.fromkeys((*FORMATS, "hackernews", "page"))))
    imp.add_argument(
        "--map", metavar="ROLE=COLUMN,…",
        help="name the columns of a table: item, text, annotator, thread, parent, parent_text, author, created_at, "
        "label (repeatable: label=a;b), attribute (annotator attributes), or a TOML file of ROLE = COLUMN lines",
    )  # fmt: skip
    imp.add_argument("--strict", action="store_true", help="refuse a file with quirks (a rating given twice…) instead of warning")

    exp = sub.add_parser("export", help="export comments with their labels")
    _global_options(exp, suppress=True)
    exp.add_argument(
        "--format",
        required=True,
        choices=("jsonl", "csv", "parquet", "lewidi"),
        help="lewidi: the perspectivist folder (LeWiDi JSON per question, annotators_meta.json, labels_long.parquet)",
    )
    exp.add_argument(
        "--level", default="comment", choices=("comment", "annotation"), help="one record per comment (default) or per annotation"
    )
    exp.add_argument(
        "--out", metavar="PATH", help="output file (default: standard output; parquet and --card need it); a folder for lewidi"
    )
    exp.add_argument("--keep-authors", action="store_true", help="real author names instead of pseudonyms")
    exp.add_argument("--keep-annotators", action="store_true", help="real annotator names instead of pseudonymous ids")
    exp.add_argument(
        "--no-scrub", dest="scrub", action="store_false",
        help="keep the texts as written (by default e-mail and IP addresses, phone numbers, profile URLs and user names "
        "become [EMAIL], [IP], [PHONE], [URL], [USER_n])",
    )  # fmt: skip
    exp.add_argument("--card", action="store_true", help="also write a dataset card (README.md) and its charts beside --out")

    stats = sub.add_parser("stats", help="count threads, comments, annotations and annotators")
    _global_options(stats, suppress=True)
    stats.add_argument("--json", action="store_true", help="print a JSON object")

    schema = sub.add_parser("schema", help="show, check or load the label schema")
    _global_options(schema, suppress=True)
    schema.add_argument("action", choices=("show", "check", "load"))
    schema.add_argument("file", nargs="?", help="a schema TOML file (check, load)")
    people = sub.add_parser(
        "annotators", help="list, add or disable people, change passwords (team server: admins add and disable)"
    )
    _global_options(people, suppress=True)
    people.add_argument("action", choices=("list", "add", "passwd", "disable"))
    people.add_argument("name", nargs="?", help="the person (add, disable; passwd: default yourself)")
    people.add_argument("--role", default="annotator", choices=("annotator", "reviewer", "admin"))
    people.add_argument(
        "--by", metavar="NAME", help="your own reviewer or admin account (accounts with passwords, not on a team server)"
    )
    people.add_argument("--password-stdin", action="store_true", help="read the new password from standard input")
    people.add_argument("--no-password", action="store_true", help="no password (solo use only)")

    team = sub.add_parser("team", help="make a PostgreSQL database a team database: a login per person, checked by the server")
    _global_options(team, suppress=True)
    team.add_argument("action", choices=("setup",), help="setup: groups, grants, row-level security; run by the owner")

    proj = sub.add_parser("project", help="show or change team settings: overlap k, lease length, ordering")
    _global_options(proj, suppress=True)
    proj.add_argument("--overlap", type=int, metavar="K", help="distinct annotators per comment")
    proj.add_argument("--lease-minutes", type=int, metavar="M", help="how long a claimed comment stays reserved")
    proj.add_argument(
        "--ordering", choices=("thread", "random", "least", "toxic-first", "uncertain"),
        help="which comment comes next (toxic-first, uncertain: by the assist model's scores, see bench --assist)",
    )  # fmt: skip
    proj.add_argument(
        "--hint", choices=("off", "after-answer", "always"),
        help="when annotators see the assist model's guess (default: after-answer when k = 1, off when k > 1)",
    )  # fmt: skip
    # An experiment on how labels are made: the arm is stored with every label (its provenance).
    proj.add_argument(
        "--experiment", choices=("off", "hint", "context"),
        help="randomise whether the model's hint (or the article and parent comment) is shown; off ends it",
    )  # fmt: skip
    proj.add_argument("--experiment-unit", choices=("person", "comment"), default="person",
                      help="randomise per annotator (default) or per comment")  # fmt: skip
    proj.add_argument("--experiment-seed", type=int, default=0, metavar="N", help="the randomisation's seed (default 0)")
    proj.add_argument("--gold-every", type=int, metavar="N", help="hand out about one gold item in N comments (0: none)")
    proj.add_argument("--gold-feedback", choices=("on", "off"), help="show the reference answer after a gold item")
    proj.add_argument("--gold-threshold", type=float, metavar="X", help="gold accuracy below which reviewers see a person")
    # Wellbeing (see moderator.core.wellbeing.session): what protects everyone who labels in this project.
    for flag, what in (("blur", "blur likely severe comments until revealed"), ("greyscale", "no colour highlights, a desaturated window"),
                       ("breaks", "suggest breaks"),
                       ("checkins", 'ask "how are you? 1-5" at the start, after each break and at the end (default off)')):  # fmt: skip
        proj.add_argument(f"--{flag}", choices=("on", "off"), help=what)
    proj.add_argument("--break-minutes", type=int, metavar="N", help="suggest a break after N minutes (default 45)")
    proj.add_argument("--break-severe", type=int, metavar="N", help="… or after N severe comments (default 25)")
    proj.add_argument("--break-length", type=int, metavar="N", help="minutes a break lasts (default 5)")
    proj.add_argument(
        "--daily-cap", type=int, metavar="N", help="severe comments a day before a gentle stop (default 150; 0 = none)"
    )

    gold = sub.add_parser("gold", help="gold items, checks with known answers: import, promote reviewer gold, accuracy")
    _global_options(gold, suppress=True)
    gold.add_argument(
        "action", choices=("import", "promote", "accuracy"),
        help="import FILE (JSONL/JSON/CSV/TSV: text and reference answers); promote [COMMENT_ID…] (reviewer gold "
        "labels; none: all); accuracy (each person's share of gold items answered right)",
    )  # fmt: skip
    gold.add_argument("items", nargs="*", metavar="FILE|ID")
    gold.add_argument("--json", action="store_true", help="accuracy as JSON")
    gold.add_argument("--threshold", type=float, metavar="X", help="flag people below this share (default: the project's)")

    lexicon = sub.add_parser("lexicon", help="the lexicon of highlighted words: path of your copy, check it, show it")
    lexicon.add_argument("action", choices=("path", "check", "show"))
    lexicon.add_argument("file", nargs="?", help="a lexicon TOML file to check (default: your copy)")

    agree = sub.add_parser("agreement", help="inter-annotator agreement per question")
    _global_options(agree, suppress=True)
    agree.add_argument("--json", action="store_true", help="print a JSON object keyed by question")
    agree.add_argument("--question", action="append", metavar="Q", help="only this question (repeatable)")
    agree.add_argument(
        "--basic", action="store_true", help="only the plain figures (fast): no intervals, competence, set or span agreement"
    )
    agree.add_argument(
        "--resamples", type=int, default=1000, metavar="N", help="bootstrap resamples for the 95%% intervals (0: none)"
    )
    agree.add_argument("--seed", type=int, default=0, metavar="N", help="the bootstrap's seed (default 0)")
    agree.add_argument("--labels", action="store_true", help="with --json: every comment's Dawid–Skene and MACE label too")
    agree.add_argument("--include-gold", action="store_true", help="count gold items too (left out by default)")
    report = sub.add_parser("report", help="a data statement a reviewer can check: Markdown with charts")
    _global_options(report, suppress=True)
    report.add_argument("--out", metavar="DIR", required=True, help="folder for REPORT.md and its charts")
    report.add_argument(
        "--hourly-rate", type=float, metavar="R", help="what an hour of labelling is paid: the report gives the cost"
    )
    report.add_argument("--currency", default="€", help="the currency sign of --hourly-rate (default €)")
    report.add_argument(
        "--resamples", type=int, default=1000, metavar="N", help="bootstrap resamples for α's intervals (0: none)"
    )
    bench = sub.add_parser("bench", help="measure import, queue, GUI, export and agreement on a synthetic corpus")
    _global_options(bench, suppress=True)
    bench.add_argument("--comments", type=int, default=100_000, metavar="N", help="size of the large corpus")
    bench.add_argument("--json", action="store_true", help="print the figures as JSON")
    bench.add_argument("--no-gui", action="store_true", help="skip the window measurements")
    bench.add_argument("--workdir", metavar="DIR", help="keep the generated files here (default: a temporary folder)")
    bench.add_argument(
        "--assist", action="store_true", help="replay LeWiDi labels: how soon each queue order finds the positives"
    )
    bench.add_argument("--data", metavar="DIR", help="--assist: folder of the LeWiDi JSON files (default: ../shared/data/lewidi)")
    bench.add_argument(
        "--claims", action="store_true",
        help="claim and answer latency with 8 annotators at once on PostgreSQL (--db: a server URL allowed to create databases)",
    )  # fmt: skip
    bench.add_argument("--team", action="store_true", help="--claims: each annotator with a login of their own")
    bench.add_argument(
        "--crash", action="store_true", help="SIGKILL labelling (core and window) at random moments; check nothing is lost"
    )
    bench.add_argument(
        "--kills", type=int, default=300, metavar="N", help="--crash: how many kills (a fifth of them in the window)"
    )
    bench.add_argument(
        "--seed",
        type=int,
        metavar="S",
        help="--crash: seed of the random kill schedule (default: $MODERATOR_CRASH_SEED, else a fixed one)",
    )

    back = sub.add_parser("backup", help="write a consistent copy of the (SQLite) database to PATH")
    _global_options(back, suppress=True)
    back.add_argument("path", metavar="PATH")
    back.add_argument("--force", action="store_true", help="overwrite PATH if it exists")
    rest = sub.add_parser("restore", help="replace the database with a backup (a safety copy of the current one is kept)")
    _global_options(rest, suppress=True)
    rest.add_argument("path", metavar="PATH")
    return parser


def _with_default_command(argv: list[str]) -> list[str]:
    """`moderator [--db X] [--demo]` means `moderator [--db X] gui [--demo]`."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _VALUED_GLOBALS:
            i += 2
        elif arg.startswith(tuple(f"{g}=" for g in _VALUED_GLOBALS)):
            i += 1
        elif arg in ("-h", "--help", "--version") or not arg.startswith("-"):
            return argv
        else:
            break
    return argv[:i] + ["gui"] + argv[i:]
