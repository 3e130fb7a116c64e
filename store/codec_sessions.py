"""Codec sessions: the Temporal UI's cookie for the codec endpoint, never a bearer token.

The UI can send cookies only, so an operator opens a session with their bearer token once
(`POST /codec/session`). The cookie holds a random session id of its own; only its SHA-256
is stored, with the token it was opened with and an expiry. It reads nothing but the codec
endpoint, and dies with its expiry, with `DELETE /codec/session`, and with that token (or
its user) being revoked or disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from store.users import ApiTokenRecord, UserRecord, live_token

SESSION_SCHEME = "lcs"


def _now() -> datetime:
    return datetime.now(UTC)


class CodecSessionRecord(SQLModel, table=True):
    __tablename__ = "codec_sessions"

    id_hash: str = Field(primary_key=True, max_length=64)
    token_id: int = Field(index=True, foreign_key="api_tokens.id")
    user_id: str = Field(foreign_key="users.user_id", max_length=64)
    created_at: datetime = Field(default_factory=_now)
    expires_at: datetime = Field(index=True)
    closed_at: datetime | None = None


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(engine: Engine, token: str, lifetime: timedelta) -> tuple[str, datetime] | None:
    """A new session for the user of a live `token`: (session id, expiry); None if the token
    is not live. Sessions past their expiry are removed on the way."""
    now = _now()
    with Session(engine) as session:
        found = live_token(session, token)
        if found is None:
            return None
        session.exec(delete(CodecSessionRecord).where(col(CodecSessionRecord.expires_at) <= now))
        session_id = f"{SESSION_SCHEME}_{secrets.token_urlsafe(32)}"
        expires_at = now + lifetime
        assert found.id is not None
        session.add(
            CodecSessionRecord(
                id_hash=_hash(session_id),
                token_id=found.id,
                user_id=found.user_id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        session.commit()
        return session_id, expires_at


def session_user(engine: Engine, session_id: str) -> UserRecord | None:
    """The user of a session that is open, unexpired, and whose token and user are live."""
    if not session_id.startswith(f"{SESSION_SCHEME}_") or len(session_id) > 100:
        return None
    with Session(engine) as session:
        row = session.exec(
            select(CodecSessionRecord, ApiTokenRecord, UserRecord)
            .join(ApiTokenRecord, col(ApiTokenRecord.id) == CodecSessionRecord.token_id)
            .join(UserRecord, col(UserRecord.user_id) == CodecSessionRecord.user_id)
            .where(CodecSessionRecord.id_hash == _hash(session_id))
        ).first()
        if row is None:
            return None
        codec_session, token, user = row
        if (
            codec_session.closed_at is not None
            or codec_session.expires_at <= _now()
            or token.revoked_at is not None
            or user.disabled_at is not None
        ):
            return None
        session.expunge(user)
        return user


def close_session(engine: Engine, session_id: str) -> None:
    """Ends the session (logout); closing an unknown or closed one does nothing."""
    with Session(engine) as session:
        row = session.get(CodecSessionRecord, _hash(session_id))
        if row is not None and row.closed_at is None:
            row.closed_at = _now()
            session.add(row)
            session.commit()
