"""Who may do what on a team server, said to PostgreSQL itself: group roles, grants, row-level security.

Every person has a login of their own (``core.team.logins``) that is a member of one of the database's
three group roles; what a group may touch is granted here, and which rows, by the policies below. The
tables' owner (who set the team up) is above them all, as PostgreSQL makes owners.

=============  ==========================================================================================
annotator      reads threads, comments, quotes, the schema, settings and model scores; reads and adds
               their own labels and leases only (the annotator is ``current_user``'s account); counts of
               slots in use through two views that show no one's labels; adds their own survey profile
               (once) and wellbeing check-ins, and reads neither back, only whether they answered
reviewer       an annotator's rights, plus every label and lease, the gold labels (adds their own) and
               gold items (an annotator is handed one, and told its answer, only through functions),
               the pseudonym key, imports (threads, comments, pseudo-annotators of datasets), the schema,
               settings and model scores, everyone's profiles and check-ins
admin          a reviewer's rights, plus changing and removing rows in every table except the two logs
=============  ==========================================================================================

No one but the owner may UPDATE, DELETE or TRUNCATE annotations or gold labels (migration 0005's
triggers), nor create objects, nor change these grants. ``apply`` is idempotent: setting up a team and
every later migration run it again, so new tables get their grants.
"""

from __future__ import annotations

import hashlib

from psycopg import sql
from sqlalchemy import Connection, text

GROUPS = ("annotator", "reviewer", "admin")
MAX_NAME = 63  # PostgreSQL's identifier length

# Tables by what the groups may do with them. Any table missing here is the owner's alone.
READ_BY_ALL = ("import_batches", "threads", "comments", "quote_spans", "label_schemas", "project_settings",
               "model_scores", "alembic_version", "answers_in_force", "lease_ends", "annotators",
               "profiles_done")  # fmt: skip
OWN_ROWS = ("annotations", "assignments")  # everyone, limited to their own rows by policies
# Everyone adds their own rows; only leads read them (who answered what, how people feel).
ADD_OWN_LEADS_READ = ("profiles", "checkins")
LEADS_WRITE = ("import_batches", "threads", "comments", "quote_spans", "label_schemas", "project_settings",
               "model_scores")  # fmt: skip
LEADS_ONLY = ("gold_labels", "project_secrets", "gold_items")
APPEND_ONLY = ("annotations", "gold_labels")


def group_role(database: str, group: str) -> str:
    """The group role of ``group`` for this database (roles are shared by the whole server)."""
    name = f"{database}_{group}s"
    if len(name.encode()) <= MAX_NAME:
        return name
    return f"moderator_{hashlib.sha256(database.encode()).hexdigest()[:16]}_{group}s"


def run_ddl(conn: Connection, template: str, **parts) -> None:
    """A statement that takes no bound parameters (roles, grants, policies) in the caller's transaction.

    Names and values reach it only through psycopg's composition: ``sql.Identifier`` and ``sql.Literal``
    quote them, so a name can never end the statement.
    """
    conn.connection.driver_connection.execute(sql.SQL(template).format(**parts))


def group_names(conn: Connection) -> dict[str, str]:
    """group → role name, for the connected database."""
    database = conn.scalar(text("SELECT current_database()"))
    return {group: group_role(database, group) for group in GROUPS}


def has_team_groups(conn: Connection) -> bool:
    """Was a team set up on this database (its group roles exist)?"""
    if conn.dialect.name != "postgresql":
        return False
    names = list(group_names(conn).values())
    return conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = ANY(:names)"), {"names": names}) == len(names)


def create_groups(conn: Connection) -> None:
    """The database's three group roles, made if missing (needs CREATEROLE)."""
    for name in group_names(conn).values():
        if not conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}):
            run_ddl(conn, "CREATE ROLE {name} NOLOGIN", name=sql.Identifier(name))


