"""Counts for `moderator stats`."""

from __future__ import annotations

from sqlalchemy import Engine, func, select

from moderator.core.labelling.log import count_current
from moderator.core.store.tables import Annotation, Annotator, Comment, ImportBatch, Thread


def database_stats(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:

        def count(model) -> int:
            return conn.scalar(select(func.count()).select_from(model)) or 0

        return {
            "threads": count(Thread),
            "comments": count(Comment),
            "annotations": count_current(conn),  # labels in force
            "annotation_rows": count(Annotation),  # the whole append-only log
            "annotators": count(Annotator),
            "import_batches": count(ImportBatch),
        }
