"""API users and their bearer tokens.

A token is `lce_<prefix>_<secret>`. Only the prefix (public, for lookup and for naming a
token when revoking it) and the SHA-256 of the whole token are stored: a copy of the
database does not let anyone call the API, and the secret is shown once, when issued.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import JSON, Column
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from domain.common import Role

TOKEN_SCHEME = "lce"
_TOKEN = re.compile(r"^lce_([a-z0-9]{10})_([A-Za-z0-9_-]{20,100})$")
USER_ID = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
COUNTY = re.compile(r"^\d{6}$")
# Writing last_used_at on every request would make every read a write; a minute is precise
# enough to tell a live token from a forgotten one.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _now() -> datetime:
    return datetime.now(UTC)


class UserRecord(SQLModel, table=True):
    __tablename__ = "users"

    # A staff id, the same one the case histories name as the actor: never a person's name.
    user_id: str = Field(primary_key=True, max_length=64)
    role: str = Field(max_length=20)
    counties: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Agency clerks act for one social-insurance agency, in that agency's county.
    agency_county: str | None = Field(default=None, max_length=6)
    created_at: datetime = Field(default_factory=_now)
    disabled_at: datetime | None = None


class ApiTokenRecord(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(unique=True, max_length=10)
    secret_hash: str = Field(max_length=64)
    user_id: str = Field(index=True, foreign_key="users.user_id", max_length=64)
    label: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=_now)
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class UserError(ValueError):
    """A user or token request that cannot be carried out (unknown user, bad binding...)."""


@dataclass(frozen=True)
class IssuedToken:
    token_id: int
    prefix: str
    user_id: str
    # The only time the secret exists outside the caller's hands: print it once, store none.
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _counties(role: Role, counties: Iterable[str], agency_county: str | None) -> list[str]:
    bound = sorted(set(counties))
    if role is Role.agency_clerk:
        # A clerk belongs to one agency; their county is that agency's.
        if agency_county is None and len(bound) == 1:
            agency_county = bound[0]
        if agency_county is None or bound not in ([], [agency_county]):
            raise UserError("an agency clerk is bound to exactly one county, their agency's")
        bound = [agency_county]
    elif agency_county is not None:
        raise UserError("agency_county is for agency clerks only")
    if not bound:
        raise UserError("a user is bound to at least one county")
    for county in bound:
        if not COUNTY.match(county):
            raise UserError(f"{county!r} is not a six-digit county code")
    return bound


def create_user(
    engine: Engine,
    user_id: str,
    role: Role,
    counties: Iterable[str],
    agency_county: str | None = None,
    *,
    replace: bool = False,
) -> UserRecord:
    """Creates a user; `replace` rebinds an existing one (role and counties) instead."""
    if not USER_ID.match(user_id):
        raise UserError("a user id is 1-64 letters, digits or ._@- (a staff id, not a name)")
    bound = _counties(role, counties, agency_county)
    with Session(engine) as session:
        row = session.get(UserRecord, user_id)
        if row is not None and not replace:
            raise UserError(f"user {user_id} exists")
        row = row or UserRecord(user_id=user_id, role=role.value)
        row.role = role.value
        row.counties = bound
        row.agency_county = bound[0] if role is Role.agency_clerk else None
        row.disabled_at = None
        session.add(row)
        session.commit()
        session.refresh(row)
        return row


def get_user(engine: Engine, user_id: str) -> UserRecord | None:
    with Session(engine) as session:
        return session.get(UserRecord, user_id)


def list_users(engine: Engine) -> list[UserRecord]:
    with Session(engine) as session:
        return list(session.exec(select(UserRecord).order_by(col(UserRecord.user_id))))


def active_of_county(engine: Engine, county_code: str, role: Role) -> list[UserRecord]:
    """The enabled users of a role bound to the county, by id (the table is staff-sized)."""
    with Session(engine) as session:
        rows = session.exec(
            select(UserRecord)
            .where(col(UserRecord.role) == role.value, col(UserRecord.disabled_at).is_(None))
            .order_by(col(UserRecord.user_id))
        )
        return [u for u in rows if county_code in (u.counties or [])]


def issue_token(engine: Engine, user_id: str, label: str = "") -> IssuedToken:
    with Session(engine) as session:
        if session.get(UserRecord, user_id) is None:
            raise UserError(f"no user {user_id}")
        prefix = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        token = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
        row = ApiTokenRecord(
            prefix=prefix, secret_hash=hash_token(token), user_id=user_id, label=label[:100]
        )
        session.add(row)
        session.commit()
        session.refresh(row)
        assert row.id is not None
        return IssuedToken(token_id=row.id, prefix=prefix, user_id=user_id, token=token)


def list_tokens(engine: Engine, user_id: str | None = None) -> list[ApiTokenRecord]:
    query = select(ApiTokenRecord).order_by(col(ApiTokenRecord.id))
    if user_id is not None:
        query = query.where(ApiTokenRecord.user_id == user_id)
    with Session(engine) as session:
        return list(session.exec(query))


def revoke_token(engine: Engine, prefix: str) -> ApiTokenRecord:
    """Revokes the token with this public prefix; revoking twice keeps the first time."""
    with Session(engine) as session:
        row = session.exec(select(ApiTokenRecord).where(ApiTokenRecord.prefix == prefix)).first()
        if row is None:
            raise UserError(f"no token {prefix}")
        if row.revoked_at is None:
            row.revoked_at = _now()
            session.add(row)
            session.commit()
            session.refresh(row)
        return row


def live_token(session: Session, token: str) -> ApiTokenRecord | None:
    """The record of `token` if it is well formed, known, not revoked, and its user enabled."""
    match = _TOKEN.match(token)
    if not match:
        return None
    row = session.exec(
        select(ApiTokenRecord).where(ApiTokenRecord.prefix == match.group(1))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.secret_hash, hash_token(token)):
        return None
    user = session.get(UserRecord, row.user_id)
    if user is None or user.disabled_at is not None:
        return None
    return row


def authenticate(engine: Engine, token: str) -> UserRecord | None:
    """The user a live token belongs to; None for a malformed, unknown or revoked token."""
    with Session(engine) as session:
        row = live_token(session, token)
        if row is None:
            return None
        user = session.get(UserRecord, row.user_id)
        assert user is not None
        now = _now()
        last = row.last_used_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        if last is None or now - last >= LAST_USED_RESOLUTION:
            row.last_used_at = now
            session.add(row)
            session.commit()
            session.refresh(user)
        session.expunge(user)
        return user
