"""`moderator team setup`: make a PostgreSQL database a team database (run by its owner).

The server then checks passwords and enforces the roles itself (``core.store.access``); accounts of the
earlier scheme get logins with one-time passwords, printed once here for the admin to hand over.
"""

from __future__ import annotations

from moderator.cli.common import open_db


def run(args) -> int:
    from moderator.core.labelling.log import active_schema
    from moderator.core.team.logins import setup_team

    engine = open_db(args)
    report = setup_team(engine)
    active_schema(engine)  # the bundled schema is stored now, by the owner: annotators may not store one
    print(f"team ready on {engine.url.database}; {report.owner} is an admin")
    for name in report.kept:
        print(f"{name}: joins with their existing login and password")
    if report.one_time:
        print("one-time passwords (hand each to its person; they choose their own at first sign-in):")
        for name, secret in report.one_time.items():
            print(f"  {name:<24} {secret}")
    return 0
