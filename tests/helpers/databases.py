"""Throwaway databases for tests: a fresh PostgreSQL database per test, dropped afterwards."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from sqlalchemy import make_url, text

from moderator.core.store.engine import make_engine, open_database

PG_ENV = "MODERATOR_TEST_POSTGRES_URL"
PG_SKIP = f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"


@contextmanager
def throwaway_postgres(url: str, prefix: str = "moderator_test"):
    """An engine on a fresh PostgreSQL database that is dropped afterwards."""
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = open_database(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
