"""model_scores: a local model's probability per comment, indexed for score-ordered claims

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_scores",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("uncertainty", sa.Double(), nullable=False),
        sa.Column("model_version", sa.Integer(), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_model_scores_comment_id_comments")),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_model_scores")),
    )
    with op.batch_alter_table("model_scores", schema=None) as batch_op:
        batch_op.create_index("ix_model_scores_score", ["score", "comment_id"], unique=False)
        batch_op.create_index("ix_model_scores_uncertainty", ["uncertainty", "comment_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("model_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_model_scores_uncertainty")
        batch_op.drop_index("ix_model_scores_score")
    op.drop_table("model_scores")
