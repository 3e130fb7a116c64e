"""Alembic's environment for the read model.

The application migrates through `store.db.create_schema`, which hands over a connection in
`config.attributes["connection"]`; from the command line the database is the one the settings
name (DATABASE_URL), never a URL in alembic.ini.
"""

from __future__ import annotations

import logging.config
from typing import Any

from alembic import context
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

from core.settings import get_settings
from store.db import engine_for, table_metadata

config = context.config
if config.config_file_name is not None:
    # The command line only: the application's own logging stays as configured.
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = table_metadata()

# The revision every database made by `create_all` before there were migrations matches.
BASELINE = "0001"
# pg_advisory_xact_lock key: any fixed 64-bit number, the same in every process.
MIGRATION_LOCK = 7_410_520_260_001


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations name plain SQLAlchemy types, not SQLModel's decorators, so they keep
    # working whatever SQLModel renames; the columns are the same in the database.
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.impl.length})"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        **kwargs,
    )


def run_migrations(connection: Connection) -> None:
    # SQLite cannot ALTER most things in place; batch mode copies the table instead.
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two processes starting at once (API and worker, or several of each) would both
            # see an old version and run the same DDL; the second now waits for the first's
            # commit and then finds the database at head. Released at commit.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        migration = context.get_context()
        if not migration.get_current_heads() and inspect(connection).has_table("cases"):
            # Tables without a version: made by `create_all` before migrations existed.
            migration.stamp(context.script, BASELINE)
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        _configure(url=get_settings().database_url, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = engine_for(get_settings())
    try:
        with engine.connect() as conn:
            run_migrations(conn)
            conn.commit()
    finally:
        engine.dispose()


main()
