"""A database made by a newer version of the app is refused in one line naming both schema versions, and
nothing is written to it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from moderator.cli.main import main
from moderator.core.store.engine import open_database
from moderator.core.store.failures import why_not_opened
from moderator.core.store.migrate import NewerDatabase, head_revision

NEWER = "9999"


def stamp(engine, revision: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})


def revision_of(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(text("SELECT version_num FROM alembic_version")))


@pytest.fixture
def newer_file(tmp_path):
    path = tmp_path / "newer.sqlite"
    engine = open_database(str(path))
    stamp(engine, NEWER)
    engine.dispose()
    return path


def expected() -> str:
    return (
        f"this database was made by a newer version of Moderator (schema {NEWER}; this version knows up to "
        f"{head_revision()}): upgrade Moderator to open it"
    )


def test_opening_a_newer_file_raises_one_clear_error_and_writes_nothing(newer_file):
    before = newer_file.read_bytes()
    with pytest.raises(NewerDatabase) as caught:
        open_database(str(newer_file))
    assert (caught.value.found, caught.value.known) == (NEWER, head_revision())
    assert str(caught.value) == expected()
    assert newer_file.read_bytes() == before


def test_the_cli_says_so_in_one_line(newer_file, capsys):
    assert main(["--db", str(newer_file), "stats"]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"moderator: {expected()}\n" and captured.out == ""


def test_the_window_says_so_in_one_sentence(newer_file):
    with pytest.raises(NewerDatabase) as caught:
        open_database(str(newer_file))
    why = why_not_opened(caught.value)
    assert why.startswith(f"it was made by a newer version of Moderator (schema {NEWER}; this version knows up to ")
    assert why.endswith("Update Moderator to open it.") and "\n" not in why


def test_a_newer_team_server_database_is_refused_too(postgres_engine, capsys):
    stamp(postgres_engine, NEWER)
    with pytest.raises(NewerDatabase, match=f"schema {NEWER}; this version knows up to {head_revision()}"):
        open_database(postgres_engine.url)
    assert main(["--db", postgres_engine.url.render_as_string(hide_password=False), "stats"]) == 1
    assert capsys.readouterr().err == f"moderator: {expected()}\n"
    assert revision_of(postgres_engine) == [NEWER]


def test_a_database_of_this_version_still_opens(tmp_path):
    path = tmp_path / "current.sqlite"
    open_database(str(path)).dispose()
    engine = open_database(str(path))
    try:
        assert revision_of(engine) == [head_revision()]
    finally:
        engine.dispose()
