"""Opening a database: URLs and paths, SQLite settings, migrations that match the models."""

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from moderator.core.store.engine import display_name, open_database, resolve_url
from moderator.core.store.migrate import current_revision, head_revision
from moderator.core.store.tables import Base


def test_db_option_takes_a_path_or_a_url(tmp_path, monkeypatch):
    monkeypatch.delenv("MODERATOR_DB", raising=False)
    path_url = resolve_url(str(tmp_path / "a.sqlite"))
    assert path_url.get_backend_name() == "sqlite" and Path(path_url.database) == tmp_path / "a.sqlite"
    assert resolve_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    monkeypatch.setenv("MODERATOR_DB", str(tmp_path / "env.sqlite"))
    assert Path(resolve_url(None).database).name == "env.sqlite"
    assert display_name(path_url) == "a.sqlite"


def test_default_database_lives_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MODERATOR_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    url = resolve_url(None)
    assert Path(url.database).name == "moderator.sqlite"
    assert Path(url.database).is_relative_to(tmp_path / "xdg")


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_opening_upgrades_to_the_newest_migration(engine):
    assert current_revision(engine) == head_revision()
    assert {"threads", "comments", "annotations", "annotators", "label_schemas", "import_batches"} <= set(
        inspect(engine).get_table_names()
    )


def test_migrations_create_exactly_what_the_models_describe(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_reopening_an_upgraded_database_keeps_its_rows(tmp_path):
    path = str(tmp_path / "keep.sqlite")
    engine = open_database(path)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO annotators (name, role, created_at) VALUES ('ana', 'annotator', '2026-01-01')"))
    engine.dispose()
    again = open_database(path)
    with again.connect() as conn:
        assert conn.execute(text("SELECT name FROM annotators")).scalars().all() == ["ana"]
