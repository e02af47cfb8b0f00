"""A PostgreSQL login per person on a team server: setting the team up, adding people, passwords, disabling.

The database checks passwords (scram-sha-256, configured in pg_hba.conf) and knows who is connected:
the account is the ``annotators`` row whose ``login`` is ``current_user``. No password hash is kept in
a table. Passwords travel to the server already hashed (libpq's SCRAM verifier), so no statement log
holds one in clear. What each group may do is ``core.store.access``.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass, field

import psycopg
from psycopg.sql import Identifier, Literal
from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from moderator.core.store import access
from moderator.core.store.access import run_ddl
from moderator.core.store.engine import writer
from moderator.core.store.guards import INSUFFICIENT_PRIVILEGE, refused_with
from moderator.core.store.tables import ROLES, Annotator, Assignment
from moderator.core.team.identity import Account, AuthError

MAX_LOGIN = access.MAX_NAME


@dataclass
class SetupReport:
    owner: str  # the login that set the team up, now an admin
    one_time: dict[str, str] = field(default_factory=dict)  # account → one-time password (earlier accounts)
    kept: list[str] = field(default_factory=list)  # accounts whose login existed already: password unchanged


def check_login_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValueError("an account needs a name")
    if len(name.encode()) > MAX_LOGIN:
        raise ValueError(f"{name!r} is too long for a database login (at most {MAX_LOGIN} bytes)")
    if name.lower().startswith("pg_"):
        raise ValueError(f"{name!r}: names starting with pg_ are PostgreSQL's own")
    return name


def _verifier(conn: Connection, login: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of ``password``, made here so the clear text never reaches the server."""
    raw = conn.connection.driver_connection.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
    return raw.decode()


def _set_password(conn: Connection, login: str, password: str) -> None:
    run_ddl(conn, "ALTER ROLE {login} PASSWORD {verifier}", login=Identifier(login),
            verifier=Literal(_verifier(conn, login, password)))  # fmt: skip


