"""Labels as an append-only log: submit, edit and undo all add a row; nothing is updated or deleted.

The current label of (comment, annotator) is the row nothing supersedes, unless it is "retracted".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased

from moderator.core.labelling.claims import SlotTaken, slot_free
from moderator.core.labelling.provenance import clean_provenance
from moderator.core.schema.definition import (
    LabelError,
    LabelSchema,
    load_schema,
    schema_from_dict,
    validate_spans,
    validate_values,
)
from moderator.core.store.engine import insert_or_find, writer
from moderator.core.store.guards import BROKEN_CHAIN, SLOT_TAKEN, refused_with
from moderator.core.store.settings import active_schema_id, set_active_schema_id
from moderator.core.store.tables import Annotation, Assignment, Comment, LabelSchemaRow, utcnow

STATUSES = ("submitted", "skipped", "flagged")
# Why a comment was skipped, kept in the skipped row's values under a key no question may use: the skip
# declines the slot (the comment returns to the pool for others) and is never counted as a label.
SKIP_REASON_KEY = "_skip_reason"
SKIP_REASONS = ("wellbeing",)


@dataclass(frozen=True)
class Label:
    id: int
    comment_id: int
    annotator_id: int
    values: dict[str, Any]
    spans: list[dict[str, Any]]
    status: str
    submitted_at: datetime
    duration_ms: int | None


def _label(row: Annotation) -> Label:
    return Label(row.id, row.comment_id, row.annotator_id, row.values, row.spans, row.status, row.submitted_at, row.duration_ms)


def store_schema(conn: Connection, schema: LabelSchema) -> int:
    """The row id of this schema version, stored on first use; a changed definition needs a new version."""
    row = conn.execute(
        select(LabelSchemaRow.id, LabelSchemaRow.sha256).where(
            LabelSchemaRow.name == schema.name, LabelSchemaRow.version == schema.version
        )
    ).first()
    if row is not None:
        if row.sha256 != schema.sha256:
            raise LabelError(
                f"schema {schema.name!r} version {schema.version} is already in this database with a different "
                "definition; raise its version number to load the changed one"
            )
        return row.id
    return insert_or_find(
        conn,
        select(LabelSchemaRow.id).where(LabelSchemaRow.name == schema.name, LabelSchemaRow.version == schema.version),
        insert(LabelSchemaRow)
        .values(name=schema.name, version=schema.version, definition=schema.definition, sha256=schema.sha256)
        .returning(LabelSchemaRow.id),
    )


def activate_schema(engine: Engine, schema: LabelSchema) -> int:
    with writer(engine) as conn, conn.begin():
        schema_id = store_schema(conn, schema)
        set_active_schema_id(conn, schema_id)
    return schema_id


def active_schema(engine: Engine) -> tuple[int, LabelSchema]:
    """The project's label schema; the bundled default until a project loads its own."""
    with engine.connect() as conn:
        schema_id = active_schema_id(conn)
        if schema_id is not None:
            definition = conn.scalar(select(LabelSchemaRow.definition).where(LabelSchemaRow.id == schema_id))
            return schema_id, schema_from_dict(definition, f"database schema #{schema_id}")
    schema = load_schema()
    return activate_schema(engine, schema), schema


def _current_row(conn: Connection, comment_id: int, annotator_id: int) -> Annotation | None:
    # The newest row of the pair is the head of its chain: each row supersedes the one before.
    return conn.execute(
        select(Annotation)
        .where(Annotation.comment_id == comment_id, Annotation.annotator_id == annotator_id)
        .order_by(Annotation.id.desc())
        .limit(1)
    ).first()


def current_label(engine: Engine, comment_id: int, annotator_id: int) -> Label | None:
    with engine.connect() as conn:
        row = _current_row(conn, comment_id, annotator_id)
    if row is None or row.status == "retracted":
        return None
    return _label(row)


def submit(
    engine: Engine,
    comment_id: int,
    annotator_id: int,
    values: dict[str, Any] | None = None,
    spans: list[dict[str, Any]] | None = None,
    status: str = "submitted",
    started_at: datetime | None = None,
    duration_ms: int | None = None,
    client_id: str | None = None,
    late: bool = False,
    provenance: dict[str, Any] | None = None,
) -> Label:
    """Record an answer (or a skip/flag); a second answer for the same comment supersedes the first.

    ``client_id``, made when the annotator answered, makes sending it again harmless: an answer whose id
    is stored already is returned as stored, and nothing is added. ``late``: an answer from the outbox
    whose comment got all its k answers meanwhile is stored all the same, as status "late" (no slot).
    """
    if status not in STATUSES:
        raise LabelError(f"status must be one of {', '.join(STATUSES)}")
    if late and status == "submitted":
        status = "late"
    schema_id, schema = active_schema(engine)
    values = dict(values or {})
    reason = values.pop(SKIP_REASON_KEY, None)
    if reason is not None and (status != "skipped" or reason not in SKIP_REASONS):
        raise LabelError(f"{SKIP_REASON_KEY}: only a skip has a reason, one of {', '.join(SKIP_REASONS)}")
    clean = validate_values(schema, values, complete=status in ("submitted", "late"))
    facts = clean_provenance(provenance)
    if reason is not None:
        clean[SKIP_REASON_KEY] = reason
    with writer(engine) as conn, conn.begin():
        if client_id is not None and (stored := _sent_before(conn, client_id)) is not None:
            return _label(stored)
        text = conn.scalar(select(Comment.text).where(Comment.id == comment_id))
        if text is None:
            raise LabelError(f"no comment with id {comment_id}")
        clean_spans = validate_spans(schema, spans or [], len(text))
        previous = _current_row(conn, comment_id, annotator_id)
        _check_slot(conn, comment_id, annotator_id, previous, status)
        row = {
            "comment_id": comment_id,
            "annotator_id": annotator_id,
            "schema_id": schema_id,
            "supersedes_id": previous.id if previous else None,
            "values": clean,
            "spans": clean_spans,
            "status": status,
            "action": "edit" if previous and previous.status != "retracted" else "submit",
            "started_at": started_at,
            "submitted_at": utcnow(),
            "duration_ms": duration_ms,
            "client_id": client_id,
            "provenance": facts,
        }
        new_id = _append(conn, row)
        # The lease, if any, is spent: the slot is now this answer (or was declined by a skip/flag).
        conn.execute(delete(Assignment).where(Assignment.comment_id == comment_id, Assignment.annotator_id == annotator_id))
        return _label(conn.execute(select(Annotation).where(Annotation.id == new_id)).one())


