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


def password(prompt: str, variable: str = "MODERATOR_PASSWORD") -> str:
    """From ``$variable`` (scripts) or typed at the terminal, never echoed.

    The signed-in person's own password is $MODERATOR_PASSWORD; a new account's is $MODERATOR_NEW_PASSWORD,
    so a script that signs in as the lead never hands the lead's password to the account it creates.
    """
    if variable in os.environ:
        return os.environ[variable]
    if not sys.stdin.isatty():
        raise UsageError(f"a password is needed: set {variable} or run in a terminal")
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


def require_lead(args, engine, what: str):
    """In team mode, sign in and refuse unless a reviewer or admin: ``what`` names the refused action."""
    who = viewer(args, engine)
    if who is not None and not who.sees_all:
        raise UsageError(f"only a reviewer or admin may {what}")
    return who


def say(line: str) -> None:
    """A progress line of `moderator bench` on stderr."""
    print(f"bench: {line}", file=sys.stderr, flush=True)
