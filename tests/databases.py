"""Read-model databases for tests: a SQLite file by default, or, when TEST_DATABASE_URL names a
PostgreSQL server (an admin URL: the role may CREATE DATABASE), a database of its own created
for the test or fixture scope and dropped afterwards.

Every test and fixture that needs a database gets its URL from `fresh_database`, so the whole
suite runs on either (`.ci/run` runs it on both).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from store.db import create_schema, make_engine


def server_url() -> URL | None:
    value = os.environ.get("TEST_DATABASE_URL", "").strip()
    return make_url(value) if value else None


def _execute(url: URL, *statements: str) -> None:
    # CREATE and DROP DATABASE refuse to run inside a transaction.
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


@lru_cache
def _template(server: URL) -> str:
    """A database migrated once per test run, copied for each test: a copy is much cheaper
    than running the migrations again (the migration tests ask for an empty one instead)."""
    name = f"test_template_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    _execute(server, f'CREATE DATABASE "{name}"')
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    try:
        create_schema(engine)
    finally:
        # CREATE DATABASE ... TEMPLATE needs the template to have no connections.
        engine.dispose()
    return name


def drop_templates() -> None:
    server = server_url()
    if server is None or _template.cache_info().currsize == 0:
        return
    _execute(server, f'DROP DATABASE IF EXISTS "{_template(server)}" WITH (FORCE)')
    _template.cache_clear()


@contextmanager
def fresh_database(directory: Path, *, migrated: bool = True) -> Iterator[str]:
    """The URL of a database no other test uses: `directory/cases.db` on SQLite, else a new
    PostgreSQL database, at the latest migration unless `migrated` is false (then empty)."""
    server = server_url()
    if server is None:
        url = f"sqlite:///{directory / 'cases.db'}"
        if migrated:
            engine = make_engine(url)
            create_schema(engine)
            engine.dispose()
        yield url
        return
    name = f"test_{uuid.uuid4().hex[:20]}"
    template = f' TEMPLATE "{_template(server)}"' if migrated else ""
    _execute(server, f'CREATE DATABASE "{name}"{template}')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        # FORCE: engines a test left open (the worker's, a harness's) hold connections.
        _execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
