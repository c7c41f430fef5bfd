"""Alembic environment for the trucewatch store.

Run through :func:`trucewatch.store.engine.migrate`, which hands an open connection in
``config.attributes["connection"]``; the ``alembic`` command line works too with
``-x url=...``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from trucewatch.store import spatial
from trucewatch.store.schema import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=spatial.include_object,  # the PostGIS columns of 0014 are not in schema
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url"
    )
    if not url:
        raise SystemExit("give the database URL: alembic -x url=... upgrade head")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
