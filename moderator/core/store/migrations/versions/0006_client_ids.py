"""client ids: an answer made on a client carries an id of its own, so sending it again never adds a row

Revision ID: 0006
Revises: 0005

The app gives every answer (submit, skip, flag, undo, a reviewer's gold label) a random id when the annotator makes it and keeps
it in the outbox until the server has it. The server stores each id once: a resend finds the row already
there and changes nothing. On PostgreSQL the annotation trigger answers a resend before any other check
(its chain and slot were judged when it was first stored), after taking the comment's lock, so two
resends at the same moment store one row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# migration 0005's guard, with the resend rule first.
GUARD_ANNOTATION = """
CREATE OR REPLACE FUNCTION moderator_guard_annotation() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
  head_id integer;
  head_status text;
BEGIN
  IF NEW.action = 'import' THEN
    RETURN NEW;  -- labels carried in with a dataset: no chain, no slot (only leads may write them)
  END IF;
  -- One writer per comment at a time: the chain's head and the slot count cannot change under us.
  PERFORM 1 FROM comments WHERE id = NEW.comment_id FOR UPDATE;
  IF NEW.client_id IS NOT NULL AND EXISTS (SELECT 1 FROM annotations WHERE client_id = NEW.client_id) THEN
    RETURN NULL;  -- sent again: it is stored already, and nothing more is
  END IF;
  SELECT id, status INTO head_id, head_status FROM annotations
   WHERE comment_id = NEW.comment_id AND annotator_id = NEW.annotator_id ORDER BY id DESC LIMIT 1;
  IF NEW.supersedes_id IS DISTINCT FROM head_id THEN
    RAISE EXCEPTION 'an answer must follow its annotator''s current answer on comment %', NEW.comment_id
      USING ERRCODE = 'MD002';
  END IF;
  IF (NEW.action = 'undo') <> (NEW.undoes_id IS NOT NULL) OR (NEW.undoes_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM annotations u WHERE u.id = NEW.undoes_id AND u.comment_id = NEW.comment_id
        AND u.annotator_id = NEW.annotator_id AND u.action <> 'undo')) THEN
    RAISE EXCEPTION 'an undo takes back one of its annotator''s own answers on comment %', NEW.comment_id
      USING ERRCODE = 'MD002';
  END IF;
  IF NEW.status = 'submitted' AND head_status IS DISTINCT FROM 'submitted'
     AND NOT EXISTS (SELECT 1 FROM assignments s WHERE s.comment_id = NEW.comment_id
                     AND s.annotator_id = NEW.annotator_id AND s.expires_at > now())
     AND moderator_slots_taken(NEW.comment_id, NEW.annotator_id) >= moderator_setting_int('overlap', {overlap}) THEN
    RAISE EXCEPTION 'comment % has all the answers the project''s overlap asks for', NEW.comment_id
      USING ERRCODE = 'MD001';
  END IF;
  RETURN NEW;
END $$;
"""


def upgrade() -> None:
    op.add_column("annotations", sa.Column("client_id", sa.String(36), nullable=True))
    op.create_index("ix_annotations_client_id", "annotations", ["client_id"], unique=True)
    op.add_column("gold_labels", sa.Column("client_id", sa.String(36), nullable=True))
    op.create_index("ix_gold_labels_client_id", "gold_labels", ["client_id"], unique=True)
    if op.get_bind().dialect.name == "postgresql":
        schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
        op.execute(GUARD_ANNOTATION.format(schema=schema, overlap=1))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":  # 0005's guard again, read from its own file
        import importlib.util
        from pathlib import Path

        spec = importlib.util.spec_from_file_location("guards_0005", Path(__file__).with_name("0005_database_guards.py"))
        previous = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(previous)
        schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
        op.execute(previous.GUARD_ANNOTATION.format(schema=schema, overlap=1, lease=30))
    op.drop_index("ix_gold_labels_client_id", "gold_labels")
    op.drop_column("gold_labels", "client_id")
    op.drop_index("ix_annotations_client_id", "annotations")
    op.drop_column("annotations", "client_id")
