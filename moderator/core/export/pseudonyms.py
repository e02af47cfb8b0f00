"""Pseudonyms for exports: keyed hashes with the project's own secret, for authors and for annotators.

The secret (``store.settings.author_key_secret``: 32 random bytes from ``secrets``, stored once in the
project_secrets table) makes the pseudonyms stable across exports of one project and impossible to guess
back from a list of likely names without the database.

Where the key is, and who can read it: the ``author_key_secret`` row of ``project_secrets`` in the project
database, never in an export. On a team server that table is for leads only (store/access.py: reviewers
and admins read it, annotators cannot; only admins may change it); a solo project's file holds it for its
owner. Whoever has it can test a guessed name against a pseudonym, so it goes wherever the database goes
and no further. It is made once and never replaced: every export of the project gives the same
pseudonyms. To keep them when a project moves to a new database, copy that one row across before the new
database's first import or export (which would otherwise make a new key), e.g. in SQL:
``INSERT INTO project_secrets (key, value) VALUES ('author_key_secret', '<the old value>')``.

Annotators get ``annotator_`` and 16 hex digits, hashed in a domain of their own ("annotator" and a NUL
before the name, which no author name holds): a person who both wrote and labelled comments gets two
unrelated pseudonyms, and neither kind can be mistaken for the other.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import Engine

from moderator.core.store.engine import writer
from moderator.core.store.settings import author_key, author_key_secret

ANNOTATOR_PREFIX = "annotator_"
ANNOTATOR_DOMAIN = "annotator\0"


class Pseudonyms(dict):
    """author name → key, memoised: a corpus repeats a few thousand names over a million comments."""

    def __init__(self, secret: str):
        super().__init__()
        self.secret = secret
        self[None] = None

    def __missing__(self, author: str) -> str | None:
        key = self[author] = author_key(self.secret, author)
        return key


def annotator_key(secret: str, name: str) -> str:
    """An annotator's pseudonymous id: the exact name (two accounts may differ only in case) under a keyed hash."""
    digest = hmac.new(secret.encode(), (ANNOTATOR_DOMAIN + name).encode(), hashlib.sha256).hexdigest()[:16]
    return ANNOTATOR_PREFIX + digest


class AnnotatorPseudonyms(dict):
    """annotator name → how an export shows them: the pseudonymous id, or the name itself when ``keep``."""

    def __init__(self, secret: str, keep: bool = False):
        super().__init__()
        self.secret = secret
        self.keep = keep

    def __missing__(self, name: str) -> str:
        shown = self[name] = name if self.keep else annotator_key(self.secret, name)
        return shown


def project_secret(engine: Engine) -> str:
    """The project's pseudonym secret; created on first use (the same one imports use)."""
    with writer(engine) as conn, conn.begin():
        return author_key_secret(conn)


def project_pseudonyms(engine: Engine) -> Pseudonyms:
    """The project's author pseudonymiser."""
    return Pseudonyms(project_secret(engine))


def project_annotator_pseudonyms(engine: Engine, keep: bool = False) -> AnnotatorPseudonyms:
    """The project's annotator pseudonymiser (names as they are when ``keep``)."""
    return AnnotatorPseudonyms(project_secret(engine), keep)