def _role_exists(conn: Connection, login: str) -> bool:
    return bool(conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": login}))


def _join(conn: Connection, login: str, role: str) -> None:
    """Make ``login`` a member of exactly the group of ``role`` in this database."""
    for group, name in access.group_names(conn).items():
        template = "GRANT {group} TO {login}" if group == role else "REVOKE {group} FROM {login}"
        run_ddl(conn, template, group=Identifier(name), login=Identifier(login))


def _privileged(action: str):
    """Turn PostgreSQL's 'permission denied' into a sentence about roles."""

    def wrap(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except (DBAPIError, psycopg.Error) as exc:  # through SQLAlchemy, or run_ddl's own statements
                if refused_with(exc, INSUFFICIENT_PRIVILEGE):
                    raise AuthError(f"only an admin may {action}") from None
                raise

        return run

    return wrap


@_privileged("set up a team (the database's owner, with CREATEROLE)")
def setup_team(engine: Engine) -> SetupReport:
    """Make this database a team database; run by the tables' owner, whose login needs CREATEROLE.

    Creates the group roles, grants and policies (idempotent), makes the connected login an admin, and
    gives every account of the earlier scheme (a password hash in the table) a login of its own with a
    one-time password, clearing the hashes. Run again after changing grants by hand to restore them.
    """
    with writer(engine) as conn, conn.begin():
        if conn.dialect.name != "postgresql":
            raise ValueError("a team needs a PostgreSQL server; a SQLite file is one person's")
        access.apply(conn)
        owner = conn.scalar(text("SELECT current_user"))
        report = SetupReport(owner)
        _link(conn, owner, "admin")
        earlier = conn.execute(
            select(Annotator.id, Annotator.name, Annotator.role).where(
                Annotator.password_hash.is_not(None), Annotator.login.is_(None)
            )
        ).all()
        for row in earlier:
            login = check_login_name(row.name)
            if _role_exists(conn, login):
                report.kept.append(login)
            else:
                password = secrets.token_urlsafe(12)
                run_ddl(conn, "CREATE ROLE {login} LOGIN", login=Identifier(login))
                _set_password(conn, login, password)
                report.one_time[login] = password
            _link(conn, login, row.role, reset=login in report.one_time)
        conn.execute(update(Annotator).values(password_hash=None))
    return report


def _link(conn: Connection, login: str, role: str, reset: bool | None = None) -> int:
    """The account of ``login`` (made, or an existing account of that name linked), in ``role``'s group."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    found = conn.execute(
        select(Annotator.id).where((Annotator.login == login) | ((Annotator.name == login) & Annotator.login.is_(None)))
    ).first()
    values = {"name": login, "login": login, "role": role, "password_hash": None}
    if reset is not None:
        values["password_reset"] = reset
    if found is None:
        account_id = conn.scalar(insert(Annotator).values(**values).returning(Annotator.id))
    else:
        account_id = found.id
        conn.execute(update(Annotator).where(Annotator.id == account_id).values(**values))
    if role == "admin":
        run_ddl(conn, "ALTER ROLE {login} CREATEROLE", login=Identifier(login))  # admins add people
    _join(conn, login, role)
    return account_id


@_privileged("add people")
def add_login(engine: Engine, name: str, role: str, password: str | None) -> tuple[Account, bool]:
    """Add a person with a login of their own; (the account, whether their login was new).

    A login that exists already on the server (the person works on another project there) keeps its
    password and joins this project. Re-adding a disabled person enables them again.
    """
    login = check_login_name(name)
    with writer(engine) as conn, conn.begin():
        if not access.has_team_groups(conn):
            raise AuthError("this database has no team yet: its owner runs `moderator team setup` first")
        new = not _role_exists(conn, login)
        linked = conn.scalar(select(Annotator.id).where(Annotator.login == login))
        if not new and linked is not None and conn.scalar(select(_is_member(conn, login))):
            raise ValueError(f"{login!r} is already in this project")
        if new:
            if not password:
                raise ValueError(f"{login!r} needs a password")
            run_ddl(conn, "CREATE ROLE {login} LOGIN", login=Identifier(login))
            _set_password(conn, login, password)
        account_id = _link(conn, login, role, reset=False)
    return Account(account_id, login, role), new


def _is_member(conn: Connection, login: str):
    """SQL: is the (existing) role ``login`` in one of this database's groups?"""
    database = conn.scalar(text("SELECT current_database()"))
    names = {f"g{i}": access.group_role(database, group) for i, group in enumerate(access.GROUPS)}
    member = " OR ".join(f"pg_has_role(:login, :{key}, 'MEMBER')" for key in names)
    return text(f"({member})").bindparams(login=login, **names)


@_privileged("set another person's password")
def set_password(engine: Engine, name: str, password: str) -> None:
    """A new password: one's own (any person), or someone else's (admins: it then counts as one-time)."""
    with writer(engine) as conn, conn.begin():
        me = conn.scalar(text("SELECT current_user"))
        login = conn.scalar(select(Annotator.login).where(Annotator.login == name.strip()))
        if login is None:
            raise ValueError(f"no person with the login {name!r} in this project")
        _set_password(conn, login, password)
        if login == me:
            conn.execute(text("SELECT moderator_password_changed()"))
        else:
            conn.execute(update(Annotator).where(Annotator.login == login).values(password_reset=True))


@_privileged("disable people")
def disable_login(engine: Engine, name: str) -> None:
    """Take the person out of this project: no group, so no access; their labels stay, their leases go.

    Every privilege they had came from the group, and PostgreSQL checks privileges at each statement,
    so a session they still have open can do nothing more. Their login itself is kept, as they may
    work on other projects of the same server.
    """
    with writer(engine) as conn, conn.begin():
        login = conn.scalar(select(Annotator.login).where(Annotator.login == name.strip()))
        if login is None:
            raise ValueError(f"no person with the login {name!r} in this project")
        if login == conn.scalar(text("SELECT current_user")):
            raise ValueError("you cannot disable yourself")
        for name in access.group_names(conn).values():
            run_ddl(conn, "REVOKE {group} FROM {login}", group=Identifier(name), login=Identifier(login))
        conn.execute(
            delete(Assignment).where(
                Assignment.annotator_id == select(Annotator.id).where(Annotator.login == login).scalar_subquery()
            )
        )


def drop_login(engine: Engine, login: str) -> None:
    """Remove a login from the whole server (tests and benchmarks clean up with this)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        run_ddl(conn, "DROP ROLE IF EXISTS {login}", login=Identifier(login))


def drop_groups(engine: Engine, database: str) -> None:
    """Remove the group roles of a dropped team database (roles outlive the databases they served)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for group in access.GROUPS:
            run_ddl(conn, "DROP ROLE IF EXISTS {group}", group=Identifier(access.group_role(database, group)))


def login_states(conn: Connection) -> dict[str, str]:
    """login → "active" or "disabled", for the people of this project with a login."""
    logins = conn.scalars(select(Annotator.login).where(Annotator.login.is_not(None))).all()
    states = {}
    for login in logins:
        active = _role_exists(conn, login) and conn.scalar(select(_is_member(conn, login)))
        states[login] = "active" if active else "disabled"
    return states
