"""Case numbers and the idempotency of case creation."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from domain.common import CST
from store.tables import CaseCounterRecord, CaseRequestRecord

CASE_PREFIXES = {"wage_arrears": "WA", "dispute": "MA", "insurance_transfer": "SI"}


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request."""


def _next_number(conn: Connection, prefix: str, year: int) -> int:
    table = CaseCounterRecord.__table__  # type: ignore[attr-defined]
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values(prefix=prefix, year=year, last=1)
        .on_conflict_do_update(
            index_elements=[table.c.prefix, table.c.year], set_={"last": table.c.last + 1}
        )
        .returning(table.c.last)
    )
    return int(conn.execute(stmt).scalar_one())


def allocate_case_id(conn: Connection, kind: str, now: datetime | None = None) -> str:
    prefix = CASE_PREFIXES[kind]
    year = (now or datetime.now(UTC)).astimezone(CST).year
    return f"{prefix}-{year}-{_next_number(conn, prefix, year):06d}"


def claim_case_id(engine: Engine, kind: str, key: str | None, fingerprint: str) -> tuple[str, bool]:
    """The case id for a create request, and whether this request is the first with its key."""
    table = CaseRequestRecord.__table__  # type: ignore[attr-defined]
    if key is None:
        with engine.begin() as conn:
            return allocate_case_id(conn, kind), True
    for _ in range(3):
        with engine.begin() as conn:
            row = conn.execute(
                select(table.c.case_id, table.c.fingerprint).where(
                    table.c.kind == kind, table.c.key == key
                )
            ).first()
            if row is not None:
                if row.fingerprint != fingerprint:
                    raise IdempotencyKeyReused(key)
                return str(row.case_id), False
        try:
            with engine.begin() as conn:
                case_id = allocate_case_id(conn, kind)
                conn.execute(
                    table.insert().values(
                        kind=kind,
                        key=key,
                        fingerprint=fingerprint,
                        case_id=case_id,
                        created_at=datetime.now(UTC),
                    )
                )
            return case_id, True
        except IntegrityError:
            # A concurrent request with the same key won; read what it claimed.
            continue
    raise RuntimeError("could not claim a case id")
