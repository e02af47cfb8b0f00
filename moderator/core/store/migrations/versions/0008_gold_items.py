"""gold items: comments with known answers, handed out blind among the others to check each person

Revision ID: 0008
Revises: 0007

- gold_items: a comment and its reference answers, imported from a file (its thread is held out of the
  queue: threads.source = 'gold') or promoted from a reviewer's gold label; only leads read or add them.
- On PostgreSQL, two functions that run with the owner's rights, so an annotator's login can be handed
  a gold item, and told its answer afterwards when the project says so, without reading the table:
  moderator_take_gold(annotator, lease minutes) leases the caller's due gold item and returns its id
  (a login always acts as itself); moderator_gold_feedback(annotator, comment) returns the reference answers
  of a gold item the caller has answered, when the project's gold_feedback setting is on.
- The guards of 0005/0006: a gold item takes no slot of the overlap k (everyone may answer it once).

When an item is due is the rule of ``core.labelling.gold_handout`` (the SQLite side), written here again
for PostgreSQL: the person's (g+1)-th gold item comes once they have answered
(every - 1) * g + offset(g) other comments, where offset(g) in [0, every - 1) is a hash of person and g,
so items come about one in ``every`` but not at a countable place.
"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

GOLD_DUE = """
CREATE OR REPLACE FUNCTION moderator_take_gold(p_annotator integer, p_minutes integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  me integer := COALESCE((SELECT id FROM annotators WHERE login = session_user), p_annotator);
  every integer := moderator_setting_int('gold_every', 0);
  done_gold bigint;
  done_other bigint;
  chosen integer;
BEGIN
  IF every < 2 OR EXISTS (SELECT 1 FROM assignments s JOIN gold_items g ON g.comment_id = s.comment_id
                          WHERE s.annotator_id = me AND s.expires_at > now()) THEN
    RETURN NULL;  -- no gold in this project, or one is on the person's screen already
  END IF;
  SELECT count(DISTINCT a.comment_id) INTO done_gold FROM annotations a JOIN gold_items g ON g.comment_id = a.comment_id
   WHERE a.annotator_id = me AND a.action <> 'import';
  SELECT count(DISTINCT a.comment_id) INTO done_other FROM annotations a
   WHERE a.annotator_id = me AND a.action = 'submit' AND a.status = 'submitted'
     AND NOT EXISTS (SELECT 1 FROM gold_items g WHERE g.comment_id = a.comment_id);
  IF done_other < (every - 1) * done_gold + ((me::bigint * 7919 + done_gold * 104729) % 9973) % (every - 1) THEN
    RETURN NULL;
  END IF;
  SELECT g.comment_id INTO chosen FROM gold_items g
   WHERE NOT EXISTS (SELECT 1 FROM annotations a WHERE a.comment_id = g.comment_id AND a.annotator_id = me)
   ORDER BY (g.comment_id::bigint * 2654435761 + me::bigint * 40503) % 4294967291, g.comment_id LIMIT 1;
  IF chosen IS NULL THEN
    RETURN NULL;
  END IF;
  INSERT INTO assignments (comment_id, annotator_id, claimed_at, expires_at)
  VALUES (chosen, me, now(), now() + make_interval(mins => p_minutes))
  ON CONFLICT (comment_id, annotator_id) DO UPDATE SET claimed_at = EXCLUDED.claimed_at, expires_at = EXCLUDED.expires_at;
  RETURN chosen;
END $$;
"""

GOLD_FEEDBACK = """
CREATE OR REPLACE FUNCTION moderator_gold_feedback(p_annotator integer, p_comment integer) RETURNS json
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT g."values" FROM gold_items g
   WHERE g.comment_id = p_comment
     AND EXISTS (SELECT 1 FROM project_settings WHERE key = 'gold_feedback' AND (value #>> '{{}}') = 'true')
     AND EXISTS (SELECT 1 FROM annotations a
                 WHERE a.comment_id = p_comment AND a.status = 'submitted' AND a.action = 'submit'
                   AND a.annotator_id = COALESCE((SELECT id FROM annotators WHERE login = session_user), p_annotator))
$$;
"""

GOLD_EXEMPT = "NOT EXISTS (SELECT 1 FROM gold_items g WHERE g.comment_id = NEW.comment_id) AND "
SLOT_CHECK = "moderator_slots_taken(NEW.comment_id, NEW.annotator_id) >= moderator_setting_int('overlap', {overlap})"


def _previous(name: str):
    """An earlier revision's module, read from its file (revision files are not importable by name)."""
    path = Path(__file__).with_name(name)
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _guards(exempt: bool) -> tuple[str, str]:
    """0006's annotation guard and 0005's lease guard, with or without gold items' exemption from k."""
    annotation, lease = _previous("0006_client_ids.py").GUARD_ANNOTATION, _previous("0005_database_guards.py").GUARD_LEASE
    if exempt:
        assert annotation.count("AND " + SLOT_CHECK) == 1 and lease.count("OR " + SLOT_CHECK) == 1
        annotation = annotation.replace("AND " + SLOT_CHECK, "AND " + GOLD_EXEMPT + SLOT_CHECK)
        lease = lease.replace("OR " + SLOT_CHECK, "OR (" + GOLD_EXEMPT + SLOT_CHECK + ")")
    return annotation, lease


def _schema() -> str:
    return op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()


def upgrade() -> None:
    op.create_table(
        "gold_items",
        sa.Column("comment_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('file', 'review')", name=op.f("ck_gold_items_source")),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"], name=op.f("fk_gold_items_comment_id_comments")),
        sa.ForeignKeyConstraint(["added_by"], ["annotators.id"], name=op.f("fk_gold_items_added_by_annotators")),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_gold_items")),
    )
    # The queue leaves out a gold file's threads (threads.source = 'gold'): a seek, never a scan.
    op.create_index("ix_threads_source", "threads", ["source"])
    if op.get_bind().dialect.name != "postgresql":
        return
    values = {"schema": _schema(), "overlap": 1, "lease": 30}
    annotation, lease = _guards(exempt=True)
    for statement in (GOLD_DUE, GOLD_FEEDBACK, annotation, lease):
        op.execute(statement.format(**values))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        values = {"schema": _schema(), "overlap": 1, "lease": 30}
        for statement in _guards(exempt=False):
            op.execute(statement.format(**values))
        op.execute("DROP FUNCTION IF EXISTS moderator_gold_feedback(integer, integer)")
        op.execute("DROP FUNCTION IF EXISTS moderator_take_gold(integer, integer)")
    op.drop_table("gold_items")
    op.drop_index("ix_threads_source", "threads")
