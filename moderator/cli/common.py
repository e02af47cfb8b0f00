"""What the commands share: the database, who runs the command, the password prompt, a progress bar."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

TRIES = 3  # passwords typed at the terminal before giving up


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
    """The database of ``--db``, signed in: on a team server the login's password comes from the URL,
    PGPASSWORD or ~/.pgpass (libpq reads them), else $MODERATOR_PASSWORD, else a prompt."""
    from moderator.core.store.engine import PasswordNeeded, open_database, resolve_url

    url = resolve_url(args.db)
    from_environment = "MODERATOR_PASSWORD" in os.environ and url.password is None
    for _ in range(TRIES):
        try:
            return open_database(url)
        except PasswordNeeded as exc:
            if from_environment:
                url, from_environment = url.set(password=os.environ["MODERATOR_PASSWORD"]), False
                continue
            if not sys.stdin.isatty():
                raise UsageError(f"{exc}: set MODERATOR_PASSWORD or PGPASSWORD, or use ~/.pgpass") from None
            if exc.wrong:
                print(f"moderator: {exc}", file=sys.stderr)
            import getpass

            url = url.set(password=getpass.getpass(f"password for {url.username or 'you'}@{url.database}: "))
    raise UsageError("not signed in: wrong password")


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
    from moderator.core.team.accounts import authenticate, team_mode, uses_logins

    if not team_mode(engine):
        return None
    if uses_logins(engine):  # the server checked the password when we connected
        account = authenticate(engine, name or args.annotator, None)
        if account.must_change_password and args.command != "annotators":
            raise UsageError(f"{account.name} signed in with a one-time password: choose your own first "
                             f"(moderator annotators passwd {account.name})")  # fmt: skip
        return account
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
