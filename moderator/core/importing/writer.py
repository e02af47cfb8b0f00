"""The one import writer: files, clipboard text or corrected drafts into the database, in one transaction.

Every import is a batch: the source's bytes are recorded (a second import of the same file adds
nothing), then its threads are written by one of two strategies — the bulk JSONL fast path
(``bulk``) for a one-comment-per-line file, or a ``DraftWriter`` for the drafts any importer makes —
and the batch's counts are stored. All sources of one call share one transaction: if any fails,
nothing from any of them is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import DBAPIError

from moderator.core.importing import bulk_halves, bulk_stream
from moderator.core.importing.bulk_batches import BulkBatches
from moderator.core.importing.bulk_stream import BulkStream
from moderator.core.importing.draft_rows import DraftWriter
from moderator.core.importing.drafts import ThreadDraft
from moderator.core.importing.errors import ImportCancelled, ImportFailure
from moderator.core.importing.formats import detect_format, importer, jsonl, ratings
from moderator.core.importing.formats.jsonl_grouped import GroupedLines
from moderator.core.importing.joined import TABLE_SUFFIXES, JoinedTables, join_tables
from moderator.core.importing.options import ImportOptions
from moderator.core.importing.sources.comment_bounds import OWN_KEYS, MetadataBound
from moderator.core.importing.sources.json_lines import paused_gc
from moderator.core.importing.sources.reading import SourceText, read_source
from moderator.core.importing.summary import ImportSummary
from moderator.core.progress import Cancelled, Progress, scaled
from moderator.core.store import settings as project
from moderator.core.store.engine import writer
from moderator.core.store.tables import ImportBatch

PARSE_SHARE = 0.25  # drafts: parsing reports the first quarter of the progress, writing the rest
STREAM_READ_SHARE = 0.9  # ... and nearly all of it when it writes as it reads
GROUP_SHARE = 0.45  # of what is left of it, regrouping the lines of a file whose threads are scattered


def import_paths(
    engine: Engine,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    options: ImportOptions | None = None,
) -> list[ImportSummary]:
    """Import files in one transaction: if any file fails, nothing from any of them is written.

    A folder (other than a ConvoKit corpus) stands for the tables in it: a dataset shipped as several
    tables is joined by ids (``joined``).
    """
    sources = [read_source(p) for p in _expanded(paths)]
    return import_sources(engine, sources, fmt, progress, cancelled, options)


def _expanded(paths: Sequence[str | Path]) -> list[str | Path]:
    found: list[str | Path] = []
    for path in paths:
        folder = Path(path)
        if folder.is_dir() and not (folder / "utterances.jsonl").is_file():
            tables = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(TABLE_SUFFIXES))
            if not tables:
                raise ImportFailure(str(path), None, "a folder with no table in it (CSV, TSV, Parquet, JSON lines)")
            found += tables
        else:
            found.append(path)
    return found


def import_sources(
    engine: Engine,
    sources: Sequence[SourceText],
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    options: ImportOptions | None = None,
) -> list[ImportSummary]:
    summaries = []
    options = options or ImportOptions()
    sources = join_tables(sources, fmt)
    with writer(engine) as conn:
        try:
            with conn.begin():
                for i, source in enumerate(sources):
                    step = scaled(progress, i, len(sources))
                    summaries.append(_import_source(conn, source, fmt, step, cancelled, options.fresh()))
        finally:
            bulk_halves.detach(conn)  # (its scratch file, attached in the transaction, can only go after it)
    if progress:
        progress(1.0)
    return summaries


def import_drafts(engine: Engine, drafts: Iterable[ThreadDraft], *, name: str, fmt: str, sha256: str = "") -> ImportSummary:
    """Import drafts already in memory (e.g. corrected in the GUI's preview) in one transaction."""
    with writer(engine) as conn, conn.begin():
        return write_drafts(conn, drafts, name=name, fmt=fmt, sha256=sha256)


def write_drafts(conn: Connection, drafts: Iterable[ThreadDraft], *, name: str, fmt: str, sha256: str = "") -> ImportSummary:
    """Drafts as one import batch, in the caller's writing transaction (which may add rows of its own)."""
    summary = _open_batch(conn, name, fmt, sha256)
    _write_drafts(conn, drafts, summary, lambda _f: None, None)
    return _close_batch(conn, summary, require_threads=False)


def find_batch(conn: Connection, sha256: str) -> int | None:
    """The batch that imported a file with these exact bytes, if any."""
    if not sha256:
        return None
    return conn.scalar(select(ImportBatch.id).where(ImportBatch.sha256 == sha256).limit(1))


def previous_import(engine: Engine, sha256: str) -> int | None:
    with engine.connect() as conn:
        return find_batch(conn, sha256)


def _import_source(
    conn: Connection, source: SourceText, fmt: str, progress: Progress, cancelled: Cancelled | None, options: ImportOptions
) -> ImportSummary:
    joined = isinstance(source, JoinedTables)
    name = ratings.NAME if joined else detect_format(source, options.mapping) if fmt == "auto" else fmt
    previous = find_batch(conn, source.sha256)
    if previous is not None:
        return ImportSummary(source.name, name, batch_id=previous, already_imported=True)
    summary = _open_batch(conn, source.name, name, source.sha256)
    if not (name == jsonl.NAME and _write_bulk(conn, source, summary, progress, cancelled)):
        # A streaming importer (``STREAMS``) yields each thread once it is complete (a very long one in parts,
        # ``ThreadDraft.continues``) and reports the whole import's progress; each is written as it comes,
        # inside this transaction, so memory holds one.
        streams = joined or getattr(importer(name), "STREAMS", False)
        share = 1.0 if streams else PARSE_SHARE
        parsing = _checked(lambda f: progress(share * f), cancelled)
        drafts = source.parse(parsing, options) if joined else importer(name).parse(source, progress=parsing, options=options)
        writing = (lambda _f: None) if streams else (lambda f: progress(PARSE_SHARE + (1 - PARSE_SHARE) * f))
        _write_drafts(conn, summary.counting_labels(drafts), summary, writing, cancelled, streams)
    summary.take_notes(options.notes)
    _close_batch(conn, summary, require_threads=True)
    progress(1.0)
    return summary


def _open_batch(conn: Connection, name: str, fmt: str, sha256: str) -> ImportSummary:
    batch_id = conn.scalar(insert(ImportBatch).values(path=name, format=fmt, sha256=sha256).returning(ImportBatch.id))
    return ImportSummary(name, fmt, batch_id=batch_id)


def _close_batch(conn: Connection, summary: ImportSummary, require_threads: bool) -> ImportSummary:
    if require_threads and summary.threads_added == 0 and summary.threads_existing == 0:
        raise ImportFailure(summary.path, 1, "no thread found in the file")
    conn.execute(
        update(ImportBatch)
        .where(ImportBatch.id == summary.batch_id)
        .values(
            threads_added=summary.threads_added,
            comments_added=summary.comments_added,
            comments_skipped=summary.comments_skipped,
            warnings=summary.warnings,
        )
    )
    return summary


def _write_bulk(
    conn: Connection, source: SourceText, summary: ImportSummary, progress: Progress, cancelled: Cancelled | None
) -> bool:
    """A one-comment-per-line JSONL file through the fast path; False (nothing done) for another shape.

    Each thread is written once read and let go (``bulk_stream`` on SQLite, else ``bulk_batches``); a
    file whose threads are scattered, or whose comments hang under story lines (Hacker News items), is
    read again, regrouped on disk (``jsonl_grouped``).
    """
    with paused_gc():  # a million small tuples, none in a cycle
        written = _streamed(conn, source, summary, progress, cancelled)
    if written is False:
        return False
    cut = written.warning(summary.path)
    if cut:
        summary.warnings.append(cut)
    return True


def _streamed(
    conn: Connection, source: SourceText, summary: ImportSummary, progress: Progress, cancelled: Cancelled | None
) -> MetadataBound | bool:
    """Each thread written once read: the bound that cut metadata; False if the file is of another shape."""
    reached = [0.0]  # how far the first reading got: the second one's progress goes on from there

    def reading(fraction: float) -> None:
        reached[0] = STREAM_READ_SHARE * fraction
        progress(reached[0])

    try:
        return _stream(conn, source, None, summary, reading, cancelled)
    except jsonl.Scattered:
        pass
    start = reached[0]
    grouping = start + (STREAM_READ_SHARE - start) * GROUP_SHARE
    with GroupedLines(source, lambda f: progress(start + (grouping - start) * f), cancelled) as grouped:
        objects = grouped.objects(lambda f: progress(grouping + (STREAM_READ_SHARE - grouping) * f))
        return _stream(conn, source, objects, summary, lambda _f: None, cancelled, grouped.keyed)


def _stream(
    conn: Connection,
    source: SourceText,
    objects: Iterator[tuple[int, Any]] | None,
    summary: ImportSummary,
    progress: Progress,
    cancelled: Cancelled | None,
    keyed: bool | None = None,
) -> MetadataBound | bool:
    """One reading of the file (or of ``objects``, its lines regrouped; ``keyed``: see ``read_bulk``), each
    thread handed to the writer that fits the database; raises ``jsonl.Scattered`` with nothing written."""
    bound = MetadataBound(OWN_KEYS)  # the draft writer's: the same metadata kept, the same warning
    second = None
    if bulk_stream.fits(conn):
        ready: BulkStream | BulkBatches = BulkStream(conn, source.name, summary.batch_id, bound)
        second = bulk_halves.second_half(conn, source, objects, progress, cancelled)  # a big file: another process reads half
    else:
        ready = BulkBatches(conn, source.name, summary.batch_id, bound, cancelled)
    try:
        reading, report = (source, progress) if second is None else (second.first, second.progress)
        threads = jsonl.read_bulk(reading, report, cancelled, bound, ready, objects=objects, keyed=keyed)
        if threads is None:
            ready.abandon()
            return False
        if second is None:
            ready.finish(threads, summary)
        else:
            ready.finish(threads, summary, second)
    except BaseException:
        ready.abandon()
        raise
    finally:
        if second is not None:
            second.close()
    return bound


def _checked(progress: Progress, cancelled: Cancelled | None) -> Progress:
    """The importer's progress, which also stops a long read when the user cancels."""

    def report(fraction: float) -> None:
        if cancelled and cancelled():
            raise ImportCancelled()
        progress(fraction)

    return report


def _write_drafts(
    conn: Connection,
    drafts: Iterable[ThreadDraft],
    summary: ImportSummary,
    progress: Progress,
    cancelled: Cancelled | None,
    streamed: bool = False,
) -> None:
    """Write the drafts; ``streamed``: as they come (the importer reports progress), else counted first."""
    if not streamed:
        drafts = list(drafts)
    rows = DraftWriter(conn, summary.batch_id, project.author_key_secret(conn))
    total = 1 if streamed else sum(len(d.comments) for d in drafts) or 1  # type: ignore[arg-type]
    done = 0
    for draft in drafts:
        if cancelled and cancelled():
            raise ImportCancelled()
        try:
            rows.write(draft, summary)
        except ValueError as exc:  # a reply cycle found late, or similar: named at the draft's line
            raise ImportFailure(summary.path, draft.line, str(exc)) from None
        except DBAPIError as exc:  # a value the database refuses (PostgreSQL, where SQLite took it)
            _refused(summary.path, draft.line, exc)
        done += len(draft.comments)
        if not streamed:
            progress(done / total)
    try:
        rows.flush()  # rows go in batches: the file is known here, not the line
    except DBAPIError as exc:
        _refused(summary.path, None, exc)
    cut = rows.bound.warning(summary.path)  # metadata past what one comment may carry
    if cut:
        summary.warnings.append(cut)


def _refused(path: str, line: int | None, exc: DBAPIError) -> NoReturn:
    """A database refusal of the file's data as ``path:line: reason``; any other database error as it is."""
    failure = ImportFailure.from_database_error(path, line, exc)
    if failure is None:
        raise exc
    raise failure from exc
