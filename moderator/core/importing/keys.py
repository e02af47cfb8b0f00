"""Identities that make a re-import add nothing: content hashes of threads and comments."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection

from moderator.core.importing.drafts import ThreadDraft


def thread_key(source: str, external_id: str | None, title: str | None, url: str | None, article: str) -> str:
    """A thread's identity: its source's id when it has one, with title, url and article (sha256, hex)."""
    parts = (source if external_id else "", external_id or "", title or "", url or "", article)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def comment_hash(thread_key: str, identity: str, author: str | None, text: str) -> str:
    """A comment's identity within its thread: BLAKE2b with a 16-byte digest (32 hex characters).

    ``identity`` is the source's comment id, else ``#`` and the comment's index in the thread. The
    hash is stable across runs and machines; it need not resist attacks, only accidental collisions
    among one thread's comments (the unique key is thread id + hash), so 128 bits are plenty and the
    index on it stays half the size of a sha256 one.
    """
    return hashlib.blake2b("\x1f".join((thread_key, identity, author or "", text)).encode(), digest_size=16).hexdigest()


def lock_comments(conn: Connection) -> None:
    """Keep concurrent importers from allocating the same comment ids (SQLite: BEGIN IMMEDIATE did)."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE comments IN EXCLUSIVE MODE")


def thread_hash(draft: ThreadDraft) -> str:
    return thread_key(draft.source, draft.external_id, draft.title, draft.url, draft.article)
