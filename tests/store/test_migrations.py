"""The schema is the migrations' (on SQLite, and on PostgreSQL with TEST_DATABASE_URL): they
build every table the models declare, exactly; a database made before migrations existed is
taken over; running them again changes nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from store.db import (
    _script,
    alembic_config,
    at_head,
    create_schema,
    current_revisions,
    make_engine,
    table_metadata,
)
from tests.databases import fresh_database


@pytest.fixture
def empty(tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(tmp_path, migrated=False) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, table_metadata()))


def test_the_migrated_schema_is_the_models_schema(empty: Engine) -> None:
    create_schema(empty)

    # A model changed without a migration fails here: write one (see docs/testing.md).
    assert differences(empty) == []
    with empty.connect() as conn:
        assert at_head(conn)
        assert current_revisions(conn) == set(_script().get_heads())


def test_a_second_run_changes_nothing(empty: Engine) -> None:
    create_schema(empty)
    with empty.begin() as conn:
        conn.execute(text("INSERT INTO case_counters (prefix, year, last) VALUES ('WA', 2026, 7)"))

    create_schema(empty)

    with empty.connect() as conn:
        assert conn.execute(text("SELECT last FROM case_counters")).scalar_one() == 7


def test_a_database_made_by_create_all_before_migrations_is_taken_over(empty: Engine) -> None:
    # The baseline's schema, as create_all made it, with a row in it and no version table.
    with empty.begin() as conn:
        command.upgrade(alembic_config(conn), "0001")
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("INSERT INTO case_counters (prefix, year, last) VALUES ('WA', 2026, 3)"))

    create_schema(empty)

    assert differences(empty) == []
    with empty.connect() as conn:
        assert conn.execute(text("SELECT last FROM case_counters")).scalar_one() == 3


def test_every_migration_goes_down_and_up_again(empty: Engine) -> None:
    create_schema(empty)
    with empty.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(empty).get_table_names()) <= {"alembic_version"}

    create_schema(empty)
    assert differences(empty) == []


def test_the_board_indexes_are_there(empty: Engine) -> None:
    create_schema(empty)
    names = {i["name"] for i in inspect(empty).get_indexes("deadlines")}
    assert {"ix_deadlines_board", "ix_deadlines_county_board", "ix_deadlines_order"} <= names
    names = {i["name"] for i in inspect(empty).get_indexes("cases")}
    assert "ix_cases_county_status" in names


def test_processes_starting_at_once_migrate_once(empty: Engine) -> None:
    # The worker and the API start together on a new database: each runs the migrations;
    # one waits for the other (an advisory lock on PostgreSQL, a lock file on SQLite).
    # Processes, not threads: Alembic's context is one per process.
    url = empty.url.render_as_string(hide_password=False)
    # Each imports everything first, then waits for the word to go, so the two migrations
    # overlap instead of following each other by the import time.
    code = (
        "import sys; from store.db import create_schema, make_engine; "
        "engine = make_engine(sys.argv[1]); sys.stdin.readline(); create_schema(engine)"
    )
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", code, url],
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for start in starts:
        assert start.stdin is not None
        start.stdin.write("go\n")
        start.stdin.flush()
    errors = [start.communicate(timeout=60)[1] for start in starts]

    assert [start.returncode for start in starts] == [0, 0], [e[-2000:] for e in errors]
    assert differences(empty) == []
