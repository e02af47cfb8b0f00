"""assignments and gold labels

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 04:19:40.745428
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], name=op.f("fk_assignments_annotator_id_annotators")),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_assignments_comment_id_comments")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint("comment_id", "annotator_id", name=op.f("uq_assignments_comment_id_annotator_id")),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignments_annotator_id"), ["annotator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_assignments_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "gold_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("schema_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_gold_labels_comment_id_comments")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["annotators.id"], name=op.f("fk_gold_labels_reviewer_id_annotators")),
        sa.ForeignKeyConstraint(["schema_id"], ["label_schemas.id"], name=op.f("fk_gold_labels_schema_id_label_schemas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gold_labels")),
    )
    with op.batch_alter_table("gold_labels", schema=None) as batch_op:
        batch_op.create_index("ix_gold_labels_comment", ["comment_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gold_labels", schema=None) as batch_op:
        batch_op.drop_index("ix_gold_labels_comment")

    op.drop_table("gold_labels")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignments_expires_at"))
        batch_op.drop_index(batch_op.f("ix_assignments_annotator_id"))

    op.drop_table("assignments")
