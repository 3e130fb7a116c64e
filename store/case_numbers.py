"""Case numbers (a kind's prefix, the year, a counter) and the idempotency of case creation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from domain import kinds
from domain.common import CST
from store.tables import CaseCounterRecord, CaseRequestRecord
from store.upsert import bump, raise_to


class IdempotencyKeyReused(Exception):
    """The key was used before for a different request."""


class CaseNumberTaken(Exception):
    """The case number names another case of this kind in the county."""


def _next_number(conn: Connection, prefix: str, year: int) -> int:
    return bump(conn, CaseCounterRecord.__table__, prefix=prefix, year=year)  # type: ignore[attr-defined]


def allocate_case_id(conn: Connection, kind: str, now: datetime | None = None) -> str:
    prefix = kinds.named(kind).prefix
    year = (now or datetime.now(UTC)).astimezone(CST).year
    return f"{prefix}-{year}-{_next_number(conn, prefix, year):06d}"


def number_key(county_code: str, case_number: str) -> str:
    return f"case-number:{county_code}:{case_number}"


def claim_case_id(engine: Engine, kind: str, keys: list[str], fingerprint: str) -> tuple[str, bool]:
    """The case id for a create request, and whether this request is the first with its keys.

    `keys` are what make a request the same again (its case number in its county, its
    Idempotency-Key); any one of them already claimed names the case, and the others are
    claimed for it too, so a retry with either finds it."""
    table = CaseRequestRecord.__table__  # type: ignore[attr-defined]
    if not keys:
        with engine.begin() as conn:
            return allocate_case_id(conn, kind), True
    for _ in range(3):
        with engine.begin() as conn:
            rows = conn.execute(
                select(table.c.key, table.c.case_id, table.c.fingerprint).where(
                    table.c.kind == kind, table.c.key.in_(keys)
                )
            ).all()
        if rows:
            case_ids = {row.case_id for row in rows}
            if len(case_ids) > 1 or any(row.fingerprint != fingerprint for row in rows):
                numbered = any(row.key.startswith("case-number:") for row in rows)
                raise CaseNumberTaken(keys[0]) if numbered else IdempotencyKeyReused(keys[0])
            case_id = str(rows[0].case_id)
            missing = [key for key in keys if key not in {row.key for row in rows}]
            try:
                _claim(engine, table, kind, missing, fingerprint, case_id)
            except IntegrityError:
                continue
            return case_id, False
        try:
            with engine.begin() as conn:
                case_id = allocate_case_id(conn, kind)
                _insert(conn, table, kind, keys, fingerprint, case_id)
            return case_id, True
        except IntegrityError:
            # A concurrent request with the same key won; read what it claimed.
            continue
    raise RuntimeError("could not claim a case id")


def _claim(
    engine: Engine, table: Any, kind: str, keys: list[str], fingerprint: str, case_id: str
) -> None:
    if keys:
        with engine.begin() as conn:
            _insert(conn, table, kind, keys, fingerprint, case_id)


def _insert(
    conn: Connection, table: Any, kind: str, keys: list[str], fingerprint: str, case_id: str
) -> None:
    now = datetime.now(UTC)
    for key in keys:
        conn.execute(
            table.insert().values(
                kind=kind, key=key, fingerprint=fingerprint, case_id=case_id, created_at=now
            )
        )


def restore_case_numbers(engine: Engine, case_ids: list[str]) -> None:
    """Raises each kind's and year's counter to the highest case number Temporal knows."""
    highest: dict[tuple[str, int], int] = {}
    for case_id in case_ids:
        match = kinds.CASE_ID.fullmatch(case_id)
        if match and match.group(1) in kinds.BY_PREFIX:
            key = (match.group(1), int(match.group(2)))
            highest[key] = max(highest.get(key, 0), int(match.group(3)))
    table = CaseCounterRecord.__table__  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for (prefix, year), last in highest.items():
            raise_to(conn, table, last, prefix=prefix, year=year)
