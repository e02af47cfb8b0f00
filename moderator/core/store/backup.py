"""Backups of a SQLite project: consistent copies with SQLite's online backup API, and restore.

The backup API reads through a connection, so the copy is one consistent snapshot that includes what
is still in the WAL, taken while the app keeps writing (WAL readers never block the writer). Restore
writes through the same API into the live file, so a running app sees the change as one transaction
instead of a file swapped under its open WAL. PostgreSQL projects use pg_dump / pg_restore.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL

from moderator.core.paths import user_data_path

KEEP = 10  # rolling backups kept per database
MAGIC = b"SQLite format 3\x00"
REQUIRED_TABLES = {"alembic_version", "threads", "comments", "annotations"}
STALE_PART_S = 3600  # a .part this old was left by a backup that was killed


class BackupError(ValueError):
    """Refused or failed; the message says why, and the current database is as it was."""


def backups_dir() -> Path:
    """backups/ in the user data folder; $MODERATOR_BACKUP_DIR overrides it (tests, a second disk)."""
    override = os.environ.get("MODERATOR_BACKUP_DIR")
    return Path(override) if override else user_data_path() / "backups"


def sqlite_file(url: URL, action: str) -> Path:
    """The database file behind ``url``; a PostgreSQL URL is refused with the tool to use instead."""
    if url.get_backend_name() != "sqlite":
        # As libpq spells it, without the password (pg_dump asks for it, or reads ~/.pgpass).
        target = URL.create("postgresql", url.username, None, url.host, url.port, url.database).render_as_string()
        tool = (
            f"pg_dump -Fc -d {target} -f moderator.dump"
            if action == "backup"
            else f"pg_restore --clean -d {target} moderator.dump"
        )
        raise BackupError(f"{action} works on SQLite projects; this one is on PostgreSQL: use {tool} (see README, Backups)")
    if not url.database or url.database == ":memory:":
        raise BackupError(f"an in-memory database has nothing to {action}")
    return Path(url.database)


def _stamp(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y%m%d-%H%M%S-") + f"{moment.microsecond // 1000:03d}"  # sorts by time


def _prefix(db: Path) -> str:
    """File name + a digest of its full path: two projects called moderator.sqlite never mix."""
    digest = hashlib.sha1(str(db.resolve()).encode()).hexdigest()[:8]
    return f"{db.stem}-{digest}"


def copy_database(source: Path, dest: Path, force: bool = False) -> Path:
    """A consistent, self-contained copy of ``source`` at ``dest`` (written aside, then renamed in)."""
    source, dest = Path(source), Path(dest)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    if dest.exists():
        if not force:
            raise BackupError(f"{dest} already exists; add --force to overwrite it")
        if dest.resolve() == source.resolve():
            raise BackupError(f"{dest} is the database itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    for leftover in ("", "-journal", "-wal", "-shm"):  # a killed copy's hot journal must not meet a new file
        part.with_name(part.name + leftover).unlink(missing_ok=True)
    src = sqlite3.connect(source, timeout=30)
    out = sqlite3.connect(part)
    try:
        src.backup(out)  # all pages in one step: one snapshot, however busy the writer is
        out.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
    except sqlite3.DatabaseError as exc:
        out.close()
        part.unlink(missing_ok=True)
        raise BackupError(f"could not copy {source}: {exc}") from exc
    finally:
        out.close()
        src.close()
    os.replace(part, dest)
    return dest


def list_backups(db: Path, folder: Path | None = None) -> list[Path]:
    """This database's rolling backups, oldest first."""
    folder = folder or backups_dir()
    return sorted(folder.glob(f"{_prefix(db)}-[0-9]*.sqlite")) if folder.is_dir() else []


def rolling_backup(db: Path, folder: Path | None = None, keep: int = KEEP, now: datetime | None = None) -> Path:
    """Back ``db`` up into ``folder`` (default: backups/ in the user data folder); keep the newest ``keep``."""
    folder = folder or backups_dir()
    path = copy_database(db, folder / f"{_prefix(db)}-{_stamp(now)}.sqlite")
    for old in list_backups(db, folder)[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    for part in folder.glob(f"{_prefix(db)}-*.part*"):
        with suppress(FileNotFoundError):  # another instance may be cleaning up too
            if time.time() - part.stat().st_mtime > STALE_PART_S:
                part.unlink()
    return path


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)


def inspect(path: Path) -> str:
    """The schema revision of a Moderator database file that passes integrity_check; else BackupError."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from moderator.core.store.migrate import alembic_config

    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as handle:
        if handle.read(16) != MAGIC:
            raise BackupError(f"{path}: not a SQLite database")
    conn = _open_read_only(path)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise BackupError(f"{path}: damaged, integrity_check says: {'; '.join(problems[:3])}")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not REQUIRED_TABLES <= tables:
            raise BackupError(
                f"{path}: a SQLite database, but not a Moderator project (no {', '.join(sorted(REQUIRED_TABLES - tables))})"
            )
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: damaged, SQLite cannot read it ({exc})") from exc
    finally:
        conn.close()
    if revision is None:
        raise BackupError(f"{path}: a Moderator project without a schema revision")
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision[0])
    except CommandError as exc:
        raise BackupError(f"{path}: made by a newer Moderator (schema {revision[0]}); upgrade Moderator first") from exc
    return revision[0]


@dataclass
class Restored:
    safety: Path | None  # the copy of what was there before, if there was a database
    revision_was: str  # the backup's schema revision
    revision: str  # after upgrading it


def restore(db: Path, source: Path, folder: Path | None = None) -> Restored:
    """Replace ``db`` with the Moderator database ``source``, keeping a safety copy of ``db`` first."""
    from moderator.core.store.engine import make_engine
    from moderator.core.store.migrate import current_revision, upgrade

    db, source = Path(db), Path(source)
    if db.exists() and source.exists() and db.resolve() == source.resolve():
        raise BackupError(f"{source} is the current database itself")
    revision_was = inspect(source)  # refuse before touching anything
    safety = None
    if db.exists():
        safety = copy_database(db, (folder or backups_dir()) / f"{_prefix(db)}-before-restore-{_stamp()}.sqlite")
    db.parent.mkdir(parents=True, exist_ok=True)
    src = _open_read_only(source)
    out = sqlite3.connect(db, timeout=30)
    try:
        src.backup(out)  # one write transaction on the live file: WAL and other connections stay coherent
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"could not restore into {db}: {exc} (the database is as it was; a copy is at {safety})") from exc
    finally:
        out.close()
        src.close()
    engine = make_engine(URL.create("sqlite", database=str(db)))
    try:
        upgrade(engine)
        revision = current_revision(engine)
    finally:
        engine.dispose()
    return Restored(safety, revision_was, revision)
