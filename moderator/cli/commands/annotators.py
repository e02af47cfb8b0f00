"""`moderator annotators list|add`: annotator accounts (in team mode, reviewers and admins add them)."""

from __future__ import annotations

import sys

from moderator.cli.common import UsageError, open_db, password, viewer


def run(args) -> int:
    from moderator.core.team.accounts import add_account, list_accounts

    engine = open_db(args)
    if args.action == "list":
        for info in list_accounts(engine):
            print(f"{info.name:<24} {info.role:<10} {'password' if info.has_password else 'no password'}")
        return 0
    if not args.name:
        raise UsageError("annotators add needs a NAME")
    by = viewer(args, engine, args.by) if args.by else None
    if args.no_password:
        secret = None
    elif args.password_stdin:
        secret = sys.stdin.readline().rstrip("\n")
    else:
        secret = password(f"new password for {args.name}: ", "MODERATOR_NEW_PASSWORD")
    if secret == "":
        raise UsageError("the password is empty")
    account = add_account(engine, args.name, args.role, secret, by=by)
    print(f"account {account.name!r} ({account.role}) ready")
    return 0
