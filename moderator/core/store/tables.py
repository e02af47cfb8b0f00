"""The database, as typed SQLAlchemy 2.0 models. Every change here needs an Alembic migration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ROLES = ("annotator", "reviewer", "admin")
# "retracted" marks an undone first submission: the pair (comment, annotator) has no current label.
# "late": an answer typed offline that reached the server after its comment had all k answers; kept
# with its values, counted in no slot, majority or agreement.
STATUSES = ("submitted", "skipped", "flagged", "retracted", "late")
# How a row came to be: a first answer, a changed answer, an undo that restores the one before, or a
# label carried in from a source (e.g. LeWiDi's per-annotator answers).
ACTIONS = ("submit", "edit", "undo", "import")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    path: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    threads_added: Mapped[int] = mapped_column(default=0)
    comments_added: Mapped[int] = mapped_column(default=0)
    comments_skipped: Mapped[int] = mapped_column(default=0)  # already present (same content hash)
    warnings: Mapped[list[Any]] = mapped_column(default=list)


class Thread(Base):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    source: Mapped[str] = mapped_column(String(32), index=True)  # importer name (GOLD_SOURCE: held out)
    external_id: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    dateline: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    image_credit: Mapped[str | None] = mapped_column(Text)
    article: Mapped[str] = mapped_column(Text, default="")
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        UniqueConstraint("thread_id", "position"),
        UniqueConstraint("thread_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # allocated in bulk on import
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    external_id: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0-based order within the thread
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author: Mapped[str | None] = mapped_column(Text)
    author_key: Mapped[str | None] = mapped_column(String(16))  # pseudonymous, stable per author name
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(64))
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)


class QuoteSpan(Base):
    """Characters [start, end) of a comment that repeat text of an earlier comment or the article."""

    __tablename__ = "quote_spans"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    source: Mapped[str] = mapped_column(String(16))  # "comment" | "article"
    source_comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    source_start: Mapped[int | None]
    source_end: Mapped[int | None]
    score: Mapped[float] = mapped_column(default=1.0)


class Annotator(Base):
    __tablename__ = "annotators"
    __table_args__ = (Index("ix_annotators_login", "login", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(16), default="annotator")
    # A one-person file's password (SQLite); on a team server the database checks passwords and this is None.
    password_hash: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The PostgreSQL login of this person on a team server (core.team.logins), else None.
    login: Mapped[str | None] = mapped_column(String(63))
    # Set with a one-time password: the person must choose their own before labelling.
    password_reset: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LabelSchemaRow(Base):
    """One version of a label schema; a changed definition is a new version, never an edit."""

    __tablename__ = "label_schemas"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int]
    definition: Mapped[dict[str, Any]]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Annotation(Base):
    """Append-only: an edit or an undo is a new row that supersedes the current one."""

    __tablename__ = "annotations"
    __table_args__ = (
        Index("ix_annotations_comment_annotator", "comment_id", "annotator_id", "id"),
        # An annotator's latest rows (resume, undo) as an index seek on PostgreSQL too.
        Index("ix_annotations_annotator_id_id", "annotator_id", "id"),
        Index("ix_annotations_client_id", "client_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"))
    schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    # Unique: a row is superseded at most once, so each (comment, annotator) history is one chain.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id"), unique=True)
    # For an undo row: the submit/edit row it takes back (each can be undone once).
    undoes_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id"), unique=True)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    spans: Mapped[list[Any]] = mapped_column(default=list)  # [{"start","end","question"}]
    status: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(8), default="submit")
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    duration_ms: Mapped[int | None]
    # Made by the app when the annotator answered (core.outbox): a resend of it is stored once.
    client_id: Mapped[str | None] = mapped_column(String(36))
    # How the label was made: what was on screen, the experiment's condition (core.labelling.provenance).
    provenance: Mapped[dict[str, Any] | None] = mapped_column(default=None)


class ProjectSetting(Base):
    """Project-wide settings shared by everyone on the database (active schema, ...)."""

    __tablename__ = "project_settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class ProjectSecret(Base):
    """Values annotators must never read (the pseudonym key); on a team server only leads may."""

    __tablename__ = "project_secrets"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Assignment(Base):
    """A lease: an annotator holds one of a comment's k slots until ``expires_at`` (renewed while shown)."""

    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("comment_id", "annotator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"), index=True)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class ModelScore(Base):
    """The assist model's probability that a comment is positive (e.g. toxic); one row per comment.

    ``uncertainty`` is |score - 0.5|, stored so that "most uncertain first" walks an index too; both
    indexes end in comment_id, which makes (value, comment_id) a unique keyset for claims.
    """

    __tablename__ = "model_scores"
    __table_args__ = (
        Index("ix_model_scores_score", "score", "comment_id"),
        Index("ix_model_scores_uncertainty", "uncertainty", "comment_id"),
    )

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True, autoincrement=False)
    score: Mapped[float]
    uncertainty: Mapped[float]
    model_version: Mapped[int]
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class GoldLabel(Base):
    """A reviewer's decision on a comment. Append-only: a new decision supersedes the previous one."""

    __tablename__ = "gold_labels"
    __table_args__ = (
        Index("ix_gold_labels_comment", "comment_id", "id"),
        Index("ix_gold_labels_client_id", "client_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"))
    schema_id: Mapped[int] = mapped_column(ForeignKey("label_schemas.id"))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    client_id: Mapped[str | None] = mapped_column(String(36))  # as on annotations: a resend is stored once


