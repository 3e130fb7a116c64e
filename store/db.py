"""Engines and sessions for the read model (SQLite embedded, PostgreSQL in production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel, create_engine

from store import calendar, tables  # noqa: F401  (registers the tables on SQLModel.metadata)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The worker and the API write the same file: WAL lets readers run beside a writer, and
    # the busy timeout makes a writer wait for the lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(database_url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(database_url, pool_pre_ping=True)


def create_schema(engine: Engine) -> None:
    SQLModel.metadata.create_all(engine)
