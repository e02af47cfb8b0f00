"""Project-wide settings stored in the database, shared by everyone who opens it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from sqlalchemy import Connection, insert, select

from .models import ProjectSetting

AUTHOR_SECRET = "author_key_secret"


def get_setting(conn: Connection, key: str, default: Any = None) -> Any:
    value = conn.scalar(select(ProjectSetting.value).where(ProjectSetting.key == key))
    return default if value is None else value


def set_setting(conn: Connection, key: str, value: Any) -> None:
    if conn.scalar(select(ProjectSetting.key).where(ProjectSetting.key == key)) is None:
        conn.execute(insert(ProjectSetting).values(key=key, value=value))
    else:
        from sqlalchemy import update

        conn.execute(update(ProjectSetting).where(ProjectSetting.key == key).values(value=value))


def author_key_secret(conn: Connection) -> str:
    """The per-project secret behind pseudonymous author keys; made on first use."""
    secret = get_setting(conn, AUTHOR_SECRET)
    if secret is None:
        secret = secrets.token_hex(32)
        set_setting(conn, AUTHOR_SECRET, secret)
    return secret


def author_key(secret: str, author: str | None) -> str | None:
    """A stable pseudonym for an author name: a keyed hash, so names cannot be guessed back."""
    if not author:
        return None
    return hmac.new(secret.encode(), author.strip().casefold().encode(), hashlib.sha256).hexdigest()[:16]
