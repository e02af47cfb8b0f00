"""Thread drafts into rows: ids allocated up front so replies link in bulk, rows written in batches."""

from __future__ import annotations

from array import array

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from moderator.core.importing.drafts import CommentDraft, ThreadDraft, depths
from moderator.core.importing.keys import comment_hash, lock_comments, thread_hash
from moderator.core.importing.sources.comment_bounds import OWN_KEYS, MetadataBound
from moderator.core.importing.summary import ImportSummary
from moderator.core.labelling.log import store_schema
from moderator.core.schema.definition import schema_from_dict
from moderator.core.store import settings as project
from moderator.core.store.tables import Annotation, Annotator, Comment, Profile, QuoteSpan, Thread, utcnow
from moderator.core.team.accounts import ensure_annotator

CHUNK = 5000
# Built once, values bound per thread: a statement made per thread costs more than its rows (big imports have many).
_FIND_THREAD = select(Thread.id).where(Thread.content_hash == bindparam("key"))
_NEW_THREAD = insert(Thread).returning(Thread.id)
_SET_PARENT = update(Comment).where(Comment.id == bindparam("reply")).values(parent_id=bindparam("parent"))


class DraftWriter:
    """Inserts the rows of one draft at a time, allocating comment ids up front so replies link in bulk."""

    def __init__(self, conn: Connection, batch_id: int, secret: str):
        self.conn = conn
        self.batch_id = batch_id
        self.secret = secret
        lock_comments(conn)
        self.next_id = (conn.scalar(select(func.max(Comment.id))) or 0) + 1
        self.first_id = self.next_id  # ids from here on are this import's rows
        self.imported_at = utcnow()
        self.author_keys: dict[str | None, str | None] = {}
        self.schema_ids: dict[str, int] = {}  # prior-label schemas, by definition hash
        self.annotator_ids: dict[str, int] = {}
        self.profiled: set[int] = set()  # pseudo-annotators whose imported profile was looked at
        self.pending_labels: list[dict] = []
        # Rows wait here so that small threads are written in large executemany batches.
        self.pending_comments: list[dict] = []
        self.pending_quotes: list[dict] = []
        # What one comment may carry (an importer that bounds its source's keys itself stays within it).
        self.bound = MetadataBound(OWN_KEYS)
        # The thread last written: (key, id, its next position, its comments stored before, the comments of
        # its parts so far), for its next part; and those comments' ids and depths, for its replies to them.
        self._last: tuple[str, int, int, dict[str, int], int] | None = None
        self._thread_ids = array("q")
        self._thread_depths = array("i")
        self._last_meta: dict | None = None  # its metadata as stored, when this import added it

    def write(self, draft: ThreadDraft, summary: ImportSummary) -> None:
        conn = self.conn
        key = thread_hash(draft)
        existing: dict[str, int] = {}
        next_position = 0
        before = 0  # comments of the thread's earlier parts: an unnamed comment's hash counts from there
        previous = self._last if draft.continues else None
        follows = previous is not None and previous[0] == key
        if previous is not None and follows:  # the next part of the thread just written: one thread, counted once
            _, thread_id, next_position, existing, before = previous
            self._update_meta(thread_id, draft, key)
        else:
            self._thread_ids, self._thread_depths = array("q"), array("i")
            thread_id = conn.scalar(_FIND_THREAD, {"key": key})
            self._last_meta = None
        if thread_id is None:
            row = _thread_row(draft, key, self.batch_id)
            thread_id = conn.scalar(_NEW_THREAD, row)
            self._last_meta = row["meta"]
            summary.threads_added += 1
        elif not follows:
            summary.threads_existing += 1
            self.flush()  # its comments may still be waiting, e.g. the same thread twice in one import
            existing = dict(conn.execute(select(Comment.content_hash, Comment.id).where(Comment.thread_id == thread_id)).all())
            last = conn.scalar(select(func.max(Comment.position)).where(Comment.thread_id == thread_id))
            next_position = 0 if last is None else last + 1  # not "or -1": the last position may be 0

        comments = draft.comments
        level = depths(comments, self._thread_depths)
        hashes = [
            comment_hash(key, c.external_id if c.external_id is not None else f"#{before + i}", c.author, c.text)
            for i, c in enumerate(comments)
        ]
        ids: list[int] = []
        rows = []
        for i in range(len(comments)):
            if hashes[i] in existing:
                ids.append(existing[hashes[i]])
                continue
            ids.append(self.next_id)
            self.next_id += 1
            rows.append(i)
        self._thread_ids.extend(ids)
        self._thread_depths.extend(level)
        summary.comments_skipped += len(comments) - len(rows)
        summary.orphans += sum(1 for i in rows if "missing_parent_id" in comments[i].metadata)

        # A long draft whose parents all come before their replies (the usual file) goes in now, a slice of
        # rows at a time: its rows are not all made at once, and the slices are in an order foreign keys accept.
        direct = len(rows) > CHUNK and all(c.parent_index is None or c.parent_index < i for i, c in enumerate(comments))
        if direct:
            self.flush()  # the rows waiting come first, as they would have
        for start in range(0, len(rows), CHUNK if direct else max(1, len(rows))):
            made = [
                self._comment_row(comments[i], ids, i, thread_id, next_position + n, level[i], hashes[i])
                for n, i in enumerate(rows[start : start + CHUNK] if direct else rows, start)
            ]
            if direct:
                self.conn.execute(insert(Comment), made)
            else:
                self.pending_comments += made
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
            self._find_annotators([label.annotator for i in rows for label in comments[i].prior_labels])
            for start in range(0, len(rows), CHUNK if direct else max(1, len(rows))):
                labels = self._label_rows(comments, ids, rows[start : start + CHUNK] if direct else rows, schema_id)
                if direct and labels:
                    self.conn.execute(insert(Annotation), labels)
                else:
                    self.pending_labels += labels
            summary.labels_added += sum(len(comments[i].prior_labels) for i in rows)
        if draft.annotator_profiles:
            self._write_profiles(draft, summary)
        self._link_replies_before(comments, ids)
        summary.comments_added += len(rows)
        self._last = (key, thread_id, next_position + len(rows), existing, before + len(comments))
        if len(self.pending_comments) >= CHUNK:
            self.flush()

    def _comment_row(
        self, c: CommentDraft, ids: list[int], i: int, thread_id: int, position: int, depth: int, content_hash: str
    ) -> dict:
        meta = dict(self.bound(c.metadata))
        if c.line is not None:
            meta.setdefault("source_line", c.line)
        return {
            "id": ids[i],
            "thread_id": thread_id,
            "external_id": c.external_id,
            "parent_id": self._parent_id(c, ids),
            "position": position,
            "depth": depth,
            "author": c.author,
            "author_key": self._author_key(c.author),
            "text": c.text,
            "created_at": c.created_at,
            "content_hash": content_hash,
            "meta": meta,
        }

    def _link_replies_before(self, comments: list[CommentDraft], ids: list[int]) -> None:
        """Give the earlier parts' replies to these comments their parent, now that it is written (a reply
        already stored before this import keeps its own)."""
        thread_ids = self._thread_ids
        links = [
            {"reply": thread_ids[r], "parent": ids[i]}
            for i, c in enumerate(comments)
            if c.replies_before
            for r in c.replies_before
            if thread_ids[r] >= self.first_id
        ]
        if links:
            self.flush()  # the parents go in first
            self.conn.execute(_SET_PARENT, links)

    def _parent_id(self, c: CommentDraft, ids: list[int]) -> int | None:
        if c.parent_index is not None:
            return ids[c.parent_index]
        return None if c.parent_before is None else self._thread_ids[c.parent_before]

    def _label_rows(self, comments: list[CommentDraft], ids: list[int], rows: list[int], schema_id: int) -> list[dict]:
        return [
            {
                "comment_id": ids[i],
                "annotator_id": self._annotator_id(label.annotator),
                "schema_id": schema_id,
                "values": label.values,
                "spans": label.spans,
                "status": "submitted",
                "action": "import",
                "submitted_at": self.imported_at,
            }
            for i in rows
            for label in comments[i].prior_labels
        ]

    def _update_meta(self, thread_id: int, draft: ThreadDraft, key: str) -> None:
        """A later part may carry the thread's metadata as it grew (counts known only at the end): a thread
        this import added takes it; one that was there before keeps its own, as a thread imported again does."""
        if self._last_meta is None:
            return
        meta = _thread_row(draft, key, self.batch_id)["meta"]
        if meta != self._last_meta:
            self.conn.execute(update(Thread).where(Thread.id == thread_id).values(meta=meta))
            self._last_meta = meta

    def flush(self) -> None:
        """Write waiting rows. A draft's rows are in one flush, with parents before replies (a long draft
        in order goes in at once instead, see ``write``)."""
        # Parents may come after their replies in a file: insert in depth order so foreign keys hold.
        self.pending_comments.sort(key=lambda r: r["depth"])
        # In slices, in order: one large thread's rows are not all converted for the driver at once.
        for table, rows in (
            (Comment, self.pending_comments),
            (QuoteSpan, self.pending_quotes),
            (Annotation, self.pending_labels),
        ):
            for start in range(0, len(rows), CHUNK):
                self.conn.execute(insert(table), rows[start : start + CHUNK])
        self.pending_comments, self.pending_quotes, self.pending_labels = [], [], []

    def _schema_id(self, definition: dict) -> int:
        schema = schema_from_dict(definition, "the imported labels' schema")
        if schema.sha256 not in self.schema_ids:
            self.schema_ids[schema.sha256] = store_schema(self.conn, schema)
        return self.schema_ids[schema.sha256]

    def _write_profiles(self, draft: ThreadDraft, summary: ImportSummary) -> None:
        """The annotators' attributes as their profiles, for those that have none yet (the first one stays)."""
        wanted = {self._annotator_id(name): answers for name, answers in draft.annotator_profiles.items()}
        ids = [i for i in wanted if i not in self.profiled]
        self.profiled.update(ids)
        existing: set[int] = set()
        for start in range(0, len(ids), 500):  # bounded IN lists
            chunk = ids[start : start + 500]
            existing.update(self.conn.scalars(select(Profile.annotator_id).where(Profile.annotator_id.in_(chunk))))
        rows = [
            {"annotator_id": i, "answers": wanted[i], "consent_version": draft.profile_consent, "answered_at": self.imported_at}
            for i in ids
            if i not in existing
        ]
        if not rows:
            return
        if self.conn.dialect.name != "postgresql":
            self.conn.execute(insert(Profile), rows)
            return
        try:
            with self.conn.begin_nested():  # a savepoint: a refusal must not end the import's transaction
                self.conn.execute(insert(Profile), rows)
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != "42501":
                raise
            # On a team server a login adds only its own profile (store.access): keep the labels, say so.
            summary.warnings.append(
                f"{summary.path}: the attributes of {len(rows)} annotators were not stored: "
                "this login may not add profiles for others (import as the team's owner to keep them)"
            )

    def _find_annotators(self, names: list[str]) -> None:
        """Look up, and add, many pseudo-annotators at once: a ratings dataset has thousands of them."""
        missing = [n for n in dict.fromkeys(names) if n not in self.annotator_ids and n.strip()]
        if len(missing) < 50:
            return  # one by one (``_annotator_id``) is quick enough
        wanted = list(dict.fromkeys(n.strip() for n in missing))
        found = self._annotator_ids(wanted)
        new = [n for n in wanted if n not in found]
        if new:
            try:
                with self.conn.begin_nested():  # a twin made by another import meanwhile: the rest go one by one
                    self.conn.execute(insert(Annotator), [{"name": n, "role": "annotator"} for n in new])
                found |= self._annotator_ids(new)
            except IntegrityError:
                pass
        self.annotator_ids.update({n: found[n.strip()] for n in missing if n.strip() in found})

    def _annotator_ids(self, names: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(names), 500):  # bounded IN lists
            chunk = names[start : start + 500]
            found.update(self.conn.execute(select(Annotator.name, Annotator.id).where(Annotator.name.in_(chunk))).all())
        return found

    def _annotator_id(self, name: str) -> int:
        if name not in self.annotator_ids:
            self.annotator_ids[name] = ensure_annotator(self.conn, name)
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
