"""The worker's window (docs/worker-window.md): one-time codes and the short sessions they open.

Nothing here is personal data in the clear: a code is kept as an HMAC of the code (never the
code), a mobile as an HMAC of the number, a session as the SHA-256 of its cookie. A challenge
is written the same way whether or not its case exists, so the table tells nobody which case
numbers are real; the worker it is for is filled in afterwards, only when the mobile matches
one on file.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from core.rows import from_attributes

# PUB-1: a code is valid 5 minutes and allows 5 tries; then the case and mobile are locked.
CODE_TTL = timedelta(minutes=5)
MAX_TRIES = 5
LOCK_FOR = timedelta(minutes=30)
# PUB-2: a session is short and bound to one case and one worker.
SESSION_TTL = timedelta(minutes=15)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every instant here is written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class PublicChallengeRecord(SQLModel, table=True):
    """One request for a code: a case number and a mobile's HMAC, the code's HMAC, its tries."""

    __tablename__ = "public_challenges"

    id_hash: str = Field(primary_key=True, max_length=64)
    case_id: str = Field(index=True, max_length=40)
    mobile_hash: str = Field(index=True, max_length=64)
    # Filled in by the lookup after the answer, when the mobile is one of the case's workers'.
    worker_no: int | None = None
    code_hash: str = Field(max_length=64)
    tries: int = 0
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime = Field(index=True)
    locked_until: datetime | None = None
    used_at: datetime | None = None


class PublicSessionRecord(SQLModel, table=True):
    """A worker's session: one case, one worker, a few minutes."""

    __tablename__ = "public_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    case_id: str = Field(max_length=40)
    worker_no: int
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime = Field(index=True)
    # PUB-4: the view is recorded in the case's history once per session.
    view_recorded: bool = False


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class Challenge:
    id: str
    case_id: str
    mobile_hash: str
    worker_no: int | None
    code_hash: str
    tries: int
    expires_at: datetime
    locked_until: datetime | None
    used: bool


def locked_until(engine: Engine, case_id: str, mobile_hash: str) -> datetime | None:
    """PUB-1: until when this case number and mobile may ask for no code, if locked now."""
    now = _now()
    with Session(engine) as session:
        found = session.exec(
            select(PublicChallengeRecord.locked_until).where(
                PublicChallengeRecord.case_id == case_id,
                PublicChallengeRecord.mobile_hash == mobile_hash,
                col(PublicChallengeRecord.locked_until).is_not(None),
            )
        ).all()
    until = [_aware(t) for t in found if t is not None and _aware(t) > now]
    return max(until) if until else None


def open_challenge(
    engine: Engine, challenge_id: str, case_id: str, mobile_hash: str, code_hash: str
) -> None:
    now = _now()
    _add_dropping(
        engine,
        PublicChallengeRecord(
            id_hash=hashed(challenge_id),
            case_id=case_id,
            mobile_hash=mobile_hash,
            code_hash=code_hash,
            created_at=now,
            expires_at=now + CODE_TTL,
        ),
        # Challenges long past are dropped on the way (a lock outlives its code, not a day).
        col(PublicChallengeRecord.expires_at) < now - timedelta(days=1),
    )


def _add_dropping(engine: Engine, record: SQLModel, dropped: ColumnElement[bool]) -> None:
    """Adds the record, and drops the rows of its table that `dropped` names (expired ones)
    in the same transaction."""
    with Session(engine) as session:
        session.exec(delete(type(record)).where(dropped))
        session.add(record)
        session.commit()


def bind_worker(engine: Engine, challenge_id: str, worker_no: int) -> None:
    with Session(engine) as session:
        session.exec(
            update(PublicChallengeRecord)
            .where(col(PublicChallengeRecord.id_hash) == hashed(challenge_id))
            .values(worker_no=worker_no)
        )
        session.commit()


def get_challenge(engine: Engine, challenge_id: str) -> Challenge | None:
    with Session(engine) as session:
        row = session.get(PublicChallengeRecord, hashed(challenge_id))
        if row is None:
            return None
        return from_attributes(
            Challenge,
            row,
            id=challenge_id,
            expires_at=_aware(row.expires_at),
            locked_until=_aware(row.locked_until) if row.locked_until else None,
            used=row.used_at is not None,
        )


def wrong_try(engine: Engine, challenge_id: str) -> int:
    """Counts a wrong code; the tries left (0: now locked for LOCK_FOR)."""
    now = _now()
    with Session(engine) as session:
        row = session.get(PublicChallengeRecord, hashed(challenge_id))
        if row is None:
            return 0
        row.tries += 1
        if row.tries >= MAX_TRIES:
            row.locked_until = now + LOCK_FOR
        left = max(0, MAX_TRIES - row.tries)
        session.add(row)
        session.commit()
    return left


def use_challenge(engine: Engine, challenge_id: str) -> bool:
    """Marks the challenge used; False if another request used it first."""
    with Session(engine) as session:
        result = session.exec(
            update(PublicChallengeRecord)
            .where(
                col(PublicChallengeRecord.id_hash) == hashed(challenge_id),
                col(PublicChallengeRecord.used_at).is_(None),
            )
            .values(used_at=_now())
        )
        session.commit()
        return bool(result.rowcount)


@dataclass(frozen=True)
class WorkerSession:
    id_hash: str
    case_id: str
    worker_no: int
    expires_at: datetime
    view_recorded: bool


