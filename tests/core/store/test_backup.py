"""Backups and restore of a SQLite project, as a user runs them: `moderator backup` / `restore`, rolling copies."""

import hashlib
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from moderator.cli.main import main
from moderator.core.labelling.log import current_rows_clause, submit
from moderator.core.store.backup import list_backups, rolling_backup
from moderator.core.store.engine import make_engine, open_database
from moderator.core.store.migrate import current_revision, head_revision, upgrade
from moderator.core.store.tables import Annotation
from moderator.core.team.accounts import ensure_annotator
from moderator.devtools.crash_drive import prepare


@pytest.fixture(autouse=True)
def backups(tmp_path, monkeypatch):
    folder = tmp_path / "backups"
    monkeypatch.setenv("MODERATOR_BACKUP_DIR", str(folder))  # never the user's own data folder
    return folder


@pytest.fixture
def project(tmp_path):
    """A project with five answers; its engine stays open, like a running app's."""
    path = tmp_path / "project.sqlite"
    prepare(str(path), 40)
    engine = open_database(str(path))
    annotator = ensure_annotator(engine, "ana")
    for comment_id, toxicity in zip(range(1, 6), (1, 2, 3, 4, 2)):
        submit(engine, comment_id, annotator, {"toxicity": toxicity}, [])
    yield path, engine
    engine.dispose()


def labels(engine) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(select(Annotation.comment_id, Annotation.values).where(current_rows_clause())).all()
    return {r.comment_id: r.values["toxicity"] for r in rows}


def labels_in(path: Path) -> dict[int, int]:
    engine = make_engine(f"sqlite:///{path}")
    try:
        return labels(engine)
    finally:
        engine.dispose()


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


EXPECTED = {1: 1, 2: 2, 3: 3, 4: 4, 5: 2}


def test_backup_writes_one_consistent_file_including_what_is_still_in_the_wal(project, tmp_path, capsys):
    path, engine = project
    assert Path(f"{path}-wal").stat().st_size > 0  # the answers are (partly) only in the WAL yet
    out = tmp_path / "copy.sqlite"
    assert main(["--db", str(path), "backup", str(out)]) == 0
    assert "backup written to" in capsys.readouterr().err
    conn = sqlite3.connect(out)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # self-contained: no -wal needed
    conn.close()
    assert labels_in(out) == EXPECTED
    assert not Path(f"{out}.part").exists()


def test_backup_refuses_to_overwrite_a_file_unless_forced(project, tmp_path, capsys):
    path, _ = project
    out = tmp_path / "precious.txt"
    out.write_text("keep me")
    assert main(["--db", str(path), "backup", str(out)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and "Traceback" not in err
    assert out.read_text() == "keep me"
    assert main(["--db", str(path), "backup", str(out), "--force"]) == 0
    assert labels_in(out) == EXPECTED


def test_restore_brings_back_labels_deleted_after_the_backup(project, tmp_path, backups, capsys):
    path, engine = project
    saved = tmp_path / "saved.sqlite"
    assert main(["--db", str(path), "backup", str(saved)]) == 0
    with engine.begin() as conn:  # an accident after the backup
        conn.execute(delete(Annotation).where(Annotation.comment_id.in_([2, 3, 4])))
    assert labels(engine) == {1: 1, 5: 2}
    capsys.readouterr()
    assert main(["--db", str(path), "restore", str(saved)]) == 0
    err = capsys.readouterr().err
    assert "restored from" in err and "kept at" in err
    # The app's engine, open all along, sees the restored answers: the file was rewritten through SQLite.
    assert labels(engine) == EXPECTED
    assert labels_in(path) == EXPECTED
    (safety,) = backups.glob("project-*-before-restore-*.sqlite")
    assert str(safety) in err and labels_in(safety) == {1: 1, 5: 2}  # what was there before, kept
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def scribbled(source: Path, dest: Path) -> Path:
    data = bytearray(source.read_bytes())
    half = len(data) // 2
    data[half : half + 8192] = os.urandom(8192)
    dest.write_bytes(bytes(data))
    return dest


def other_sqlite(dest: Path) -> Path:
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    return dest


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda saved, tmp: (tmp / "notes.txt").write_text("hello") and tmp / "notes.txt", "not a SQLite database"),
        (lambda saved, tmp: scribbled(saved, tmp / "damaged.sqlite"), "damaged"),
        (lambda saved, tmp: other_sqlite(tmp / "recipes.sqlite"), "not a Moderator project"),
        (lambda saved, tmp: tmp / "missing.sqlite", "no such file"),
    ],
    ids=["text file", "corrupt copy", "another app's database", "missing"],
)
def test_restore_refuses_what_is_not_a_sound_moderator_database_and_touches_nothing(
    project, tmp_path, backups, capsys, make, message
):
    path, engine = project
    saved = tmp_path / "saved.sqlite"
    assert main(["--db", str(path), "backup", str(saved)]) == 0
    bad = make(saved, tmp_path)
    engine.dispose()  # everything checkpointed into the file, so its bytes say whether it was touched
    before = fingerprint(path)
    capsys.readouterr()
    assert main(["--db", str(path), "restore", str(bad)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err
    assert fingerprint(path) == before
    assert not backups.exists() or not any(backups.iterdir())  # refused before even the safety copy
    assert labels_in(path) == EXPECTED


def test_restore_upgrades_an_older_database_to_the_current_schema(project, tmp_path, capsys):
    path, _ = project
    old = tmp_path / "old.sqlite"
    engine = make_engine(f"sqlite:///{old}")
    upgrade(engine, "0001")
    engine.dispose()
    assert main(["--db", str(path), "restore", str(old)]) == 0
    assert "upgraded from schema 0001" in capsys.readouterr().err
    engine = make_engine(f"sqlite:///{path}")
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_rolling_backups_keep_the_newest_of_each_database(project, tmp_path, backups):
    path, _ = project
    elsewhere = tmp_path / "other" / "project.sqlite"  # same file name, another project
    prepare(str(elsewhere), 10)
    theirs = rolling_backup(elsewhere, backups)
    start = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
    made = [rolling_backup(path, backups, keep=3, now=start + timedelta(minutes=10 * i)) for i in range(5)]
    assert list_backups(path, backups) == made[-3:]
    assert theirs.exists() and list_backups(elsewhere, backups) == [theirs]
    assert labels_in(made[-1]) == EXPECTED


@pytest.mark.parametrize("command, tool", [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_postgresql_projects_are_pointed_at_pg_dump(tmp_path, capsys, command, tool):
    target = tmp_path / "x.dump"
    target.write_text("")
    assert main(["--db", "postgresql://ana@db.example/moderator", command, str(target)]) == 1
    err = capsys.readouterr().err
    assert tool in err and "PostgreSQL" in err
