"""Fixtures for every tier: the shared real data, and project databases on SQLite and PostgreSQL.

Every test that takes ``engine`` runs on SQLite and, when $MODERATOR_TEST_POSTGRES_URL is set, PostgreSQL.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from helpers.databases import PG_ENV, PG_SKIP, drop_templates, scram_cluster, sqlite_database, throwaway_postgres
from helpers.paths import SHARED_DATA

# No test writes the user's own files (window geometry, keys, recent projects, outboxes, the demo project):
# Qt's QSettings and the app's config and data folders resolve under folders of this session, children
# included. GUI tests also give each test a settings folder of its own (tests/gui/conftest.py). Each
# process of the suite (a worker per core) makes its own and removes them when it ends.
for _variable, _prefix in (("XDG_CONFIG_HOME", "moderator-test-config-"), ("XDG_DATA_HOME", "moderator-test-data-")):
    os.environ[_variable] = tempfile.mkdtemp(prefix=_prefix)
    atexit.register(shutil.rmtree, os.environ[_variable], ignore_errors=True)


# Each worker makes its own PostgreSQL templates and password-checking cluster: a big machine's every core
# would pay that more times than it saves.
MAX_WORKERS = 4


def pytest_xdist_auto_num_workers(config) -> int | None:
    """How many processes `-n logical` (pyproject's addopts) starts: one per core, MAX_WORKERS at most
    (unless $PYTEST_XDIST_AUTO_NUM_WORKERS says, which xdist reads itself)."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_WORKERS, cores))


@pytest.fixture
def shared_data() -> Path:
    """The shared test data next to the repository (../shared/data); skipped when absent, except in CI."""
    path = SHARED_DATA
    if not path.is_dir():
        reason = f"shared test data not found at {path} (see ../shared/data/README.md)"
        if os.environ.get("MODERATOR_REQUIRE_SHARED_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session", autouse=True)
def _drop_postgres_templates():
    yield
    drop_templates()


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = sqlite_database(tmp_path / "test.sqlite")
    yield engine
    engine.dispose()


@pytest.fixture
def postgres_engine():
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(PG_SKIP)
    with throwaway_postgres(url) as engine:
        yield engine


@pytest.fixture
def second_engine(request, tmp_path):
    """A second, empty database on the same backend as ``engine``."""
    if request.node.callspec.params["engine"] == "sqlite":
        engine = sqlite_database(tmp_path / "second.sqlite")
        yield engine
        engine.dispose()
        return
    with throwaway_postgres(os.environ[PG_ENV]) as engine:  # set, or ``engine`` would have skipped
        yield engine


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request):
    return request.getfixturevalue(f"{request.param}_engine")


@pytest.fixture(scope="session")
def scram_server():
    """One password-checking PostgreSQL cluster for every test of what a login may do: made once (it takes
    seconds), dropped at the end. Each test's team has a database and logins of its own (helpers.team_server)."""
    with scram_cluster() as url:
        yield url
