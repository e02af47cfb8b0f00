"""Database fixtures: every test that takes `engine` runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url, text

from moderator.core.store.engine import make_engine, open_database

PG_ENV = "MODERATOR_TEST_POSTGRES_URL"


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = open_database(str(tmp_path / "test.sqlite"))
    yield engine
    engine.dispose()


@contextmanager
def throwaway_postgres(url: str):
    """An engine on a fresh PostgreSQL database that is dropped afterwards."""
    admin = make_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    name = f"moderator_test_{uuid.uuid4().hex[:12]}"
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


@pytest.fixture
def postgres_engine():
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    with throwaway_postgres(url) as engine:
        yield engine


@pytest.fixture
def second_engine(request, tmp_path):
    """A second, empty database on the same backend as ``engine``."""
    if request.node.callspec.params["engine"] == "sqlite":
        engine = open_database(str(tmp_path / "second.sqlite"))
        yield engine
        engine.dispose()
        return
    with throwaway_postgres(os.environ[PG_ENV]) as engine:  # set, or ``engine`` would have skipped
        yield engine


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    return request.getfixturevalue(f"{request.param}_engine")
