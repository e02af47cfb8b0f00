"""Write thread drafts to the database: one transaction, idempotent by content hash, bulk inserts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select, update

from moderator.core.store import settings as project
from moderator.core.store.engine import insert_or_find, writer
from moderator.core.importing.drafts import ThreadDraft, depths
from moderator.core.importing.formats import ImportCancelled, ImportFailure, SourceText, detect_format, importer, read_source
from moderator.core.importing.formats import jsonl
from moderator.core.importing.bulk import comment_hash, lock_comments, thread_key, write_bulk
from moderator.core.labelling.log import store_schema
from moderator.core.store.tables import Annotation, Annotator, Comment, ImportBatch, QuoteSpan, Thread, utcnow
from moderator.core.schema.definition import schema_from_dict

Progress = Callable[[float], None]
Cancelled = Callable[[], bool]
CHUNK = 5000
PARSE_SHARE = 0.25
BULK_PARSE_SHARE = 0.4  # the bulk path's reading is a larger part of its (shorter) whole


@dataclass
class ImportSummary:
    path: str
    format: str
    batch_id: int | None = None
    already_imported: bool = False
    threads_added: int = 0
    threads_existing: int = 0
    comments_added: int = 0
    comments_skipped: int = 0
    orphans: int = 0
    labels_added: int = 0  # prior labels carried by the source, stored as annotations
    warnings: list[str] = field(default_factory=list)

    def describe(self) -> str:
        def n(count: int, noun: str, plural: str | None = None) -> str:
            return f"{count} {noun}" if count == 1 else f"{count} {plural or noun + 's'}"

        if self.already_imported:
            return f"{self.path}: already imported (batch {self.batch_id}); nothing added"
        text = (
            f"{self.path} ({self.format}): {n(self.comments_added, 'comment')} in {n(self.threads_added, 'new thread')}"
            + (f", {n(self.threads_existing, 'existing thread')}" if self.threads_existing else "")
            + (f"; {self.comments_skipped} already present" if self.comments_skipped else "")
            + (f"; {n(self.labels_added, 'prior label')}" if self.labels_added else "")
            + (f"; {n(self.orphans, 'reply', 'replies')} whose parent is missing kept, attached to the thread root" if self.orphans else "")
        )
        return text


def thread_hash(draft: ThreadDraft) -> str:
    return thread_key(draft.source, draft.external_id, draft.title, draft.url, draft.article)


def import_paths(
    engine: Engine,
    paths: Sequence[str | Path],
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[ImportSummary]:
    """Import files in one transaction: if any file fails, nothing from any of them is written."""
    sources = [read_source(p) for p in paths]
    return import_sources(engine, sources, fmt, progress, cancelled)


def import_sources(
    engine: Engine,
    sources: Sequence[SourceText],
    fmt: str = "auto",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> list[ImportSummary]:
    summaries = []
    with writer(engine) as conn, conn.begin():
        for i, source in enumerate(sources):

            def scaled(fraction: float, i: int = i) -> None:
                if progress:
                    progress((i + min(max(fraction, 0.0), 1.0)) / len(sources))

            summaries.append(_import_one(conn, source, fmt, scaled, cancelled))
    if progress:
        progress(1.0)
    return summaries


def find_batch(conn: Connection, sha256: str) -> int | None:
    """The batch that imported a file with these exact bytes, if any."""
    if not sha256:
        return None
    return conn.scalar(select(ImportBatch.id).where(ImportBatch.sha256 == sha256).limit(1))


def previous_import(engine: Engine, sha256: str) -> int | None:
    with engine.connect() as conn:
        return find_batch(conn, sha256)


def _import_one(conn: Connection, source: SourceText, fmt: str, progress: Progress, cancelled: Cancelled | None):
    name = detect_format(source) if fmt == "auto" else fmt
    summary = ImportSummary(source.name, name)
    previous = find_batch(conn, source.sha256)
    if previous is not None:
        summary.already_imported, summary.batch_id = True, previous
        return summary
    batch_id = conn.scalar(
        insert(ImportBatch).values(path=source.name, format=name, sha256=source.sha256).returning(ImportBatch.id)
    )
    summary.batch_id = batch_id
    if name == "jsonl" and _import_bulk(conn, source, batch_id, summary, progress, cancelled):
        return _finish(conn, source, batch_id, summary, progress)
    writer_ = _ThreadWriter(conn, batch_id, project.author_key_secret(conn))
    # Importers check the whole file before yielding (so holding the drafts costs no extra memory);
    # parsing reports the first quarter of the progress, writing the rest.
    drafts = list(importer(name).parse(source, progress=lambda f: progress(PARSE_SHARE * f)))
    total = sum(len(d.comments) for d in drafts) or 1
    done = 0
    for draft in drafts:
        if cancelled and cancelled():
            raise ImportCancelled()
        try:
            writer_.write(draft, summary)
        except ValueError as exc:  # a reply cycle found late, or similar
            raise ImportFailure(source.name, draft.line, str(exc)) from None
        done += len(draft.comments)
        progress(PARSE_SHARE + (1 - PARSE_SHARE) * done / total)
    writer_.flush()
    return _finish(conn, source, batch_id, summary, progress)


def _import_bulk(
    conn: Connection, source: SourceText, batch_id: int, summary: ImportSummary, progress: Progress, cancelled: Cancelled | None
) -> bool:
    """A one-comment-per-line JSONL file through the fast path; False (nothing done) for another shape."""
    with jsonl.paused_gc():  # a million small tuples, none in a cycle
        threads = jsonl.read_bulk(source, lambda f: progress(BULK_PARSE_SHARE * f), cancelled)
        if threads is None:
            return False
        write_bulk(
            conn, source.name, batch_id, threads, summary, lambda f: progress(BULK_PARSE_SHARE + (1 - BULK_PARSE_SHARE) * f), cancelled
        )
    return True


def _finish(conn: Connection, source: SourceText, batch_id: int, summary: ImportSummary, progress: Progress) -> ImportSummary:
    if summary.threads_added == 0 and summary.threads_existing == 0:
        raise ImportFailure(source.name, 1, "no thread found in the file")
    conn.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id)
        .values(
            threads_added=summary.threads_added,
            comments_added=summary.comments_added,
            comments_skipped=summary.comments_skipped,
            warnings=summary.warnings,
        )
    )
    progress(1.0)
    return summary


class _ThreadWriter:
    """Inserts the rows of one draft at a time, allocating comment ids up front so replies link in bulk."""

    def __init__(self, conn: Connection, batch_id: int, secret: str):
        self.conn = conn
        self.batch_id = batch_id
        self.secret = secret
        lock_comments(conn)
        self.next_id = (conn.scalar(select(func.max(Comment.id))) or 0) + 1
        self.imported_at = utcnow()
        self.author_keys: dict[str | None, str | None] = {}
        self.schema_ids: dict[str, int] = {}  # prior-label schemas, by definition hash
        self.annotator_ids: dict[str, int] = {}
        self.pending_labels: list[dict] = []
        # Rows wait here so that small threads are written in large executemany batches.
        self.pending_comments: list[dict] = []
        self.pending_quotes: list[dict] = []

    def write(self, draft: ThreadDraft, summary: ImportSummary) -> None:
        conn = self.conn
        key = thread_hash(draft)
        thread_id = conn.scalar(select(Thread.id).where(Thread.content_hash == key))
        existing: dict[str, int] = {}
        next_position = 0
        if thread_id is None:
            thread_id = conn.scalar(insert(Thread).values(**_thread_row(draft, key, self.batch_id)).returning(Thread.id))
            summary.threads_added += 1
        else:
            summary.threads_existing += 1
            self.flush()  # its comments may still be waiting, e.g. the same thread twice in one import
            existing = dict(conn.execute(select(Comment.content_hash, Comment.id).where(Comment.thread_id == thread_id)).all())
            last = conn.scalar(select(func.max(Comment.position)).where(Comment.thread_id == thread_id))
            next_position = 0 if last is None else last + 1  # not "or -1": the last position may be 0

        comments = draft.comments
        level = depths(comments)
        hashes = [
            comment_hash(key, c.external_id if c.external_id is not None else f"#{i}", c.author, c.text)
            for i, c in enumerate(comments)
        ]
        ids: list[int] = []
        rows = []
        for i, c in enumerate(comments):
            if hashes[i] in existing:
                ids.append(existing[hashes[i]])
                continue
            ids.append(self.next_id)
            self.next_id += 1
            rows.append(i)
        summary.comments_skipped += len(comments) - len(rows)
        summary.orphans += sum(1 for i in rows if "missing_parent_id" in comments[i].metadata)

        comment_rows = []
        for n, i in enumerate(rows):
            c = comments[i]
            meta = dict(c.metadata)
            if c.line is not None:
                meta.setdefault("source_line", c.line)
            comment_rows.append(
                {
                    "id": ids[i],
                    "thread_id": thread_id,
                    "external_id": c.external_id,
                    "parent_id": ids[c.parent_index] if c.parent_index is not None else None,
                    "position": next_position + n,
                    "depth": level[i],
                    "author": c.author,
                    "author_key": self._author_key(c.author),
                    "text": c.text,
                    "created_at": c.created_at,
                    "content_hash": hashes[i],
                    "meta": meta,
                }
            )
        self.pending_comments += comment_rows
        self.pending_quotes += [
            {
                "comment_id": ids[i],
                "start": q.start,
                "end": q.end,
                "source": q.source,
                "source_comment_id": ids[q.source_index] if q.source_index is not None else None,
                "source_start": q.source_start,
                "source_end": q.source_end,
                "score": q.score,
            }
            for i in rows
            for q in comments[i].quotes
        ]
        if draft.prior_schema is not None:
            schema_id = self._schema_id(draft.prior_schema)
            self.pending_labels += [
                {
                    "comment_id": ids[i],
                    "annotator_id": self._annotator_id(label.annotator),
                    "schema_id": schema_id,
                    "values": label.values,
                    "spans": [],
                    "status": "submitted",
                    "action": "import",
                    "submitted_at": self.imported_at,
                }
                for i in rows
                for label in comments[i].prior_labels
            ]
            summary.labels_added += sum(len(comments[i].prior_labels) for i in rows)
        summary.comments_added += len(rows)
        if len(self.pending_comments) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        """Write waiting rows. A thread's rows are always in one flush, with parents before replies."""
        # Parents may come after their replies in a file: insert in depth order so foreign keys hold.
        self.pending_comments.sort(key=lambda r: r["depth"])
        if self.pending_comments:
            self.conn.execute(insert(Comment), self.pending_comments)
        if self.pending_quotes:
            self.conn.execute(insert(QuoteSpan), self.pending_quotes)
        if self.pending_labels:
            self.conn.execute(insert(Annotation), self.pending_labels)
        self.pending_comments, self.pending_quotes, self.pending_labels = [], [], []

    def _schema_id(self, definition: dict) -> int:
        schema = schema_from_dict(definition, "the imported labels' schema")
        if schema.sha256 not in self.schema_ids:
            self.schema_ids[schema.sha256] = store_schema(self.conn, schema)
        return self.schema_ids[schema.sha256]

    def _annotator_id(self, name: str) -> int:
        if name not in self.annotator_ids:
            self.annotator_ids[name] = insert_or_find(
                self.conn,
                select(Annotator.id).where(Annotator.name == name),
                insert(Annotator).values(name=name, role="annotator").returning(Annotator.id),
            )
        return self.annotator_ids[name]

    def _author_key(self, author: str | None) -> str | None:
        if author not in self.author_keys:
            self.author_keys[author] = project.author_key(self.secret, author)
        return self.author_keys[author]