def _check_slot(conn: Connection, comment_id: int, annotator_id: int, head: Annotation | None, status: str) -> None:
    """A row that makes the annotator's answer a submission again needs a free slot under k.

    SQLite: checked here, under the file's write lock. PostgreSQL: the database checks it when the row
    goes in (see ``_append``), so that no client can skip the check.
    """
    if status != "submitted" or (head is not None and head.status == "submitted") or conn.dialect.name != "sqlite":
        return
    if not slot_free(conn, comment_id, annotator_id):
        raise SlotTaken(comment_id)


def _sent_before(conn: Connection, client_id: str) -> Annotation | None:
    return conn.execute(select(Annotation).where(Annotation.client_id == client_id)).first()


def _append(conn: Connection, row: dict[str, Any]) -> int:
    """Insert a row of the log; the database's refusals (PostgreSQL's triggers) as LabelErrors.

    When the same answer was being stored at this very moment by another connection (a resend racing
    its first copy), PostgreSQL's trigger stores nothing: the id of the copy that is there is returned.
    """
    try:
        new_id = conn.scalar(insert(Annotation).values(**row).returning(Annotation.id))
        if new_id is None and row.get("client_id") is not None:
            stored = _sent_before(conn, row["client_id"])
            if stored is not None:
                return stored.id
        if new_id is None:
            raise LabelError(f"comment {row['comment_id']}: the answer was not stored; send it again")
        return new_id
    except DBAPIError as exc:
        if refused_with(exc, SLOT_TAKEN):
            raise SlotTaken(row["comment_id"]) from None
        if refused_with(exc, BROKEN_CHAIN):
            raise LabelError(
                f"comment {row['comment_id']}: your answer there changed meanwhile (another window?); reload it"
            ) from None
        raise


def skip_reason(label: Label) -> str | None:
    """Why a skipped label was skipped (e.g. "wellbeing"), or None."""
    return label.values.get(SKIP_REASON_KEY) if label.status == "skipped" else None


def undo_last(engine: Engine, annotator_id: int, client_id: str | None = None) -> tuple[int, Label | None] | None:
    """Undo the annotator's latest answer not yet undone, like an editor's undo across comments.

    The undo is a new row at the head of that comment's chain, restoring what the undone row replaced.
    Returns (comment id, the label now in force there or None), or None when there is nothing to undo.
    An undo sent again (the same ``client_id``) undoes nothing more.
    """
    undo = aliased(Annotation)
    with writer(engine) as conn, conn.begin():
        if client_id is not None and (stored := _sent_before(conn, client_id)) is not None:
            return stored.comment_id, (None if stored.status == "retracted" else _label(stored))
        target = conn.execute(
            select(Annotation)
            .where(
                Annotation.annotator_id == annotator_id,
                Annotation.action != "undo",
                ~select(undo.id).where(undo.undoes_id == Annotation.id).exists(),
            )
            .order_by(Annotation.id.desc())
            .limit(1)
        ).first()
        if target is None:
            return None
        head = _current_row(conn, target.comment_id, annotator_id)
        before = None
        if target.supersedes_id is not None:
            before = conn.execute(select(Annotation).where(Annotation.id == target.supersedes_id)).one()
        if before is not None and before.status == "retracted":
            before = None
        restored = {
            "comment_id": target.comment_id,
            "annotator_id": annotator_id,
            "schema_id": before.schema_id if before else target.schema_id,
            "supersedes_id": head.id,
            "undoes_id": target.id,
            "values": before.values if before else {},
            "spans": before.spans if before else [],
            "status": before.status if before else "retracted",
            "action": "undo",
            "started_at": before.started_at if before else None,
            "submitted_at": utcnow(),
            "duration_ms": before.duration_ms if before else None,
            "client_id": client_id,
            "provenance": before.provenance if before else None,
        }
        _check_slot(conn, target.comment_id, annotator_id, head, restored["status"])
        new_id = _append(conn, restored)
        row = conn.execute(select(Annotation).where(Annotation.id == new_id)).one()
    return target.comment_id, (None if row.status == "retracted" else _label(row))


def current_rows_clause():
    """A WHERE clause selecting the annotation rows in force: not superseded, not retracted."""
    newer = aliased(Annotation)
    return and_(
        Annotation.status != "retracted",
        ~select(newer.id).where(newer.supersedes_id == Annotation.id).exists(),
    )


def count_current(conn: Connection) -> int:
    return conn.scalar(select(func.count()).select_from(Annotation).where(current_rows_clause())) or 0
