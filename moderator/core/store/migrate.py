"""Alembic, driven from code: every database is upgraded to the newest revision when opened, and one made
by a newer version of the app is refused before anything is written."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def current_heads(engine: Engine) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_heads()


class UpgradeRefused(PermissionError):
    """The database is older than the app and the signed-in login may not upgrade it."""


class NewerDatabase(ValueError):
    """The database was made by a newer version of the app: its schema revision is one this code does not know."""

    def __init__(self, found: str, known: str):
        self.found, self.known = found, known
        super().__init__(
            f"this database was made by a newer version of Moderator (schema {found}; this version knows up to "
            f"{known}): upgrade Moderator to open it"
        )


def check_not_newer(engine: Engine) -> None:
    """Raise NewerDatabase when the database's schema revision is unknown here; reads, never writes."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [head for head in current_heads(engine) if head not in known]
    if unknown:
        raise NewerDatabase(", ".join(unknown), script.get_current_head())


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Run the migrations up to ``revision``; on a team server, then grant the team what is new."""
    from alembic import command
    from sqlalchemy.exc import DBAPIError

    from moderator.core.store import access
    from moderator.core.store.guards import INSUFFICIENT_PRIVILEGE, refused_with

    if revision == "head" and current_heads(engine) == (head_revision(),):
        return
    check_not_newer(engine)  # Alembic would fail mid-way, with a long traceback
    try:
        with engine.begin() as connection:
            command.upgrade(alembic_config(connection), revision)
            if access.has_team_groups(connection):
                access.apply(connection)
    except DBAPIError as exc:
        if refused_with(exc, INSUFFICIENT_PRIVILEGE):
            raise UpgradeRefused(
                f"{engine.url.database} was made by an older version of Moderator; its owner must open it once "
                "with this version (moderator team setup) before others can"
            ) from None
        raise
