"""What PostgreSQL itself refuses (the triggers of migration 0005), by the SQLSTATE it refuses with.

On PostgreSQL the database is the judge of the overlap k and of the label log's chains, for the app and
for any other client alike; the app recognises these refusals and words them for people.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError

SLOT_TAKEN = "MD001"  # a new answer on a comment with no free slot under k (a lease is just not stored)
BROKEN_CHAIN = "MD002"  # a row that does not continue its own (comment, annotator) history
APPEND_ONLY = "MD003"  # UPDATE, DELETE or TRUNCATE on the label log or the gold labels
# PostgreSQL's own: a role without the privilege, or a row a row-level security policy turns away.
INSUFFICIENT_PRIVILEGE = "42501"


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (psycopg's ``sqlstate``), or None."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    return getattr(orig, "sqlstate", None)


def refused_with(exc: BaseException, *codes: str) -> bool:
    return sqlstate(exc) in codes
