"""Project-wide settings stored in the database, shared by everyone who opens it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Connection, insert, select, update

from moderator.core.store.engine import insert_or_find

from moderator.core.store.tables import ProjectSetting

AUTHOR_SECRET = "author_key_secret"


def get_setting(conn: Connection, key: str, default: Any = None) -> Any:
    value = conn.scalar(select(ProjectSetting.value).where(ProjectSetting.key == key))
    return default if value is None else value


def set_setting(conn: Connection, key: str, value: Any) -> None:
    find = select(ProjectSetting.key).where(ProjectSetting.key == key)
    created = insert(ProjectSetting).values(key=key, value=value).returning(ProjectSetting.key)
    if conn.scalar(find) is None and insert_or_find(conn, find, created) is not None:
        if conn.scalar(select(ProjectSetting.value).where(ProjectSetting.key == key)) == value:
            return
    conn.execute(update(ProjectSetting).where(ProjectSetting.key == key).values(value=value))


def author_key_secret(conn: Connection) -> str:
    """The per-project secret behind pseudonymous author keys; made on first use, never replaced."""
    find = select(ProjectSetting.value).where(ProjectSetting.key == AUTHOR_SECRET)
    return insert_or_find(
        conn, find, insert(ProjectSetting).values(key=AUTHOR_SECRET, value=secrets.token_hex(32)).returning(ProjectSetting.value)
    )


def author_key(secret: str, author: str | None) -> str | None:
    """A stable pseudonym for an author name: a keyed hash, so names cannot be guessed back."""
    if not author:
        return None
    return hmac.new(secret.encode(), author.strip().casefold().encode(), hashlib.sha256).hexdigest()[:16]
