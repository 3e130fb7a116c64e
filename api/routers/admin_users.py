"""Admin: API users and their bearer tokens (admins only).

A token's secret is in the answer that issues it and nowhere else: the database keeps its
hash, lists show its public prefix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from api.auth import require_roles
from api.deps import AdminUser, EngineDep
from api.errors import ApiError
from domain.common import CountyCode, Role, StrictModel
from store import users as store

log = structlog.get_logger("api.admin")

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[require_roles(Role.admin)])

Prefix = Annotated[str, Path(pattern=r"^[a-z0-9]{10}$", description="the token's public prefix")]


class UserCreate(StrictModel):
    user_id: str = Field(pattern=store.USER_ID.pattern, description="a staff id, never a name")
    role: Role
    counties: list[CountyCode] = Field(default_factory=list, max_length=200)
    agency_county: CountyCode | None = Field(
        default=None, description="agency clerks: their agency's county (their only county)"
    )
    replace: bool = Field(default=False, description="rebind an existing user")


class UserPublic(BaseModel):
    user_id: str
    role: Role
    counties: list[str]
    agency_county: str | None
    created_at: datetime


class TokenCreate(StrictModel):
    user_id: str = Field(pattern=store.USER_ID.pattern)
    label: str = Field(default="", max_length=100)


class TokenPublic(BaseModel):
    prefix: str
    user_id: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIssued(TokenPublic):
    token: str = Field(description="the bearer token: shown this once, never stored")


def _user(row: store.UserRecord) -> UserPublic:
    return UserPublic.model_validate(row, from_attributes=True)


def _token(row: store.ApiTokenRecord) -> TokenPublic:
    return TokenPublic.model_validate(row, from_attributes=True)


def _refused(err: store.UserError) -> ApiError:
    return ApiError(409 if "exists" in str(err) else 422, "invalid_user", str(err))


@router.get("/users", response_model=list[UserPublic])
async def list_users(engine: EngineDep) -> list[UserPublic]:
    return [_user(row) for row in await run_in_threadpool(store.list_users, engine)]


@router.post("/users", status_code=201, response_model=UserPublic)
async def create_user(body: UserCreate, engine: EngineDep, admin: AdminUser) -> UserPublic:
    """Creates a user bound to counties (409 if the id exists, unless `replace`)."""
    try:
        row = await run_in_threadpool(
            lambda: store.create_user(
                engine,
                body.user_id,
                body.role,
                body.counties,
                body.agency_county,
                replace=body.replace,
            )
        )
    except store.UserError as err:
        raise _refused(err) from None
    log.info("user saved", user=row.user_id, user_role=row.role, by=admin.user_id)
    return _user(row)


@router.get("/tokens", response_model=list[TokenPublic])
async def list_tokens(engine: EngineDep, user_id: str | None = None) -> list[TokenPublic]:
    return [_token(row) for row in await run_in_threadpool(store.list_tokens, engine, user_id)]


@router.post("/tokens", status_code=201, response_model=TokenIssued)
async def create_token(body: TokenCreate, engine: EngineDep, admin: AdminUser) -> TokenIssued:
    """Issues a token for a user; the answer holds the secret, once."""
    try:
        issued = await run_in_threadpool(store.issue_token, engine, body.user_id, body.label)
    except store.UserError as err:
        raise ApiError(404, "user_not_found", str(err)) from None
    rows = await run_in_threadpool(store.list_tokens, engine, body.user_id)
    row = next(r for r in rows if r.prefix == issued.prefix)
    log.info("token issued", prefix=issued.prefix, user=issued.user_id, by=admin.user_id)
    return TokenIssued(**_token(row).model_dump(), token=issued.token)


@router.delete("/tokens/{prefix}", response_model=TokenPublic)
async def revoke_token(prefix: Prefix, engine: EngineDep, admin: AdminUser) -> TokenPublic:
    """Revokes a token: every later request with it is a 401. Revoking again changes nothing."""
    try:
        row = await run_in_threadpool(store.revoke_token, engine, prefix)
    except store.UserError as err:
        raise ApiError(404, "token_not_found", str(err)) from None
    log.info("token revoked", prefix=prefix, by=admin.user_id)
    return _token(row)
