"""Alembic environment: runs on the connection handed over by moderator.core.store.migrate."""

from alembic import context

from moderator.core.store.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # the alembic command line: use the URL given with -x db=...
    from moderator.core.store.engine import make_engine, resolve_url

    engine = make_engine(resolve_url(context.get_x_argument(as_dictionary=True).get("db")))
    connection = engine.connect()

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