# Who the connected person is, for the policies. Invoker's rights: ``current_user`` is the login.
FUNCTIONS = (
    ("CREATE OR REPLACE FUNCTION moderator_me() RETURNS integer LANGUAGE sql STABLE SET search_path = {schema}, pg_temp "
     "AS $$ SELECT id FROM annotators WHERE login = current_user $$"),
    ("CREATE OR REPLACE FUNCTION moderator_is_lead() RETURNS boolean LANGUAGE sql STABLE SET search_path = {schema}, "
     "pg_temp AS $$ SELECT pg_has_role(current_user, {reviewer}, 'MEMBER') OR pg_has_role(current_user, {admin}, 'MEMBER') $$"),
    ("CREATE OR REPLACE FUNCTION moderator_is_admin() RETURNS boolean LANGUAGE sql STABLE SET search_path = {schema}, "
     "pg_temp AS $$ SELECT pg_has_role(current_user, {admin}, 'MEMBER') $$"),
    # A person whose one-time password was replaced clears their own flag, and nothing else.
    ("CREATE OR REPLACE FUNCTION moderator_password_changed() RETURNS void LANGUAGE sql SECURITY DEFINER "
     "SET search_path = {schema}, pg_temp AS $$ UPDATE annotators SET password_reset = false WHERE login = session_user $$"),
)  # fmt: skip

ME, LEAD, ADMIN = "(SELECT moderator_me())", "(SELECT moderator_is_lead())", "(SELECT moderator_is_admin())"

# (table, policy, command, USING, WITH CHECK). The subselects are evaluated once per statement.
POLICIES = (
    ("annotators", "read_self_or_lead", "SELECT", f"login = current_user OR {LEAD}", None),
    # Reviewers add the pseudo-annotators of imported datasets: no login, no role above annotator.
    ("annotators", "leads_add", "INSERT", None, f"{ADMIN} OR (login IS NULL AND role = 'annotator')"),
    ("annotators", "admins_change", "UPDATE", ADMIN, ADMIN),
    ("annotators", "admins_remove", "DELETE", ADMIN, None),
    ("annotations", "read_own_or_lead", "SELECT", f"annotator_id = {ME} OR {LEAD}", None),
    # One's own answers; leads also the labels an imported dataset carries, for its pseudo-annotators.
    ("annotations", "add_own", "INSERT", None,
     f"(annotator_id = {ME} AND action <> 'import') OR (action = 'import' AND {LEAD} AND NOT EXISTS "
     "(SELECT 1 FROM annotators p WHERE p.id = annotator_id AND p.login IS NOT NULL))"),
    ("assignments", "own_leases", "ALL", f"annotator_id = {ME}", f"annotator_id = {ME}"),
    ("assignments", "leads_read", "SELECT", LEAD, None),
    ("assignments", "admins_release", "DELETE", ADMIN, None),
    ("gold_labels", "leads_read", "SELECT", LEAD, None),
    ("gold_labels", "leads_decide", "INSERT", None, f"{LEAD} AND reviewer_id = {ME}"),
    # A profile once (the primary key) and check-ins, each as oneself; read by leads; erased by admins.
    ("profiles", "add_own", "INSERT", None, f"annotator_id = {ME}"),
    # Leads import datasets: their pseudo-annotators' attributes (no login: not a person of this team).
    ("profiles", "leads_import", "INSERT", None,
     f"{LEAD} AND consent_version LIKE 'imported:%' AND EXISTS "
     "(SELECT 1 FROM annotators p WHERE p.id = annotator_id AND p.login IS NULL)"),
    ("profiles", "leads_read", "SELECT", LEAD, None),
    ("profiles", "admins_remove", "DELETE", ADMIN, None),
    ("checkins", "add_own", "INSERT", None, f"annotator_id = {ME}"),
    ("checkins", "leads_read", "SELECT", LEAD, None),
    ("checkins", "admins_remove", "DELETE", ADMIN, None),
)  # fmt: skip

