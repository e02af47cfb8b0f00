"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-25 03:45:04.605343
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "annotators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotators")),
        sa.UniqueConstraint("name", name=op.f("uq_annotators_name")),
    )
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("threads_added", sa.Integer(), nullable=False),
        sa.Column("comments_added", sa.Integer(), nullable=False),
        sa.Column("comments_skipped", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_batches_sha256"), ["sha256"], unique=False)

    op.create_table(
        "label_schemas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_label_schemas")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_label_schemas_name_version")),
    )
    op.create_table(
        "project_settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_settings")),
    )
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("dateline", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("image_credit", sa.Text(), nullable=True),
        sa.Column("article", sa.Text(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"], name=op.f("fk_threads_batch_id_import_batches")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_threads")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_threads_content_hash")),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("author", sa.Text(), nullable=True),
        sa.Column("author_key", sa.String(length=16), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["comments.id"], name=op.f("fk_comments_parent_id_comments")),
        sa.ForeignKeyConstraint(["thread_id"], ["threads.id"], name=op.f("fk_comments_thread_id_threads")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("thread_id", "content_hash", name=op.f("uq_comments_thread_id_content_hash")),
        sa.UniqueConstraint("thread_id", "position", name=op.f("uq_comments_thread_id_position")),
    )
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comments_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("schema_id", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("undoes_id", sa.Integer(), nullable=True),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], name=op.f("fk_annotations_annotator_id_annotators")),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_annotations_comment_id_comments")),
        sa.ForeignKeyConstraint(["schema_id"], ["label_schemas.id"], name=op.f("fk_annotations_schema_id_label_schemas")),
        sa.ForeignKeyConstraint(["supersedes_id"], ["annotations.id"], name=op.f("fk_annotations_supersedes_id_annotations")),
        sa.ForeignKeyConstraint(["undoes_id"], ["annotations.id"], name=op.f("fk_annotations_undoes_id_annotations")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_annotations_supersedes_id")),
        sa.UniqueConstraint("undoes_id", name=op.f("uq_annotations_undoes_id")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annotations_annotator_id"), ["annotator_id"], unique=False)
        batch_op.create_index("ix_annotations_comment_annotator", ["comment_id", "annotator_id", "id"], unique=False)

    op.create_table(
        "quote_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_comment_id", sa.Integer(), nullable=True),
        sa.Column("source_start", sa.Integer(), nullable=True),
        sa.Column("source_end", sa.Integer(), nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_quote_spans_comment_id_comments")),
        sa.ForeignKeyConstraint(["source_comment_id"], ["comments.id"], name=op.f("fk_quote_spans_source_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_spans")),
    )
    with op.batch_alter_table("quote_spans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quote_spans_comment_id"), ["comment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_quote_spans_source_comment_id"), ["source_comment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("quote_spans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quote_spans_source_comment_id"))
        batch_op.drop_index(batch_op.f("ix_quote_spans_comment_id"))

    op.drop_table("quote_spans")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_annotations_comment_annotator")
        batch_op.drop_index(batch_op.f("ix_annotations_annotator_id"))

    op.drop_table("annotations")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_parent_id"))

    op.drop_table("comments")
    op.drop_table("threads")
    op.drop_table("project_settings")
    op.drop_table("label_schemas")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_batches_sha256"))

    op.drop_table("import_batches")
    op.drop_table("annotators")
