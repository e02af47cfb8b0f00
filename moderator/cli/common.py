"""What the commands share: the database, who runs the command, the password prompt, a progress bar."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager


class UsageError(Exception):
    """A command used wrongly: printed as `moderator: <message>`, exit status 1."""


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


def open_db(args):
    from moderator.core.store.engine import open_database

    return open_database(args.db)


def password(prompt: str) -> str:
    """From $MODERATOR_PASSWORD (scripts) or typed at the terminal, never echoed."""
    if "MODERATOR_PASSWORD" in os.environ:
        return os.environ["MODERATOR_PASSWORD"]
    if not sys.stdin.isatty():
        raise UsageError("a password is needed: set MODERATOR_PASSWORD or run in a terminal")
    import getpass

    return getpass.getpass(prompt)


def viewer(args, engine, name: str | None = None):
    """Who runs this command: None in solo mode (full access), else the signed-in account."""
    from moderator.core.team.accounts import authenticate, team_mode

    if not team_mode(engine):
        return None
    name = name or args.annotator
    if not name:
        raise UsageError("this database has accounts: say who you are with --annotator NAME")
    return authenticate(engine, name, password(f"password for {name}: "))


def say(line: str) -> None:
    """A progress line of `moderator bench` on stderr."""
    print(f"bench: {line}", file=sys.stderr, flush=True)
