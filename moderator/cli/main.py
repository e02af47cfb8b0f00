"""`moderator`: parse the command line, run the command's handler, turn errors into messages and exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from moderator.cli.commands import (
    agreement,
    annotators,
    backup,
    bench,
    export,
    gold,
    gui,
    import_,
    lexicon,
    project,
    report,
    schema,
    stats,
    team,
)
from moderator.cli.common import UsageError
from moderator.cli.parser import _with_default_command, build_parser

HANDLERS: dict[str, Callable] = {
    "gui": gui.run,
    "import": import_.run,
    "export": export.run,
    "stats": stats.run,
    "schema": schema.run,
    "annotators": annotators.run,
    "team": team.run,
    "project": project.run,
    "agreement": agreement.run,
    "gold": gold.run,
    "report": report.run,
    "bench": bench.run,
    "backup": backup.backup,
    "restore": backup.restore,
    "lexicon": lexicon.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(_with_default_command(list(sys.argv[1:] if argv is None else argv)))
    from sqlalchemy.exc import SQLAlchemyError

    from moderator.core.importing.errors import shown
    from moderator.core.importing.formats import ImportCancelled, ImportFailure
    from moderator.core.schema.definition import LabelError, SchemaError
    from moderator.core.team.accounts import AuthError

    try:
        return HANDLERS[args.command or "gui"](args)
    except ImportFailure as exc:
        print(exc, file=sys.stderr)  # path:line: reason, as compilers print it, so editors can jump there (escaped)
        return 1
    except (SchemaError, LabelError, UsageError, AuthError, ValueError) as exc:
        print(f"moderator: {shown(str(exc))}", file=sys.stderr)  # one line, whatever file name it quotes
        return 1
    except ImportCancelled:
        print("moderator: cancelled; nothing was imported", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `moderator export ... | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a folder that cannot be written, a full disk, ...
        where = f"{shown(os.fsdecode(exc.filename))}: " if isinstance(exc.filename, (str, bytes)) and exc.filename else ""
        print(f"moderator: {where}{shown(exc.strerror or str(exc))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("moderator: interrupted; the database is as it was before this command", file=sys.stderr)
        return 130
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        from moderator.core.store.guards import INSUFFICIENT_PRIVILEGE, sqlstate

        if sqlstate(exc) == INSUFFICIENT_PRIVILEGE:  # the team server refused this login: a role, not a bug
            print(f"moderator: your role may not do this on this database ({shown(reason)})", file=sys.stderr)
            return 1
        print(f"moderator: database error: {shown(reason)}", file=sys.stderr)
        return 1
