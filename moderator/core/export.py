"""Export comments with their context, quotes and current labels as JSONL or CSV, paged by key."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import IO, Any

from sqlalchemy import Engine, func, select, tuple_

from .accounts import Account
from .labels import current_rows_clause
from .review import aggregate, gold_labels
from .models import Annotation, Annotator, Comment, QuoteSpan, Thread

FORMATS = ("jsonl", "csv")
PAGE = 2000
CSV_FIELDS = (
    "thread_id", "thread_title", "comment_id", "external_id", "parent_id", "position", "depth",
    "author", "author_key", "text", "quotes", "annotations", "majority", "soft_labels", "gold",
)  # fmt: skip
NESTED = ("quotes", "annotations", "majority", "soft_labels", "gold")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def iter_records(
    engine: Engine, progress: Callable[[float], None] | None = None, viewer: Account | None = None
) -> Iterator[dict[str, Any]]:
    """One record per comment in thread order; keyset pages on (thread_id, position), never OFFSET.

    ``viewer``: an annotator gets only their own labels (blind labelling); a reviewer, an admin or no
    viewer at all (a solo project's own file) gets everyone's, with majority, soft labels and gold.
    """
    sees_all = viewer is None or viewer.sees_all
    with engine.connect() as conn:
        total = conn.scalar(select(func.count()).select_from(Comment)) or 0
        titles: dict[int, str | None] = {}
        done, after = 0, (-1, -1)
        while True:
            page = conn.execute(
                select(Comment)
                .where(tuple_(Comment.thread_id, Comment.position) > tuple_(*after))
                .order_by(Comment.thread_id, Comment.position)
                .limit(PAGE)
            ).all()
            if not page:
                break
            ids = [c.id for c in page]
            quotes = defaultdict(list)
            for q in conn.execute(select(QuoteSpan).where(QuoteSpan.comment_id.in_(ids)).order_by(QuoteSpan.start)):
                quotes[q.comment_id].append(
                    {"start": q.start, "end": q.end, "source": q.source, "comment_id": q.source_comment_id}
                )
            labels = defaultdict(list)
            query = (
                select(Annotation, Annotator.name)
                .join(Annotator, Annotator.id == Annotation.annotator_id)
                .where(Annotation.comment_id.in_(ids), current_rows_clause())
                .order_by(Annotation.id)
            )
            if not sees_all:
                query = query.where(Annotation.annotator_id == viewer.id)
            for a in conn.execute(query):
                labels[a.comment_id].append(
                    {
                        "annotator": a.name,
                        "values": a.values,
                        "spans": a.spans,
                        "status": a.status,
                        "submitted_at": _iso(a.submitted_at),
                        "duration_ms": a.duration_ms,
                    }
                )
            gold = gold_labels(conn, ids) if sees_all else {}
            missing = {c.thread_id for c in page} - titles.keys()
            if missing:
                titles.update((r.id, r.title) for r in conn.execute(select(Thread.id, Thread.title).where(Thread.id.in_(missing))))
            for c in page:
                record = {
                    "thread_id": c.thread_id,
                    "thread_title": titles[c.thread_id],
                    "comment_id": c.id,
                    "external_id": c.external_id,
                    "parent_id": c.parent_id,
                    "position": c.position,
                    "depth": c.depth,
                    "author": c.author,
                    "author_key": c.author_key,
                    "text": c.text,
                    "created_at": _iso(c.created_at),
                    "quotes": quotes.get(c.id, []),
                    "annotations": labels.get(c.id, []),
                }
                if sees_all:
                    submitted = [a["values"] for a in record["annotations"] if a["status"] == "submitted"]
                    record["majority"], record["soft_labels"] = aggregate(submitted)
                    record["gold"] = gold.get(c.id)
                yield record
            done += len(page)
            if progress and total:
                progress(done / total)
            last = page[-1]
            after = (last.thread_id, last.position)


def write_export(
    engine: Engine, out: IO[str], fmt: str, progress: Callable[[float], None] | None = None, viewer: Account | None = None
) -> int:
    """Write every comment to ``out``; returns the number of records."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    count = 0
    if fmt == "jsonl":
        for record in iter_records(engine, progress, viewer):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
        return count
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for record in iter_records(engine, progress, viewer):
        # Nested values travel as JSON text in their cells, so no information is lost.
        for key in NESTED:
            if key in record:
                record[key] = json.dumps(record[key], ensure_ascii=False)
        writer.writerow(record)
        count += 1
    return count
