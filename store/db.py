"""Engines and the schema of the read model (SQLite embedded, PostgreSQL in production).

The schema is whatever the Alembic migrations in `migrations/` make of it, on SQLite as on
PostgreSQL: `create_schema` runs `alembic upgrade head` on the engine it is given, and every
process calls it at start (a no-op once the database is at head). `python3 manage.py migrate`
does the same as a one-off, for deployments that migrate before rolling out.
"""

from __future__ import annotations

import fcntl
import importlib
import pkgutil
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, event, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import SQLModel, create_engine

import store
from core.logging import configure_logging
from core.settings import Settings, get_settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The worker and the API write the same file: WAL lets readers run beside a writer, and
    # the busy timeout makes a writer wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(
    database_url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_timeout: float = 30.0,
) -> Engine:
    """An engine whose pool holds `pool_size` connections plus `max_overflow` more under load;
    a checkout waits at most `pool_timeout` seconds, then raises sqlalchemy's TimeoutError
    (the API answers it with 503)."""
    url = make_url(database_url)
    pool: dict[str, Any] = {
        "pool_size": pool_size,
        "max_overflow": max_overflow,
        "pool_timeout": pool_timeout,
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False}, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # JIT off: PostgreSQL compiles any statement its planner costs above `jit_above_cost`,
    # and the board's index-only counts over a large table cost that on paper while taking a
    # few milliseconds; the compile then took longer than the query (BENCHMARKS.md §3).
    return create_engine(
        database_url, pool_pre_ping=True, connect_args={"options": "-c jit=off"}, **pool
    )


def engine_for(settings: Settings) -> Engine:
    return make_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )


def table_metadata() -> MetaData:
    """Every table of the read model: imports each module of `store`, so a table module added
    there is seen by autogenerate and by the schema test without being listed anywhere."""
    for module in pkgutil.iter_modules(store.__path__):
        importlib.import_module(f"store.{module.name}")
    return SQLModel.metadata


@lru_cache
def _script() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def alembic_config(connection: Connection | None = None) -> Config:
    """The Alembic configuration without an ini file; env.py migrates `connection` if given,
    else the database of the settings."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_revisions(connection: Connection) -> set[str]:
    # Read directly rather than through a MigrationContext, which logs at every start.
    if not inspect(connection).has_table("alembic_version"):
        return set()
    return {
        str(v)
        for v in connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    }


def at_head(connection: Connection) -> bool:
    return current_revisions(connection) == set(_script().get_heads())


def create_schema(engine: Engine) -> None:
    """`alembic upgrade head` on `engine`. A database the application created before it had
    migrations (tables, no version) is first stamped with the baseline (see env.py)."""
    with engine.connect() as conn:
        if at_head(conn):
            return
    with _sqlite_file_lock(engine):
        # One transaction for all of it: on PostgreSQL a half-run upgrade leaves nothing
        # behind, and env.py's advisory lock is held until the commit.
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "head")


@contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """The embedded stack starts the worker and the API at once on a new file: SQLite runs
    DDL outside transactions, so the second would find half the tables made by the first.
    A lock file beside the database serialises them (PostgreSQL locks in env.py instead)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def main() -> None:
    """`python3 manage.py migrate`: the configured database to the latest migration."""
    settings = get_settings()
    configure_logging(settings.log_format, settings.log_level)
    engine = engine_for(settings)
    try:
        create_schema(engine)
        with engine.connect() as conn:
            current = sorted(current_revisions(conn))
    finally:
        engine.dispose()
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    print(f"{database}: at migration {', '.join(current)} (head)")


if __name__ == "__main__":
    main()