def open_session(engine: Engine, case_id: str, worker_no: int) -> tuple[str, datetime]:
    now = _now()
    session_id = secrets.token_urlsafe(32)
    _add_dropping(
        engine,
        PublicSessionRecord(
            id_hash=hashed(session_id),
            case_id=case_id,
            worker_no=worker_no,
            created_at=now,
            expires_at=now + SESSION_TTL,
        ),
        col(PublicSessionRecord.expires_at) <= now,
    )
    return session_id, now + SESSION_TTL


def get_session(engine: Engine, session_id: str) -> WorkerSession | None:
    """The live session of this cookie, or None (unknown or expired)."""
    with Session(engine) as session:
        row = session.get(PublicSessionRecord, hashed(session_id))
        if row is None or _aware(row.expires_at) <= _now():
            return None
        return from_attributes(WorkerSession, row, expires_at=_aware(row.expires_at))


def mark_view_recorded(engine: Engine, id_hash: str) -> None:
    with Session(engine) as session:
        session.exec(
            update(PublicSessionRecord)
            .where(col(PublicSessionRecord.id_hash) == id_hash)
            .values(view_recorded=True)
        )
        session.commit()


def close_session(engine: Engine, session_id: str) -> None:
    with Session(engine) as session:
        session.exec(
            delete(PublicSessionRecord).where(
                col(PublicSessionRecord.id_hash) == hashed(session_id)
            )
        )
        session.commit()


# PUB-7: a worker's new mobile, confirmed by staff before any code goes to it.


class WorkerMobileChangeRecord(SQLModel, table=True):
    """A worker's request to be reached at a new mobile: the number sealed with the payload
    key (as Temporal payloads are), its HMAC, and the staff decision."""

    __tablename__ = "worker_mobile_changes"

    id: int | None = Field(default=None, primary_key=True)
    case_id: str = Field(index=True, max_length=40)
    worker_no: int
    mobile_sealed: str = Field(max_length=1000)
    mobile_hash: str = Field(max_length=64)
    requested_at: datetime = Field(default_factory=_now)
    # pending, confirmed, refused, superseded (a newer request of the same worker).
    status: str = Field(default="pending", max_length=20)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = None


@dataclass(frozen=True)
class MobileChange:
    id: int
    case_id: str
    worker_no: int
    mobile_sealed: str
    requested_at: datetime
    status: str
    decided_by: str | None
    decided_at: datetime | None


def _change(row: WorkerMobileChangeRecord) -> MobileChange:
    assert row.id is not None
    return from_attributes(
        MobileChange,
        row,
        requested_at=_aware(row.requested_at),
        decided_at=_aware(row.decided_at) if row.decided_at else None,
    )


def request_mobile_change(
    engine: Engine, case_id: str, worker_no: int, mobile_sealed: str, mobile_hash: str
) -> bool:
    """Records the request (an earlier pending one of the worker is superseded); False if
    the same number is already pending or confirmed for the worker."""
    with Session(engine) as session:
        rows = session.exec(
            select(WorkerMobileChangeRecord).where(
                WorkerMobileChangeRecord.case_id == case_id,
                WorkerMobileChangeRecord.worker_no == worker_no,
                col(WorkerMobileChangeRecord.status).in_(["pending", "confirmed"]),
            )
        ).all()
        if any(r.mobile_hash == mobile_hash for r in rows):
            return False
        for row in rows:
            if row.status == "pending":
                row.status = "superseded"
                session.add(row)
        session.add(
            WorkerMobileChangeRecord(
                case_id=case_id,
                worker_no=worker_no,
                mobile_sealed=mobile_sealed,
                mobile_hash=mobile_hash,
            )
        )
        session.commit()
    return True


def mobile_changes(engine: Engine, case_id: str) -> list[MobileChange]:
    with Session(engine) as session:
        rows = session.exec(
            select(WorkerMobileChangeRecord)
            .where(WorkerMobileChangeRecord.case_id == case_id)
            .order_by(col(WorkerMobileChangeRecord.id))
        ).all()
        return [_change(r) for r in rows]


def decide_mobile_change(
    engine: Engine, case_id: str, change_id: int, confirmed: bool, user_id: str
) -> MobileChange | None:
    """Confirms or refuses a pending request; None if there is no such pending request."""
    with Session(engine) as session:
        row = session.get(WorkerMobileChangeRecord, change_id)
        if row is None or row.case_id != case_id or row.status != "pending":
            return None
        if confirmed:
            # The worker's earlier confirmed number is no longer theirs.
            for old in session.exec(
                select(WorkerMobileChangeRecord).where(
                    WorkerMobileChangeRecord.case_id == case_id,
                    WorkerMobileChangeRecord.worker_no == row.worker_no,
                    WorkerMobileChangeRecord.status == "confirmed",
                )
            ).all():
                old.status = "superseded"
                session.add(old)
        row.status = "confirmed" if confirmed else "refused"
        row.decided_by = user_id
        row.decided_at = _now()
        session.add(row)
        session.commit()
        session.refresh(row)
        return _change(row)


def confirmed_mobiles(engine: Engine, case_id: str) -> dict[int, str]:
    """Worker number -> the sealed mobile staff confirmed for them (PUB-7)."""
    with Session(engine) as session:
        rows = session.exec(
            select(WorkerMobileChangeRecord).where(
                WorkerMobileChangeRecord.case_id == case_id,
                WorkerMobileChangeRecord.status == "confirmed",
            )
        ).all()
        return {r.worker_no: r.mobile_sealed for r in rows}
