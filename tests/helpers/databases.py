"""Throwaway databases for tests: a fresh database per test (a copy of one migrated once), dropped afterwards."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import make_url, text

from moderator.core.store.engine import make_engine, open_database

PG_ENV = "MODERATOR_TEST_POSTGRES_URL"
PG_SKIP = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"


# One migrated database per server and test run, copied for each test: CREATE DATABASE … TEMPLATE
# copies files, where running every migration again took most of a test's time.
_templates: dict[str, str] = {}


def migrated_template(url: str, prefix: str = "moderator_test") -> str:
    """The name of a database on ``url``'s server holding the newest schema, made on first use."""
    if url not in _templates:
        name = f"{prefix}_template_{uuid.uuid4().hex[:12]}"
        admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        open_database(make_url(url).set(database=name).render_as_string(hide_password=False)).dispose()
        _templates[url] = name
    return _templates[url]


def drop_templates() -> None:
    for url, name in list(_templates.items()):
        admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        del _templates[url]


@contextmanager
def throwaway_postgres(url: str, prefix: str = "moderator_test"):
    """An engine on a fresh PostgreSQL database with the newest schema, dropped afterwards."""
    template = migrated_template(url)
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    engine = open_database(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


_sqlite_template: list[Path] = []


def sqlite_database(path: str | Path):
    """``open_database`` on an SQLite file; a new file starts as a copy of one migrated once per test run."""
    path = Path(path)
    if not path.exists():
        if not _sqlite_template:
            folder = Path(tempfile.mkdtemp(prefix="moderator-test-template-"))
            atexit.register(shutil.rmtree, folder, ignore_errors=True)
            open_database(str(folder / "migrated.sqlite")).dispose()  # closed: nothing left in a -wal file
            _sqlite_template.append(folder / "migrated.sqlite")
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sqlite_template[0], path)
    return open_database(str(path))


SCRAM_SKIP = "needs PostgreSQL's pg_createcluster, run as root (Debian's postgresql-common)"


def can_make_clusters() -> bool:
    import os
    import shutil

    return shutil.which("pg_createcluster") is not None and os.geteuid() == 0


@contextmanager
def scram_cluster():
    """A PostgreSQL cluster of its own that checks every password (scram-sha-256), dropped afterwards.

    The shared test server trusts local connections, so what a login may do is tested here. Yields
    the superuser's URL (postgres, with its password) on 127.0.0.1 and a free port.
    """
    import secrets
    import socket
    import subprocess
    import tempfile
    from pathlib import Path

    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    with socket.socket() as probe:  # a port nothing listens on now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    name = f"moderator{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(16)
    with tempfile.NamedTemporaryFile("w", suffix=".pw") as pwfile:
        pwfile.write(password + "\n")
        pwfile.flush()
        Path(pwfile.name).chmod(0o644)  # initdb runs as postgres
        subprocess.run(
            ["pg_createcluster", version, name, "-p", str(port), "--", "--auth=scram-sha-256", f"--pwfile={pwfile.name}"],
            check=True, capture_output=True,
        )  # fmt: skip
    try:
        subprocess.run(["pg_ctlcluster", version, name, "start"], check=True, capture_output=True)
        yield make_url(f"postgresql+psycopg://postgres:{password}@127.0.0.1:{port}/postgres")
    finally:
        subprocess.run(["pg_dropcluster", "--stop", version, name], check=False, capture_output=True)
