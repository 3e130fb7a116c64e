"""INSERTs that take ON CONFLICT clauses, on SQLite as on PostgreSQL, and the counters built
on them (case numbers, notice document numbers)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine


def insert_into(bind: Connection | Engine, table: Any) -> Any:
    """An INSERT into `table` in the bind's dialect, so it takes `on_conflict_do_*`."""
    return insert_in(bind.dialect.name, table)


def insert_in(dialect: str, table: Any) -> Any:
    """The same for the dialect of that name: for a statement built once and kept."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def bump(conn: Connection, table: Any, **key: Any) -> int:
    """Raises the counter row `key` names by one (a new row starts at 1) and returns it: one
    statement, so two writers never get the same number."""
    stmt = (
        insert_into(conn, table)
        .values(**key, last=1)
        .on_conflict_do_update(
            index_elements=[table.c[name] for name in key], set_={"last": table.c.last + 1}
        )
        .returning(table.c.last)
    )
    return int(conn.execute(stmt).scalar_one())


def raise_to(conn: Connection, table: Any, last: int, **key: Any) -> None:
    """Raises the counter row `key` names to `last` if it is lower (a missing row is made), so
    the next `bump` gives a number past it: one statement, so writers restoring the same
    counter at once (a rebuild's concurrent cases) neither collide nor lower it."""
    stmt = insert_into(conn, table).values(**key, last=last)
    bigger = func.greatest if conn.dialect.name == "postgresql" else func.max
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[table.c[name] for name in key],
            set_={"last": bigger(table.c.last, stmt.excluded.last)},
        )
    )
