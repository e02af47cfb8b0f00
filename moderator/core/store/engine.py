"""Open a database: resolve ``--db``, make the engine, bring the schema up to date."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError

from moderator.core.store.wal import switch_to_wal

ENV_VAR = "MODERATOR_DB"


def default_database_path() -> Path:
    from platformdirs import user_data_path

    return user_data_path("moderator", appauthor=False, ensure_exists=True) / "moderator.sqlite"


def resolve_url(db: str | None = None) -> URL:
    """``--db`` value (a file path or SQLAlchemy URL), else ``$MODERATOR_DB``, else the user data file."""
    value = db or os.environ.get(ENV_VAR) or str(default_database_path())
    if "://" in value:
        url = make_url(value)
        if url.drivername == "postgresql":  # plain postgresql:// means psycopg 3, not psycopg2
            url = url.set(drivername="postgresql+psycopg")
        return url
    path = Path(value).expanduser().resolve()
    return make_url(f"sqlite:///{path}")


def display_name(url: URL) -> str:
    """Short name for window titles: the file name, or the server database name."""
    if url.get_backend_name() == "sqlite":
        return Path(url.database).name if url.database else "in-memory"
    return f"{url.database}@{url.host or 'localhost'}"


def parse_address(text: str) -> URL | None:
    """A database address as written (a recent project's), or None when it is not one."""
    try:
        return make_url(text)
    except ArgumentError:
        return None


def database_key(url: URL | None) -> tuple | None:
    """The same database whatever password or options its URL carries."""
    return None if url is None else (url.get_backend_name(), url.username, url.host, url.port, url.database)


def server_address(text: str) -> URL | None:
    """A PostgreSQL team server's address typed by a person, or None when it is not one."""
    try:
        url = resolve_url(text) if "://" in text else None
    except ArgumentError:
        return None
    return url if url is not None and url.get_backend_name() == "postgresql" and url.database else None


def without_password(url: str | URL) -> str:
    """The address to keep on disk (recent projects): never a password, in the URL or in its query."""
    parsed = make_url(url)
    bare = URL.create(parsed.drivername, parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    return bare.difference_update_query(["password"]).render_as_string(hide_password=False)


def make_engine(url: str | URL) -> Engine:
    url = make_url(url) if isinstance(url, str) else url
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, connect_args=SERVER_CONNECTION)


# A team server is across a network that can fail; nothing may hang on it. libpq gives up connecting
# after 5 s; a connection whose sent data goes unacknowledged for 8 s (a frozen link) is dropped, as is
# an idle one whose keepalives go unanswered; a lock is waited for at most 5 s. Slow queries are not cut
# short here: imports and exports are long on purpose. JIT compiling costs more than it saves on the
# queue's short keyset queries (5 ms → 1 ms a page).
SERVER_CONNECTION = {
    "connect_timeout": 5,
    "tcp_user_timeout": 8000,
    "keepalives": 1,
    "keepalives_idle": 5,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "options": "-c jit=off -c lock_timeout=5s",
}


LOOP_STATEMENT_TIMEOUT = "5s"


def labelling_engine(engine: Engine) -> Engine:
    """For a server: an engine on the same database whose statements are cancelled after 5 s, for the
    labelling loop's short jobs (claim, answer, load); a SQLite file's engine itself."""
    if engine.dialect.name == "sqlite":
        return engine
    options = f"{SERVER_CONNECTION['options']} -c statement_timeout={LOOP_STATEMENT_TIMEOUT}"
    return create_engine(engine.url, pool_pre_ping=True, connect_args={**SERVER_CONNECTION, "options": options})


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself, so a writer can ask for BEGIN IMMEDIATE.
        dbapi_connection.isolation_level = None
        switch_to_wal(dbapi_connection)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # FULL: a committed label survives a power cut, not only a crash of the app.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())

    return engine


def writer(engine: Engine):
    """A connection whose transaction takes the write lock at once (SQLite ``BEGIN IMMEDIATE``)."""
    return engine.connect().execution_options(sqlite_begin="IMMEDIATE")


class PasswordNeeded(PermissionError):
    """The server asks this login for a password: none was given (``wrong`` False) or it was refused."""

    def __init__(self, url: URL, wrong: bool):
        self.url, self.wrong = url, wrong
        who = f"{url.username}@{display_name(url)}" if url.username else display_name(url)
        super().__init__(f"wrong password for {who}" if wrong else f"{who} asks for a password")


def open_database(db: str | URL | None = None) -> Engine:
    """Engine for ``db`` with the schema upgraded to the newest migration (NewerDatabase when a newer app made it).

    On a team server each person signs in with their own login: the password comes with the URL, or
    from libpq's own PGPASSWORD or ~/.pgpass; when the server wants one that none of them gave, or
    refuses it, this raises PasswordNeeded (the caller asks the person and tries again).
    """
    from sqlalchemy.exc import OperationalError

    from moderator.core.store.migrate import NewerDatabase, upgrade

    url = db if isinstance(db, URL) else resolve_url(db)
    engine = make_engine(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        reason = str(exc.orig)
        if "password authentication failed" in reason:
            raise PasswordNeeded(url, wrong=True) from None
        if "no password supplied" in reason:
            raise PasswordNeeded(url, wrong=False) from None
        raise
    except NewerDatabase:  # refused before anything was written; nothing of it stays open
        engine.dispose()
        raise
    return engine


def insert_or_find(conn, find, insert_stmt):
    """Run ``find``; if it finds nothing, ``insert_stmt`` (RETURNING the value), tolerating a racing twin.

    Two processes may both miss and both insert; the loser's unique-constraint error is absorbed in a
    savepoint and the winner's row is read back, so get-or-create is safe on a shared server.
    """
    from sqlalchemy.exc import IntegrityError

    found = conn.scalar(find)
    if found is not None:
        return found
    try:
        with conn.begin_nested():
            return conn.scalar(insert_stmt)
    except IntegrityError:
        return conn.scalar(find)