def _thread_row(draft: ThreadDraft, key: str, batch_id: int) -> dict:
    meta = dict(draft.metadata)
    if draft.heuristics:
        meta["heuristics"] = [
            {"kind": h.kind, "line": h.line, "score": round(h.score, 3), "detail": h.detail} for h in draft.heuristics
        ]
    return {
        "batch_id": batch_id,
        "source": draft.source,
        "external_id": draft.external_id,
        "title": draft.title,
        "url": draft.url,
        "dateline": draft.dateline,
        "published_at": draft.published_at,
        "image_credit": draft.image_credit,
        "article": draft.article,
        "meta": meta,
        "content_hash": key,
    }


def import_drafts(engine: Engine, drafts: Iterable[ThreadDraft], *, name: str, fmt: str, sha256: str = "") -> ImportSummary:
    """Import drafts already in memory (e.g. corrected in the GUI's preview) in one transaction."""
    summary = ImportSummary(name, fmt)
    with writer(engine) as conn, conn.begin():
        batch_id = conn.scalar(insert(ImportBatch).values(path=name, format=fmt, sha256=sha256).returning(ImportBatch.id))
        summary.batch_id = batch_id
        thread_writer = _ThreadWriter(conn, batch_id, project.author_key_secret(conn))
        for draft in drafts:
            thread_writer.write(draft, summary)
        thread_writer.flush()
        conn.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(threads_added=summary.threads_added, comments_added=summary.comments_added, comments_skipped=summary.comments_skipped)
        )
    return summary
