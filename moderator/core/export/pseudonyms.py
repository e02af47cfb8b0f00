"""Pseudonymous author keys for exports: a keyed hash with the project's own secret.

The secret (``store.settings.author_key_secret``: 32 random bytes from ``secrets``, stored once in the
project settings table) makes the keys stable across exports of one project and impossible to guess
back from a list of likely names without the database.
"""

from __future__ import annotations

from sqlalchemy import Engine

from moderator.core.store.engine import writer
from moderator.core.store.settings import author_key, author_key_secret


class Pseudonyms(dict):
    """author name → key, memoised: a corpus repeats a few thousand names over a million comments."""

    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret
        self[None] = None

    def __missing__(self, author: str) -> str | None:
        key = self[author] = author_key(self.secret, author)
        return key


def project_pseudonyms(engine: Engine) -> Pseudonyms:
    """The project's pseudonymiser; creates the secret on first use (the same one imports use)."""
    with writer(engine) as conn, conn.begin():
        return Pseudonyms(author_key_secret(conn))
