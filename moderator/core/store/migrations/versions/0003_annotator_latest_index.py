"""annotations: (annotator_id, id) index for an annotator's latest rows

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index("ix_annotations_annotator_id_id", ["annotator_id", "id"], unique=False)
        batch_op.drop_index("ix_annotations_annotator_id")


def downgrade() -> None:
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index("ix_annotations_annotator_id", ["annotator_id"], unique=False)
        batch_op.drop_index("ix_annotations_annotator_id_id")
