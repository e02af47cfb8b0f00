"""database guards: logins on accounts, a secrets table, slot-count views, and (PostgreSQL) triggers that
keep the label log append-only and the overlap k whoever connects

Revision ID: 0005
Revises: 0004

The triggers are the database's own copy of the rules the app follows, so they hold for any SQL client:
- annotations, gold_labels: no UPDATE, DELETE or TRUNCATE except by the tables' owner;
- annotations: a new row continues its own (comment, annotator) chain, and a new submission needs a
  free slot under k (or the annotator's own live lease);
- assignments: a new or lapsed lease needs a free slot (else it is not stored); no lease runs longer than
  the project's length.
The SQLSTATEs they raise are named in ``moderator.core.store.guards``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# Read by the definer functions: a setting's whole number, or its default when missing or mistyped
# (the defaults of store.settings.ClaimSettings when this revision was written).
SETTING_INT = """
CREATE OR REPLACE FUNCTION moderator_setting_int(p_key text, p_default integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT COALESCE((
    SELECT (value #>> '{{}}')::integer FROM project_settings
    WHERE key = p_key AND json_typeof(value) = 'number' AND (value #>> '{{}}') ~ '^[1-9][0-9]{{0,8}}$'
  ), p_default)
$$;
"""

# Slots a comment has in use, seen from one annotator: others' answers in force plus others' live leases.
SLOTS_TAKEN = """
CREATE OR REPLACE FUNCTION moderator_slots_taken(p_comment integer, p_annotator integer) RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
  SELECT (SELECT count(*) FROM annotations a
          WHERE a.comment_id = p_comment AND a.annotator_id <> p_annotator AND a.status = 'submitted'
            AND a.action <> 'import' AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.supersedes_id = a.id))
       + (SELECT count(*) FROM assignments s
          WHERE s.comment_id = p_comment AND s.annotator_id <> p_annotator AND s.expires_at > now())
$$;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION moderator_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_user <> (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID) THEN
    RAISE EXCEPTION '% is append-only: a correction or an undo is a new row', TG_TABLE_NAME USING ERRCODE = 'MD003';
  END IF;
  IF TG_OP = 'DELETE' THEN
    RETURN OLD;
  END IF;
  RETURN NEW;
END $$;
"""

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

# A lease the rules do not allow is not stored (the trigger returns no row), so a claim costs one
# statement whatever happens: INSERT … ON CONFLICT DO UPDATE … RETURNING, and no row back means no slot.
GUARD_LEASE = """
CREATE OR REPLACE FUNCTION moderator_guard_lease() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
BEGIN
  NEW.expires_at := LEAST(NEW.expires_at, now() + make_interval(mins => moderator_setting_int('lease_minutes', {lease})));
  IF TG_OP = 'INSERT' AND EXISTS (SELECT 1 FROM assignments s
                                  WHERE s.comment_id = NEW.comment_id AND s.annotator_id = NEW.annotator_id) THEN
    RETURN NEW;  -- the pair has a lease row already: the unique key turns this into its update, judged below
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.expires_at > now() AND OLD.comment_id = NEW.comment_id
     AND OLD.annotator_id = NEW.annotator_id THEN
    RETURN NEW;  -- renewing a live lease takes no new slot
  END IF;
  -- Skip, not wait: a comment another transaction is claiming or answering is simply not free now.
  PERFORM 1 FROM comments WHERE id = NEW.comment_id FOR UPDATE SKIP LOCKED;
  IF NOT FOUND OR moderator_slots_taken(NEW.comment_id, NEW.annotator_id) >= moderator_setting_int('overlap', {overlap}) THEN
    RETURN NULL;  -- no free slot: nothing is stored
  END IF;
  RETURN NEW;
END $$;
"""

TRIGGERS = (
    "CREATE TRIGGER moderator_append_only_rows BEFORE UPDATE OR DELETE ON annotations "
    "FOR EACH ROW EXECUTE FUNCTION moderator_append_only()",
    "CREATE TRIGGER moderator_append_only_truncate BEFORE TRUNCATE ON annotations "
    "FOR EACH STATEMENT EXECUTE FUNCTION moderator_append_only()",
    "CREATE TRIGGER moderator_append_only_rows BEFORE UPDATE OR DELETE ON gold_labels "
    "FOR EACH ROW EXECUTE FUNCTION moderator_append_only()",
    "CREATE TRIGGER moderator_append_only_truncate BEFORE TRUNCATE ON gold_labels "
    "FOR EACH STATEMENT EXECUTE FUNCTION moderator_append_only()",
    "CREATE TRIGGER moderator_guard_annotation BEFORE INSERT ON annotations "
    "FOR EACH ROW EXECUTE FUNCTION moderator_guard_annotation()",
    "CREATE TRIGGER moderator_guard_lease BEFORE INSERT OR UPDATE ON assignments "
    "FOR EACH ROW EXECUTE FUNCTION moderator_guard_lease()",
)

# Views any annotator may read: how many slots are in use, never whose or with what answer.
ANSWERS_IN_FORCE = (
    "CREATE VIEW answers_in_force AS SELECT a.comment_id FROM annotations a "
    "WHERE a.status = 'submitted' AND a.action <> 'import' "
    "AND NOT EXISTS (SELECT 1 FROM annotations n WHERE n.supersedes_id = a.id)"
)
LEASE_ENDS = "CREATE VIEW lease_ends AS SELECT comment_id, expires_at FROM assignments"


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): annotators is referenced by foreign keys SQLite enforces.
    op.add_column("annotators", sa.Column("login", sa.String(63), nullable=True))
    op.add_column("annotators", sa.Column("password_reset", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_annotators_login", "annotators", ["login"], unique=True)
    op.create_table(
        "project_secrets",
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_project_secrets")),
    )
    # The pseudonym key leaves the settings every annotator may read.
    op.execute(
        "INSERT INTO project_secrets (key, value) SELECT key, value #>> '{}' FROM project_settings "
        "WHERE key = 'author_key_secret'"
        if op.get_bind().dialect.name == "postgresql"
        else "INSERT INTO project_secrets (key, value) SELECT key, json_extract(value, '$') FROM project_settings "
        "WHERE key = 'author_key_secret'"
    )
    op.execute("DELETE FROM project_settings WHERE key = 'author_key_secret'")
    op.execute(ANSWERS_IN_FORCE)
    op.execute(LEASE_ENDS)
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = op.get_bind().exec_driver_sql("SELECT quote_ident(current_schema())").scalar()
    values = {"schema": schema, "overlap": 1, "lease": 30}
    for statement in (SETTING_INT, SLOTS_TAKEN, APPEND_ONLY, GUARD_ANNOTATION, GUARD_LEASE):
        op.execute(statement.format(**values))
    for statement in TRIGGERS:
        op.execute(statement)


DROP_GUARDS = (
    "DROP TRIGGER IF EXISTS moderator_append_only_rows ON annotations",
    "DROP TRIGGER IF EXISTS moderator_append_only_truncate ON annotations",
    "DROP TRIGGER IF EXISTS moderator_append_only_rows ON gold_labels",
    "DROP TRIGGER IF EXISTS moderator_append_only_truncate ON gold_labels",
    "DROP TRIGGER IF EXISTS moderator_guard_annotation ON annotations",
    "DROP TRIGGER IF EXISTS moderator_guard_lease ON assignments",
    "DROP FUNCTION IF EXISTS moderator_guard_lease()",
    "DROP FUNCTION IF EXISTS moderator_guard_annotation()",
    "DROP FUNCTION IF EXISTS moderator_append_only()",
    "DROP FUNCTION IF EXISTS moderator_slots_taken(integer, integer)",
    "DROP FUNCTION IF EXISTS moderator_setting_int(text, integer)",
)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in DROP_GUARDS:
            op.execute(statement)
    op.execute("DROP VIEW IF EXISTS lease_ends")
    op.execute("DROP VIEW IF EXISTS answers_in_force")
    op.execute(
        "INSERT INTO project_settings (key, value) SELECT key, to_json(value) FROM project_secrets"
        if op.get_bind().dialect.name == "postgresql"
        else "INSERT INTO project_settings (key, value) SELECT key, json_quote(value) FROM project_secrets"
    )
    op.drop_table("project_secrets")
    op.drop_index("ix_annotators_login", "annotators")
    op.drop_column("annotators", "password_reset")
    op.drop_column("annotators", "login")
