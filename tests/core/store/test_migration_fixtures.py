"""Every released schema revision has a committed database, and it upgrades to head losing no row.

On SQLite the committed file itself is upgraded; on PostgreSQL a fresh database is upgraded to the
fixture's revision, the fixture's rows are copied in table by table, and that is upgraded to head.
Either way every row of every table is still there afterwards (compared on the columns the old
revision had), so no user's data is stranded by a migration.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from helpers import paths
from sqlalchemy import MetaData, func, insert, select, text

from moderator.core.store.engine import make_engine, open_database
from moderator.core.store.migrate import alembic_config, current_revision, head_revision, upgrade

FIXTURES = paths.FIXTURES / "migrations"


def revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    return [r.revision for r in reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions()))]


def released() -> list[str]:
    head = head_revision()
    return [r for r in revisions() if r != head]


def contents(engine, tables: dict[str, list[str]] | None = None) -> dict[str, list[tuple]]:
    """Rows of every table (or of the given tables, on the given columns), in primary-key order."""
    metadata = MetaData()
    metadata.reflect(engine)
    found = {}
    with engine.connect() as conn:
        for name, table in metadata.tables.items():
            if name == "alembic_version" or (tables is not None and name not in tables):
                continue
            columns = [table.c[c] for c in (tables[name] if tables else table.c.keys())]
            order = list(table.primary_key.columns) or columns
            found[name] = [tuple(r) for r in conn.execute(select(*columns).order_by(*order))]
    return found


def contents_as_before(engine, kept: dict[str, list[str]]) -> dict[str, list[tuple]]:
    """``contents`` on the old revision's tables, with rows a migration moved put back where they were:
    0005 moved the pseudonym key from project_settings to project_secrets."""
    found = contents(engine, kept)
    secrets = contents(engine, {"project_secrets": ["key", "value"]}).get("project_secrets", [])
    if secrets and "project_secrets" not in kept:
        found["project_settings"] = sorted(found["project_settings"] + secrets)
    return found


def columns_of(engine) -> dict[str, list[str]]:
    metadata = MetaData()
    metadata.reflect(engine)
    return {name: list(t.c.keys()) for name, t in metadata.tables.items() if name != "alembic_version"}


def test_every_released_revision_has_a_fixture():
    missing = [r for r in released() if not (FIXTURES / f"{r}.sqlite").is_file()]
    assert not missing, f"no fixture for {missing}: run tests/fixtures/migrations/make_fixture.py REV and commit it"


@pytest.mark.parametrize("revision", released())
def test_a_fixture_upgrades_to_head_on_sqlite(revision, tmp_path):
    path = tmp_path / f"{revision}.sqlite"
    shutil.copy(FIXTURES / f"{revision}.sqlite", path)
    old = make_engine(f"sqlite:///{path}")
    assert current_revision(old) == revision
    kept = columns_of(old)
    before = contents(old)
    assert all(before[t] for t in before), f"the fixture leaves a table empty: {[t for t in before if not before[t]]}"
    old.dispose()
    engine = open_database(str(path))  # upgrades to head, as opening a user's file does
    try:
        assert current_revision(engine) == head_revision()
        assert contents_as_before(engine, kept) == before
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", released())
def test_a_fixture_upgrades_to_head_on_postgres(revision, tmp_path, postgres_engine):
    shutil.copy(FIXTURES / f"{revision}.sqlite", tmp_path / "fixture.sqlite")  # opening it sets WAL mode
    fixture = make_engine(f"sqlite:///{tmp_path / 'fixture.sqlite'}")
    # postgres_engine is a fresh database at head: start again from an empty schema at the fixture's revision.
    engine = make_engine(postgres_engine.url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine, revision)
        _copy(fixture, engine)
        kept = columns_of(engine)
        before = contents(engine)
        assert _utc(before) == _utc(contents(fixture))  # the copy is faithful: same rows as the committed file
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        assert contents_as_before(engine, kept) == before
    finally:
        engine.dispose()
        fixture.dispose()


def _utc(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """SQLite gives stored UTC times back naive, PostgreSQL aware: compare them as aware UTC."""

    def fix(value):
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value

    return {name: [tuple(fix(v) for v in row) for row in rows] for name, rows in tables.items()}


def _copy(source, target) -> None:
    """Rows of every table, parents first, then sequences moved past the copied ids."""
    metadata = MetaData()
    metadata.reflect(target)
    from_metadata = MetaData()
    from_metadata.reflect(source)
    with source.connect() as src, target.begin() as dst:
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            rows = [dict(r._mapping) for r in src.execute(select(from_metadata.tables[table.name]))]
            if rows:
                dst.execute(insert(table), rows)
            for column in table.primary_key.columns:
                sequence = dst.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": column.name})
                if sequence:
                    top = dst.scalar(select(func.max(column)))
                    dst.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": max(top or 0, 1)})