# (privileges, tables, groups) granted.
GRANTS = (
    ("SELECT", READ_BY_ALL, GROUPS),
    ("SELECT, INSERT", ("annotations",), GROUPS),
    ("SELECT, INSERT, UPDATE, DELETE", ("assignments",), GROUPS),
    ("SELECT, INSERT", LEADS_ONLY, ("reviewer", "admin")),
    ("INSERT, UPDATE, DELETE", LEADS_WRITE, ("reviewer", "admin")),
    ("INSERT", ("annotators",), ("reviewer", "admin")),
    ("UPDATE, DELETE", ("annotators", "project_secrets"), ("admin",)),
    ("DELETE", ("gold_items",), ("admin",)),
    ("INSERT", ADD_OWN_LEADS_READ, GROUPS),
    ("SELECT", ADD_OWN_LEADS_READ, ("reviewer", "admin")),
    ("DELETE", ADD_OWN_LEADS_READ, ("admin",)),
)


def _names(names) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(name) for name in names)


def apply(conn: Connection) -> None:
    """Grants and policies for the team of this database; run by the tables' owner (idempotent)."""
    create_groups(conn)
    groups = group_names(conn)
    everyone = _names(groups.values())
    database = sql.Identifier(conn.scalar(text("SELECT current_database()")))
    schema = sql.Identifier(conn.scalar(text("SELECT current_schema()")))
    # Nothing for the world: no connecting, no temporary objects, no objects of one's own.
    run_ddl(conn, "REVOKE ALL ON DATABASE {db} FROM PUBLIC", db=database)
    run_ddl(conn, "GRANT CONNECT ON DATABASE {db} TO {to}", db=database, to=everyone)
    run_ddl(conn, "REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC", schema=schema)
    run_ddl(conn, "GRANT USAGE ON SCHEMA {schema} TO {to}", schema=schema, to=everyone)
    for kind in ("TABLES", "SEQUENCES", "FUNCTIONS"):
        run_ddl(conn, "REVOKE ALL ON ALL {kind} IN SCHEMA {schema} FROM PUBLIC, {to}", kind=sql.SQL(kind), schema=schema,
                to=everyone)  # fmt: skip
    for template in FUNCTIONS:
        run_ddl(conn, template, schema=schema, reviewer=sql.Literal(groups["reviewer"]), admin=sql.Literal(groups["admin"]))
    run_ddl(
        conn,
        "GRANT EXECUTE ON FUNCTION moderator_me(), moderator_is_lead(), moderator_is_admin(), moderator_password_changed() "
        "TO {to}",
        to=everyone,
    )
    # Gold items (migration 0008): handed out and, when the project says so, explained to the person
    # who answered one, by functions with the owner's rights; the table itself is the leads'.
    run_ddl(conn, "GRANT EXECUTE ON FUNCTION moderator_take_gold(integer, integer), "
            "moderator_gold_feedback(integer, integer) TO {to}", to=everyone)  # fmt: skip
    for privileges, tables, to in GRANTS:
        run_ddl(conn, "GRANT {privileges} ON {tables} TO {to}", privileges=sql.SQL(privileges), tables=_names(tables),
                to=_names(groups[g] for g in to))  # fmt: skip
    run_ddl(conn, "GRANT USAGE ON SEQUENCE annotations_id_seq, assignments_id_seq, checkins_id_seq TO {to}", to=everyone)
    run_ddl(conn, "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {to}", schema=schema,
            to=_names((groups["reviewer"], groups["admin"])))  # fmt: skip
    for table in sorted({policy[0] for policy in POLICIES}):
        run_ddl(conn, "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY", table=sql.Identifier(table))
        existing = conn.scalars(text("SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table}).all()
        for name in existing:
            run_ddl(conn, "DROP POLICY {name} ON {table}", name=sql.Identifier(name), table=sql.Identifier(table))
    for table, name, command, using, check in POLICIES:
        using_clause = sql.SQL(" USING ({})").format(sql.SQL(using)) if using else sql.SQL("")
        check_clause = sql.SQL(" WITH CHECK ({})").format(sql.SQL(check)) if check else sql.SQL("")
        run_ddl(conn, "CREATE POLICY {name} ON {table} FOR {command}{using}{check}", name=sql.Identifier(name),
                table=sql.Identifier(table), command=sql.SQL(command), using=using_clause, check=check_clause)  # fmt: skip
