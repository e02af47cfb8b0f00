"""Open threads from their addresses: fetch every address, then write them all in one transaction.

Nothing is written until every address has been read: a failure (one line naming its address) or a
cancel leaves the database as it was. Each address is one import batch, recorded by the sha256 of what
was read. A thread already in the database keeps its stored title and article, so that importing an
address again adds only the comments that are new, even when the page's text has changed since.

The window calls ``fetch_thread`` in the background (progress and cancel as plain callables), and when
``comments_found`` is False offers the paste preview with the article in place; else, or after,
``write_fetched``. The command line calls ``import_addresses``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, select, update

from moderator.core.fetching import hackernews, page, reddit
from moderator.core.fetching.addresses import HACKERNEWS, PAGE, REDDIT, source_of
from moderator.core.fetching.client import Client
from moderator.core.fetching.result import FetchedThread
from moderator.core.fetching.settings import FetchSettings
from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportCancelled
from moderator.core.importing.keys import thread_hash, thread_key
from moderator.core.importing.summary import ImportSummary
from moderator.core.importing.writer import find_batch, write_drafts
from moderator.core.progress import Cancelled, Progress, scaled
from moderator.core.store.engine import writer
from moderator.core.store.tables import ImportBatch, Thread

FETCH_SHARE = 0.9  # of the progress: reading the addresses; writing is the rest
_READERS: dict[str, Callable[[Client, str, Progress], FetchedThread]] = {
    REDDIT: reddit.fetch,
    HACKERNEWS: hackernews.fetch,
    PAGE: page.fetch,
}


@dataclass
class AddressImport:
    """What importing one address did: the batch's summary, and whether the page's comments were found."""

    address: str
    summary: ImportSummary
    comments_found: bool = True  # False: the article alone; offer to paste its comments under it

    def describe(self) -> str:
        return self.summary.describe()


def fetch_thread(
    address: str,
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    settings: FetchSettings | None = None,
) -> FetchedThread:
    """Read one address into thread drafts, writing nothing. ``fmt``: auto, reddit, hackernews or page."""
    address = address.strip()
    kind = source_of(address, fmt)
    with Client(address, settings, cancelled) as client:
        client.check_cancelled()
        return _READERS[kind](client, address, progress or (lambda _f: None))


def import_addresses(
    engine: Engine,
    addresses: Sequence[str],
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    settings: FetchSettings | None = None,
) -> list[AddressImport]:
    """Fetch every address, then write them all in one transaction (all or nothing)."""
    fetched = []
    for i, address in enumerate(addresses):
        step = scaled(progress, i, len(addresses))
        fetched.append(fetch_thread(address, fmt, lambda f, step=step: step(FETCH_SHARE * f), cancelled, settings))
    if cancelled is not None and cancelled():
        raise ImportCancelled()
    results = write_fetched(engine, fetched)
    if progress is not None:
        progress(1.0)
    return results


def import_address(
    engine: Engine,
    address: str,
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    settings: FetchSettings | None = None,
) -> AddressImport:
    """Fetch one address and write its thread: the new thread, or the new comments of one already there."""
    return import_addresses(engine, [address], fmt, progress, cancelled, settings)[0]


def write_fetched(engine: Engine, fetched: Sequence[FetchedThread]) -> list[AddressImport]:
    """Write fetched threads in one transaction, one import batch per address."""
    with writer(engine) as conn, conn.begin():
        return [_write(conn, item) for item in fetched]


def _write(conn: Connection, fetched: FetchedThread) -> AddressImport:
    previous = find_batch(conn, fetched.sha256)
    if previous is not None:
        summary = ImportSummary(fetched.address, fetched.format, batch_id=previous, already_imported=True)
        return AddressImport(fetched.address, summary, fetched.comments_found)
    notes = [note for draft in fetched.drafts if (note := keep_stored(conn, draft))]
    summary = write_drafts(conn, fetched.drafts, name=fetched.address, fmt=fetched.format, sha256=fetched.sha256)
    warnings = fetched.warnings + notes
    if warnings:
        summary.warnings += warnings
        conn.execute(update(ImportBatch).where(ImportBatch.id == summary.batch_id).values(warnings=summary.warnings))
    return AddressImport(fetched.address, summary, fetched.comments_found)


def keep_stored(conn: Connection, draft: ThreadDraft) -> str | None:
    """Give a draft the stored title, address and article of its thread, if the thread is already there.

    A thread's identity hashes those (``keys.thread_key``); a page edited since, or a Reddit post whose
    text was changed, would otherwise become a second thread with every comment again. Returns a
    warning when something did change, else None.
    """
    if conn.scalar(select(Thread.id).where(Thread.content_hash == thread_hash(draft))) is not None:
        return None
    if draft.external_id is not None:
        same = (Thread.source == draft.source) & (Thread.external_id == draft.external_id)
    elif draft.url:
        same = (Thread.url == draft.url) & Thread.external_id.is_(None)
    else:
        return None
    for row in conn.execute(select(Thread).where(same).order_by(Thread.id.desc())):
        if thread_key(row.source, row.external_id, row.title, row.url, row.article) != row.content_hash:
            continue  # not a thread this rule can match (its hash is not of these fields)
        changed = [
            what for what, old, new in (("title", row.title, draft.title), ("text", row.article, draft.article)) if old != new
        ]
        draft.title, draft.url, draft.article = row.title, row.url, row.article
        if not changed:
            return None
        return (
            f"{row.url or draft.external_id}: the {' and '.join(changed)} changed since the thread was first imported; "
            "the stored one is kept and new comments are added to it"
        )
    return None
