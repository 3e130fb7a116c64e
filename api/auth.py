"""Who is calling: bearer tokens to a principal (user id, role, counties).

Every route except health and the docs depends on `get_current_user` (through `CurrentUser`
or a dependency built on it): no token, or a malformed, unknown or revoked one, is a 401 with
`WWW-Authenticate: Bearer`. The token itself is never logged; the request log binds the user
id once it is known.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import structlog
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict

from api.errors import ApiError
from domain.common import Actor, Role
from store.users import UserRecord, authenticate

# auto_error off: the refusal must have the API's one error shape, not FastAPI's.
bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="`Authorization: Bearer lce_…`; tokens come from `manage.py create-token` "
    "or `POST /api/v1/admin/tokens`",
)


class Principal(BaseModel):
    """The authenticated user. Acts as `Actor(user_id, role, county)` in a county it is bound to."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    role: Role
    counties: frozenset[str]
    # Agency clerks: their agency's county (their only county).
    agency_county: str | None = None

    @classmethod
    def of(cls, user: UserRecord) -> Principal:
        return cls(
            user_id=user.user_id,
            role=Role(user.role),
            counties=frozenset(user.counties),
            agency_county=user.agency_county,
        )

    def bound_to(self, county_code: str) -> bool:
        return county_code in self.counties

    def county_among(self, counties: Iterable[str]) -> str | None:
        """The first of `counties` (a case's own county first) this user is bound to."""
        return next((c for c in counties if c in self.counties), None)

    def actor(self, county_code: str) -> Actor:
        return Actor(id=self.user_id, role=self.role, county_code=county_code)


def unauthenticated(message: str) -> ApiError:
    return ApiError(401, "unauthenticated", message, headers={"WWW-Authenticate": "Bearer"})


async def get_current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthenticated("a bearer token is required: Authorization: Bearer <token>")
    engine = request.app.state.engine
    user = await run_in_threadpool(authenticate, engine, credentials.credentials)
    if user is None:
        raise unauthenticated("the token is malformed, unknown or revoked")
    principal = Principal.of(user)
    structlog.contextvars.bind_contextvars(user_id=principal.user_id, role=principal.role.value)
    return principal


def require_roles(*allowed: Role) -> Any:
    """A dependency refusing (403) any role but `allowed`."""

    def check(user: Annotated[Principal, Depends(get_current_user)]) -> Principal:
        if user.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise ApiError(403, "forbidden", f"this is for the roles: {names}")
        return user

    return Depends(check)