# Where a gold item came from: a file of comments with known answers (its thread is held out of the
# queue, threads.source = GOLD_SOURCE) or a reviewer's gold label promoted to a check.
GOLD_FROM = ("file", "review")
GOLD_SOURCE = "gold"  # threads.source of the threads a gold file brings in


class GoldItem(Base):
    """A comment with known answers, handed out blind about once in ``gold_every`` (migration 0008).

    Only leads read or add these rows; an annotator is handed one and, when the project says so, told
    its answers afterwards through two PostgreSQL functions that run with the owner's rights.
    """

    __tablename__ = "gold_items"
    __table_args__ = (CheckConstraint("source IN ('file', 'review')", name="source"),)

    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), primary_key=True, autoincrement=False)
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the reference answer per question
    source: Mapped[str] = mapped_column(String(16))  # one of GOLD_FROM
    added_by: Mapped[int | None] = mapped_column(ForeignKey("annotators.id"))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# The annotator-profile survey (issue 16): who answered, never shown to other annotators.
DECLINED = "declined"  # consent_version of a person who chose not to answer: no answers, never asked again


class Profile(Base):
    """One person's survey answers, written once by themselves; on a team server only leads read them."""

    __tablename__ = "profiles"

    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"), primary_key=True, autoincrement=False)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    consent_version: Mapped[str] = mapped_column(String(64))  # the consent text agreed to, or DECLINED
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


MOMENTS = ("start", "after_break", "end")  # when a wellbeing check-in is asked


class Checkin(Base):
    """A one-tap "how are you?" (1-5) at a session's start, after a break or at its end."""

    __tablename__ = "checkins"
    __table_args__ = (
        CheckConstraint("mood BETWEEN 1 AND 5", name="mood"),
        CheckConstraint("moment IN ('start', 'after_break', 'end')", name="moment"),
        # Annotators may add rows but not read them back: no RETURNING of the new id.
        {"implicit_returning": False},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"), index=True)
    moment: Mapped[str] = mapped_column(String(16))
    mood: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# Views (made by migration 0005) any annotator may read on a team server: how many slots a comment has
# in use, never whose they are or what was answered. Not part of the metadata's tables to create.
_views = MetaData()
answers_in_force = Table("answers_in_force", _views, Column("comment_id", Integer))
lease_ends = Table("lease_ends", _views, Column("comment_id", Integer), Column("expires_at", DateTime(timezone=True)))
# Migration 0007: whether a person answered the survey; on a team server each login sees only its own row.
profiles_done = Table("profiles_done", _views, Column("annotator_id", Integer))
