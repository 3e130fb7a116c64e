"""Users and tokens for the end-to-end tests.

`Stack.login` makes a fresh user and returns its Authorization header. `ActorAsToken` keeps
the many tests written before authentication meaningful: a JSON body that names its actor
(`actor`, or `opened_by` on a create) is sent without it, with the token of a user of that
id, role and county, so the API sees the same person the body named; any other request
without an Authorization header goes as a supervisor bound to every test county (personal
data masked, nothing hidden).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncGenerator, Iterable
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from domain.common import Role
from domain.regions import TAIYUAN_COUNTIES
from store.db import make_engine
from store.users import create_user, issue_token

# Taiyuan's counties and Beijing's Chaoyang, which some intakes use.
TEST_COUNTIES = (*TAIYUAN_COUNTIES, "110105")
READER_ID = "e2e-reader"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class TestUsers:
    __test__ = False  # not a test class, though test modules import it by name

    def __init__(self, database_url: str) -> None:
        self.engine: Engine = make_engine(database_url)
        # user id -> (role, county, token): a later actor with the same id and another role or
        # county rebinds the user, so histories keep naming the id the test gave.
        self._actors: dict[str, tuple[str, str, str]] = {}
        self._reader: str | None = None

    def login(
        self, role: Role | str, counties: Iterable[str] = ("140105",), user_id: str | None = None
    ) -> dict[str, str]:
        role = Role(role)
        user_id = user_id or f"{role.value}-{uuid.uuid4().hex[:8]}"
        counties = tuple(counties)
        agency = counties[0] if role is Role.agency_clerk and counties else None
        create_user(self.engine, user_id, role, counties, agency, replace=True)
        return bearer(issue_token(self.engine, user_id, "e2e").token)

    def token_for_actor(self, actor: dict[str, Any]) -> str | None:
        try:
            user_id, role, county = str(actor["id"]), Role(actor["role"]), str(actor["county_code"])
        except (KeyError, TypeError, ValueError):
            return None
        known = self._actors.get(user_id)
        if known is not None and known[:2] == (role.value, county):
            return known[2]
        try:
            header = self.login(role, (county,), user_id)
        except ValueError:  # an actor the tests made malformed on purpose
            return None
        token = header["Authorization"].removeprefix("Bearer ")
        self._actors[user_id] = (role.value, county, token)
        return token

    def reader_token(self) -> str:
        if self._reader is None:
            header = self.login(Role.supervisor, TEST_COUNTIES, READER_ID)
            self._reader = header["Authorization"].removeprefix("Bearer ")
        return self._reader


class ActorAsToken(httpx.Auth):
    def __init__(self, users: TestUsers) -> None:
        self.users = users

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if "authorization" in request.headers:
            yield request
            return
        body = _json_body(request)
        actor = None
        if isinstance(body, dict):
            actor = body.get("actor") if "actor" in body else body.get("opened_by")
        token = await asyncio.to_thread(self.users.token_for_actor, actor) if actor else None
        if token is not None and isinstance(body, dict):
            body = {k: v for k, v in body.items() if k not in ("actor", "opened_by")}
            request = _with_body(request, body)
        else:
            token = await asyncio.to_thread(self.users.reader_token)
        request.headers["Authorization"] = f"Bearer {token}"
        yield request


def _json_body(request: httpx.Request) -> Any:
    if "json" not in request.headers.get("content-type", ""):
        return None
    try:
        return json.loads(request.content or b"null")
    except ValueError:
        return None


def _with_body(request: httpx.Request, body: dict[str, Any]) -> httpx.Request:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
    return httpx.Request(
        request.method,
        request.url,
        headers=headers,
        content=json.dumps(body).encode(),
        extensions=request.extensions,
    )
