"""`moderator backup PATH` and `moderator restore PATH`: a consistent copy of the SQLite database, and back."""

from __future__ import annotations

import sys
from pathlib import Path


def backup(args) -> int:
    from moderator.core.store.backup import copy_database, sqlite_file
    from moderator.core.store.engine import resolve_url

    path = copy_database(sqlite_file(resolve_url(args.db), "backup"), Path(args.path), force=args.force)
    print(f"backup written to {path}", file=sys.stderr)
    return 0


def restore(args) -> int:
    from moderator.core.store.backup import restore as restore_database
    from moderator.core.store.backup import sqlite_file
    from moderator.core.store.engine import resolve_url

    db = sqlite_file(resolve_url(args.db), "restore")
    done = restore_database(db, Path(args.path))
    if done.safety is not None:
        print(f"the database as it was is kept at {done.safety}", file=sys.stderr)
    upgraded = f" (upgraded from schema {done.revision_was})" if done.revision != done.revision_was else ""
    print(f"{db} restored from {args.path}{upgraded}", file=sys.stderr)
    return 0
