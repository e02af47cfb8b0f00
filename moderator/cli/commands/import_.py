"""`moderator import PATH...`: threads from files into the database."""

from __future__ import annotations

import tomllib
from pathlib import Path

from moderator.cli.common import UsageError, open_db, progress_bar, require_lead


def column_map(given: str | None) -> dict[str, str]:
    """``--map``: ``role=column,…`` or a TOML file of ``role = "column"`` lines (a list for several columns)."""
    if not given:
        return {}
    if given.endswith(".toml") and "=" not in given:
        try:
            table = tomllib.loads(Path(given).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"--map {given}: {exc}") from None
        table = table.get("columns", table)
        return {str(k): ";".join(map(str, v)) if isinstance(v, list) else str(v) for k, v in table.items()}
    mapping = {}
    for part in given.split(","):
        role, sep, column = part.partition("=")
        if not sep or not role.strip() or not column.strip():
            raise UsageError(f"--map: {part!r} is not ROLE=COLUMN")
        mapping[role.strip()] = column.strip()
    return mapping


def run(args) -> int:
    from moderator.core.fetching.addresses import is_address
    from moderator.core.importing.formats import FORMATS
    from moderator.core.importing.options import ImportOptions
    from moderator.core.importing.writer import import_paths

    addresses = [p for p in args.paths if is_address(p)]
    if addresses:
        return _run_addresses(args, addresses)
    if args.format not in ("auto", *FORMATS):
        raise UsageError(f"--format {args.format} reads an address (http/https), not a file")
    options = ImportOptions(strict=args.strict, mapping=column_map(args.map))
    engine = open_db(args)
    require_lead(args, engine, "import threads")
    with progress_bar("import") as progress:
        summaries = import_paths(engine, args.paths, args.format, progress, options=options)
    for summary in summaries:
        print(summary.describe())
    return 0


def _run_addresses(args, addresses: list[str]) -> int:
    """`moderator import URL…`: threads fetched from their addresses (Reddit, Hacker News, any page)."""
    from moderator.core.fetching.addresses import ADDRESS_FORMATS
    from moderator.core.fetching.importer import import_addresses

    if len(addresses) != len(args.paths):
        files = ", ".join(p for p in args.paths if p not in addresses)
        raise UsageError(f"import files and addresses in separate commands (files given: {files})")
    if args.format not in ("auto", *ADDRESS_FORMATS):
        raise UsageError(f"--format {args.format} is for files; an address is read as {', '.join(ADDRESS_FORMATS)} (or auto)")
    if args.map:
        raise UsageError("--map names the columns of a table file; it does not apply to an address")
    engine = open_db(args)
    require_lead(args, engine, "import threads")
    with progress_bar("fetch") as progress:
        results = import_addresses(engine, addresses, args.format, progress)
    for result in results:
        print(result.describe())
    return 0
