"""provenance: every label says how it was made; and profiles and check-ins of the people who label

Revision ID: 0007
Revises: 0006

A new annotation row carries what was on the annotator's screen when they answered (the thread context
shown or opened, a blur revealed, the model's hint and its value, time to the first key) and the
condition of an experiment it was made under: JSON, written once with the row (annotations are
append-only), null for rows made before this revision and for imported labels.

It also adds what issue 16 asks of the people who label (core.team.profiles, core.wellbeing.checkins):
- profiles: one row per person, the answers to the schema's optional survey and the consent version
  agreed to ("declined": no answers, not asked again), written once by the person themselves;
- checkins: one-tap "how are you?" moods (1-5) at a session's start, after a break and at its end;
- the view profiles_done: whether a person answered, which on PostgreSQL shows each login only its own
  row (team servers let annotators add these rows but never read them: store.access).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# On PostgreSQL the view answers for the connected login alone (the owner and one-person databases,
# whose accounts have no login, see every row); SQLite has no logins.
PROFILES_DONE = {
    "postgresql": "CREATE VIEW profiles_done AS SELECT p.annotator_id FROM profiles p "
    "JOIN annotators a ON a.id = p.annotator_id WHERE a.login IS NULL OR a.login = current_user",
    "sqlite": "CREATE VIEW profiles_done AS SELECT annotator_id FROM profiles",
}


def upgrade() -> None:
    # A plain ADD/DROP COLUMN (as 0006 does): a batch copy of the table would trip over the views on it.
    op.add_column("annotations", sa.Column("provenance", sa.JSON(), nullable=True))
    op.create_table(
        "profiles",
        sa.Column("annotator_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("consent_version", sa.String(64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], name=op.f("fk_profiles_annotator_id_annotators")),
        sa.PrimaryKeyConstraint("annotator_id", name=op.f("pk_profiles")),
    )
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("moment", sa.String(16), nullable=False),
        sa.Column("mood", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mood BETWEEN 1 AND 5", name=op.f("ck_checkins_mood")),
        sa.CheckConstraint("moment IN ('start', 'after_break', 'end')", name=op.f("ck_checkins_moment")),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotators.id"], name=op.f("fk_checkins_annotator_id_annotators")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
    )
    op.create_index(op.f("ix_checkins_annotator_id"), "checkins", ["annotator_id"])
    op.execute(PROFILES_DONE[op.get_bind().dialect.name])


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS profiles_done")
    op.drop_index(op.f("ix_checkins_annotator_id"), "checkins")
    op.drop_table("checkins")
    op.drop_table("profiles")
    op.drop_column("annotations", "provenance")
