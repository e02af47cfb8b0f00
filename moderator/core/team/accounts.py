"""Who is labelling: annotator accounts with roles and, in team mode, a way to sign in.

Team mode on a PostgreSQL server (``core.team.logins``): each person has a database login, the
server checks the password, and the account is the one whose login is ``current_user``. Elsewhere
(one person's SQLite file, or a server not yet set up as a team) a database is in team mode once any
account has a password hash here; a single annotator on a SQLite file never needs a password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import Connection, Engine, func, insert, select, update

from moderator.core.store.access import has_team_groups
from moderator.core.store.engine import insert_or_find, writer
from moderator.core.store.tables import ROLES, Annotator
from moderator.core.team.identity import Account, AccountInfo, AuthError

_N, _R, _P = 2**14, 8, 1  # scrypt cost: ~50 ms per check, memory-hard, in the standard library


__all__ = ["Account", "AccountInfo", "AuthError"]  # where callers have always found them


def ensure_annotator(target: Connection | Engine, name: str, role: str = "annotator") -> int:
    """The id of the annotator called ``name`` (surrounding spaces dropped), created with ``role`` if new.

    An existing account keeps its role and password. Given a Connection, runs in the caller's
    transaction; given an Engine, in a writing transaction of its own. Safe when another process
    creates the same name at the same moment.
    """
    name = name.strip()
    if not name:
        raise ValueError("an annotator needs a name")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if isinstance(target, Engine):
        with writer(target) as conn, conn.begin():
            return ensure_annotator(conn, name, role)
    return insert_or_find(
        target,
        select(Annotator.id).where(Annotator.name == name),
        insert(Annotator).values(name=name, role=role).returning(Annotator.id),
    )


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def uses_logins(engine: Engine) -> bool:
    """Is this a team server where everyone signs in with their own database login?"""
    with engine.connect() as conn:
        return has_team_groups(conn)


def team_mode(engine: Engine) -> bool:
    """Does everyone sign in here: a team server, or accounts with passwords?"""
    if uses_logins(engine):
        return True
    with engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(Annotator).where(Annotator.password_hash.is_not(None))))


def find_account(engine: Engine, name: str) -> Account | None:
    with engine.connect() as conn:
        row = conn.execute(select(Annotator.id, Annotator.name, Annotator.role).where(Annotator.name == name)).first()
    return Account(*row) if row else None


def signed_in_account(engine: Engine) -> Account:
    """On a team server: the account of the connected login (the server has checked its password)."""
    with engine.connect() as conn:
        login = conn.scalar(select(func.current_user()))
        row = conn.execute(
            select(Annotator.id, Annotator.name, Annotator.role, Annotator.password_reset).where(Annotator.login == login)
        ).first()
    if row is None:
        raise AuthError(f"the login {login!r} has no account in this project; an admin adds it (moderator annotators add)")
    return Account(row.id, row.name, row.role, bool(row.password_reset), team_server=True)


def authenticate(engine: Engine, name: str | None, password: str | None) -> Account:
    """The account for ``name``; in team mode only with its password.

    On a team server the login already signed in (``name``, when given, must be that login's account).
    """
    if uses_logins(engine):
        account = signed_in_account(engine)
        if name and name != account.name:
            raise AuthError(f"you are signed in to the database as {account.name!r}, not {name!r}")
        return account
    with engine.connect() as conn:
        row = conn.execute(
            select(Annotator.id, Annotator.name, Annotator.role, Annotator.password_hash).where(Annotator.name == name)
        ).first()
    if row is None:
        raise AuthError(f"no account named {name!r}; a reviewer or admin can create it (moderator annotators add)")
    if row.password_hash is not None and not verify_password(password or "", row.password_hash):
        raise AuthError(f"wrong password for {name!r}")
    if row.password_hash is None and team_mode(engine):
        raise AuthError(f"{name!r} has no password yet; a reviewer or admin must set one (moderator annotators add)")
    return Account(row.id, row.name, row.role)


def add_account(engine: Engine, name: str, role: str, password: str | None, by: Account | None = None) -> Account:
    """Create (or, for an account without a password, complete) an account.

    On a team server this is a login of the person's own (``logins.add_login``; the server lets only
    admins). Elsewhere, in team mode only a reviewer or admin may do this, and only an admin may create an admin.
    """
    if uses_logins(engine):
        from moderator.core.team.logins import add_login

        return add_login(engine, name, role, password)[0]
    name = name.strip()
    if not name:
        raise ValueError("an account needs a name")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if team_mode(engine):
        if by is None or not by.sees_all:
            raise AuthError("in team mode only a reviewer or admin may create accounts (--by NAME)")
        if role == "admin" and by.role != "admin":
            raise AuthError("only an admin may create another admin")
    hashed = hash_password(password) if password else None
    with writer(engine) as conn, conn.begin():
        account_id = ensure_annotator(conn, name, role)
        if conn.scalar(select(Annotator.password_hash).where(Annotator.id == account_id)) is not None:
            raise ValueError(f"an account named {name!r} already exists")
        conn.execute(update(Annotator).where(Annotator.id == account_id).values(role=role, password_hash=hashed))
    return Account(account_id, name, role)


def list_accounts(engine: Engine) -> list[AccountInfo]:
    """Every account this person may see (on a team server, an annotator sees only their own)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Annotator.name, Annotator.role, Annotator.password_hash.is_not(None), Annotator.login, Annotator.created_at
            ).order_by(Annotator.name)
        ).all()
        states = {}
        if has_team_groups(conn):
            from moderator.core.team.logins import login_states

            states = login_states(conn)
    return [
        AccountInfo(name, role, states.get(login, "login") if login else ("password" if hashed else "no password"), created)
        for name, role, hashed, login, created in rows
    ]
