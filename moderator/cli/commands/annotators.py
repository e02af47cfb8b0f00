"""`moderator annotators list|add|passwd|disable`: the people of a project and how they sign in.

On a team server each person is a database login (``core.team.logins``): admins add and disable
people, anyone changes their own password. On a one-person file or a server without a team, accounts
carry a password hash as before (reviewers and admins add them with --by).
"""

from __future__ import annotations

import sys

from moderator.cli.common import UsageError, open_db, password, viewer


def run(args) -> int:
    from moderator.core.team.accounts import list_accounts, uses_logins

    engine = open_db(args)
    if args.action == "list":
        for info in list_accounts(engine):
            print(f"{info.name:<24} {info.role:<10} {info.access}")
        return 0
    if args.action != "add" and not uses_logins(engine):
        raise UsageError(f"annotators {args.action} is for team servers (moderator team setup)")
    if args.action == "passwd":
        return _passwd(args, engine)
    if not args.name:
        raise UsageError(f"annotators {args.action} needs a NAME")
    if args.action == "disable":
        from moderator.core.team.logins import disable_login

        viewer(args, engine)
        disable_login(engine, args.name)
        print(f"{args.name} can no longer open this project; their labels stay")
        return 0
    return _add(args, engine, uses_logins(engine))


def _new_password(args, name: str) -> str | None:
    if args.no_password:
        return None
    if args.password_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    else:
        secret = password(f"new password for {name}: ", "MODERATOR_NEW_PASSWORD")
    if secret == "":
        raise UsageError("the password is empty")
    return secret


def _add(args, engine, logins: bool) -> int:
    from moderator.core.team.accounts import add_account

    if logins:
        from moderator.core.team.logins import add_login

        if args.no_password:
            raise UsageError("on a team server everyone has a password")
        viewer(args, engine)
        account, new = add_login(engine, args.name, args.role, _new_password(args, args.name))
        how = "a new login" if new else "their existing login and password"
        print(f"account {account.name!r} ({account.role}) ready: {how}")
        return 0
    by = viewer(args, engine, args.by) if args.by else None
    account = add_account(engine, args.name, args.role, _new_password(args, args.name), by=by)
    print(f"account {account.name!r} ({account.role}) ready")
    return 0


def _passwd(args, engine) -> int:
    from moderator.core.team.logins import set_password

    me = viewer(args, engine)
    name = args.name or me.name
    set_password(engine, name, _new_password(args, name))
    print(f"password of {name} changed" + ("" if name == me.name else "; they choose their own at next sign-in"))
    return 0
