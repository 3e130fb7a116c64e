"""The codec endpoint decodes only the caller's counties' payloads, and its cookie is a
short-lived session of its own, never the bearer token."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text
from temporalio.api.common.v1 import Payload

from domain.common import Role
from store.db import make_engine
from store.users import revoke_token
from tests import factories as f
from tests.e2e.codec_payloads import body, seal
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

OTHER = "140107"  # 杏花岭区


async def _open_case(stack: Stack, county: str = f.COUNTY) -> str:
    mediator = await stack.login(Role.mediator, (county,))
    intake = f.intake(workers=1, county_code=county)
    del intake["opened_by"]
    response = await stack.http.post("/api/v1/cases/wage-arrears", json=intake, headers=mediator)
    assert response.status_code == 201, response.text
    return str(response.json()["case_id"])


def _refused(response: httpx.Response, index: int) -> None:
    assert response.status_code == 403, response.text
    error = response.json()["error"]
    assert error["code"] == "payload_not_yours"
    assert error["details"][0]["loc"] == ["body", "payloads", str(index)]
    assert "payloads" not in response.json()


@pytest.mark.parametrize("role", [Role.supervisor, Role.admin])
async def test_decoding_is_limited_to_the_callers_counties(stack: Stack, role: Role) -> None:
    ours, theirs = await _open_case(stack), await _open_case(stack, OTHER)
    home = await stack.login(role, (f.COUNTY,))
    away = await stack.login(role, (OTHER,))
    mine = seal(stack, ours, b'"140105 data"')

    decoded = await stack.http.post("/codec/decode", json=body([mine]), headers=home)
    assert decoded.status_code == 200, decoded.text
    assert base64.b64decode(decoded.json()["payloads"][0]["data"]) == b'"140105 data"'

    # Another county's supervisor reads none of it: the case does not exist for them.
    _refused(await stack.http.post("/codec/decode", json=body([mine]), headers=away), 0)
    # One payload of another county's case refuses the whole batch.
    batch = body([mine, seal(stack, theirs)])
    _refused(await stack.http.post("/codec/decode", json=batch, headers=home), 1)
    # A payload that names no case, or a case nobody has, is refused too.
    unnamed = Payload()
    unnamed.CopyFrom(mine)
    del unnamed.metadata["case-id"]
    _refused(await stack.http.post("/codec/decode", json=body([unnamed]), headers=home), 0)
    for unknown in ("WA-2026-999999", "not a case"):
        response = await stack.http.post(
            "/codec/decode", json=body([seal(stack, unknown)]), headers=home
        )
        _refused(response, 0)


async def _session(stack: Stack, browser: httpx.AsyncClient, headers: dict[str, str]) -> str:
    opened = await browser.post("/codec/session", headers=headers)
    assert opened.status_code == 204, opened.text
    value = browser.cookies["lce_codec"]
    assert value
    return value


async def test_the_codec_cookie_is_a_session_of_its_own_for_the_codec_only(
    stack: Stack,
) -> None:
    case_id = await _open_case(stack)
    payloads = body([seal(stack, case_id)])
    supervisor = await stack.login(Role.supervisor, (f.COUNTY,))
    token = supervisor["Authorization"].removeprefix("Bearer ")
    async with httpx.AsyncClient(base_url=stack.base_url) as browser:
        session_id = await _session(stack, browser, supervisor)
        opened = await browser.post("/codec/session", headers=supervisor)
        cookie = opened.headers["set-cookie"].lower()
        assert f"max-age={8 * 3600}" in cookie and "path=/codec" in cookie
        assert (await browser.post("/codec/decode", json=payloads)).status_code == 200

    assert token not in session_id and not session_id.startswith("lce_")
    # Stored as a hash, beside the token it was opened with and its expiry.
    engine = make_engine(stack.settings.database_url)
    try:
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT id_hash, expires_at FROM codec_sessions WHERE id_hash = :h"),
                {"h": hashlib.sha256(session_id.encode()).hexdigest()},
            ).one()
            assert session_id not in str(tuple(conn.execute(text("SELECT * FROM codec_sessions"))))
    finally:
        engine.dispose()
    assert stored is not None
    # Not a bearer token: the rest of the API, and the codec itself, refuse it as one.
    as_bearer = {"Authorization": f"Bearer {session_id}"}
    async with httpx.AsyncClient(base_url=stack.base_url) as raw:
        for method, path in (("GET", "/api/v1/cases"), ("POST", "/codec/decode")):
            response = await raw.request(method, path, json=payloads, headers=as_bearer)
            assert response.status_code == 401, (path, response.text)
        # Nor a cookie anywhere but the codec.
        cookie_only = {"Cookie": f"lce_codec={session_id}"}
        assert (await raw.get("/api/v1/cases", headers=cookie_only)).status_code == 401


async def test_a_codec_session_ends_with_its_expiry_its_logout_and_its_token(
    stack: Stack,
) -> None:
    case_id = await _open_case(stack)
    payloads = body([seal(stack, case_id)])
    engine = make_engine(stack.settings.database_url)
    try:
        async with httpx.AsyncClient(base_url=stack.base_url) as browser:
            # Expired.
            session_id = await _session(stack, browser, await stack.login(Role.supervisor))
            with engine.begin() as conn:
                conn.execute(
                    text("UPDATE codec_sessions SET expires_at = :t WHERE id_hash = :h"),
                    {
                        "t": datetime.now(UTC) - timedelta(seconds=1),
                        "h": hashlib.sha256(session_id.encode()).hexdigest(),
                    },
                )
            expired = await browser.post("/codec/decode", json=payloads)
            assert expired.status_code == 401, expired.text
            assert expired.json()["error"]["code"] == "unauthenticated"

            # Logged out: the same value, sent again, is dead on the server too.
            session_id = await _session(stack, browser, await stack.login(Role.supervisor))
            assert (await browser.delete("/codec/session")).status_code == 204
            again = {"Cookie": f"lce_codec={session_id}"}
            response = await browser.post("/codec/decode", json=payloads, headers=again)
            assert response.status_code == 401, response.text

            # The token it was opened with revoked.
            supervisor = await stack.login(Role.supervisor)
            session_id = await _session(stack, browser, supervisor)
            assert (await browser.post("/codec/decode", json=payloads)).status_code == 200
            prefix = supervisor["Authorization"].removeprefix("Bearer ").split("_")[1]
            revoke_token(engine, prefix)
            assert (await browser.post("/codec/decode", json=payloads)).status_code == 401
    finally:
        engine.dispose()
