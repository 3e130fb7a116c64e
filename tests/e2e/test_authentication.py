"""Bearer tokens over HTTP: issued by an admin (endpoint or command), hashed at rest, refused
once revoked or when unknown; the actor of an action is the caller, never the body; token
secrets never in a log line; personal data masked by role."""

from __future__ import annotations

import asyncio
import hashlib
from typing import Any

import httpx
import pytest
import structlog
from sqlalchemy import text

from core.settings import get_settings
from domain.common import Role
from ops.users_cli import main as manage_users
from store.db import make_engine
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refused(stack: Stack, headers: dict[str, str]) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.base_url) as http:
        response = await http.get(CASES, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "unauthenticated"
    return error


async def test_no_unknown_or_malformed_token_is_401(stack: Stack) -> None:
    await refused(stack, {})
    await refused(stack, bearer("lce_aaaaaaaaaa_" + "x" * 43))  # well-formed, never issued
    await refused(stack, bearer("not-a-token"))
    await refused(stack, {"Authorization": "Basic dXNlcjpwYXNz"})
    # A real prefix with another secret is refused too: the hash decides, not the prefix.
    header = await stack.login(Role.supervisor)
    token = header["Authorization"].removeprefix("Bearer ")
    await refused(stack, bearer(token[:15] + "y" * (len(token) - 15)))
    async with httpx.AsyncClient(base_url=stack.base_url) as http:
        assert (await http.get("/health")).status_code == 200
        assert (await http.get("/openapi.json")).status_code == 200


async def test_an_admin_issues_and_revokes_tokens_and_secrets_are_stored_hashed(
    stack: Stack,
) -> None:
    admin = await stack.login(Role.admin)
    async with httpx.AsyncClient(base_url=stack.base_url, headers=admin) as http:
        created = await http.post(
            "/api/v1/admin/users",
            json={"user_id": "insp-auth-1", "role": "inspector", "counties": [f.COUNTY]},
        )
        assert created.status_code == 201, created.text
        assert created.json()["counties"] == [f.COUNTY]
        again = await http.post(
            "/api/v1/admin/users",
            json={"user_id": "insp-auth-1", "role": "inspector", "counties": [f.COUNTY]},
        )
        assert again.status_code == 409, again.text
        clerk = await http.post(
            "/api/v1/admin/users",
            json={
                "user_id": "clerk-auth-1",
                "role": "agency_clerk",
                "counties": [f.COUNTY, f.OTHER_COUNTY],
            },
        )
        assert clerk.status_code == 422, "an agency clerk belongs to one agency's county"
        issued = await http.post("/api/v1/admin/tokens", json={"user_id": "insp-auth-1"})
        assert issued.status_code == 201, issued.text
        token, prefix = issued.json()["token"], issued.json()["prefix"]
        listed = (await http.get("/api/v1/admin/tokens", params={"user_id": "insp-auth-1"})).json()
        assert [t["prefix"] for t in listed] == [prefix]
        assert token not in str(listed), "the secret is shown once, when issued"

    async with httpx.AsyncClient(base_url=stack.base_url, headers=bearer(token)) as http:
        assert (await http.get(CASES)).status_code == 200

    engine = make_engine(stack.settings.database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT * FROM api_tokens")).mappings().all()
            stored = [r for r in rows if r["prefix"] == prefix]
    finally:
        engine.dispose()
    [row] = stored
    assert row["secret_hash"] == hashlib.sha256(token.encode()).hexdigest()
    secret = token.rsplit("_", 1)[1]
    assert all(secret not in str(v) for r in rows for v in r.values())
    assert row["last_used_at"] is not None

    async with httpx.AsyncClient(base_url=stack.base_url, headers=admin) as http:
        revoked = await http.delete(f"/api/v1/admin/tokens/{prefix}")
        assert revoked.status_code == 200 and revoked.json()["revoked_at"], revoked.text
    await refused(stack, bearer(token))


async def test_the_command_issues_and_revokes_a_token(
    stack: Stack, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", stack.settings.database_url)
    get_settings.cache_clear()

    async def command(*args: str) -> int:
        return await asyncio.to_thread(manage_users, list(args))

    try:
        created = await command(
            "create-user", "sup-cli-1", "--role", "supervisor", "--county", f.COUNTY, "--token"
        )
        assert created == 0
        token = capsys.readouterr().out.strip()
        prefix = token.split("_")[1]
        async with httpx.AsyncClient(base_url=stack.base_url) as http:
            assert (await http.get(CASES, headers=bearer(token))).status_code == 200
            assert await command("revoke-token", prefix) == 0
        await refused(stack, bearer(token))
        assert await command("revoke-token", "zzzzzzzzzz") == 1
    finally:
        get_settings.cache_clear()


async def test_the_actor_is_the_caller_and_a_body_naming_one_is_refused(stack: Stack) -> None:
    mediator = await stack.login(Role.mediator, user_id="mediator-auth-7")
    body = f.intake(workers=1)
    del body["opened_by"]
    async with httpx.AsyncClient(base_url=stack.base_url, headers=mediator) as http:
        named = await http.post(f"{CASES}/wage-arrears", json={**body, "opened_by": f.actor()})
        assert named.status_code == 422, named.text
        assert named.json()["error"]["details"][0]["loc"] == ["body", "opened_by"]
        opened = await http.post(f"{CASES}/wage-arrears", json=body)
        assert opened.status_code == 201, opened.text
        case_id = opened.json()["case_id"]
        payment = {"reason": "paid at the bureau", "worker_no": 1, "amount": "100.00",
                   "paid_on": "2026-11-20"}  # fmt: skip
        impostor = await http.post(
            f"{CASES}/{case_id}/actions/record_payment",
            json={**payment, "actor": f.actor(Role.supervisor, id="supervisor-01")},
        )
        assert impostor.status_code == 422, impostor.text
        assert impostor.json()["error"]["code"] == "actor_from_token"
        assert (await http.get(f"{CASES}/{case_id}")).json()["payments"] == []
        paid = await http.post(f"{CASES}/{case_id}/actions/record_payment", json=payment)
        assert paid.status_code == 200, paid.text
        history = (await http.get(f"{CASES}/{case_id}/history")).json()["events"]
    actors = [e["actor"] for e in history if e["kind"] == "human"]
    assert actors and all(a["id"] == "mediator-auth-7" for a in actors)
    assert all(a["role"] == "mediator" and a["county_code"] == f.COUNTY for a in actors)


async def test_token_secrets_never_reach_the_logs(stack: Stack) -> None:
    admin = await stack.login(Role.admin)
    await stack.login(Role.supervisor, user_id="sup-logs-1")
    with structlog.testing.capture_logs() as logs:
        async with httpx.AsyncClient(base_url=stack.base_url, headers=admin) as http:
            issued = await http.post("/api/v1/admin/tokens", json={"user_id": "sup-logs-1"})
            assert issued.status_code == 201, issued.text
            token = issued.json()["token"]
            await http.get(CASES, headers=bearer(token))
            await http.get(CASES, headers=bearer(token + "x"))
            await http.delete(f"/api/v1/admin/tokens/{issued.json()['prefix']}")
    assert logs, "the API logged nothing: the capture did not work"
    for secret in (token, token.rsplit("_", 1)[1], admin["Authorization"]):
        assert all(secret not in str(entry) for entry in logs)


def _worker_ids(case: dict[str, Any]) -> list[str]:
    people = case.get("workers") or [case["worker"]]
    return [p["id_number"] for p in people]


async def test_personal_data_is_masked_by_role(stack: Stack) -> None:
    """Mediators and inspectors see a wage-arrears case's workers in full, agency clerks a
    transfer's worker; supervisors, admins and everyone else see them masked."""
    opener = await stack.login(Role.mediator)
    body = f.intake(workers=1)
    del body["opened_by"]
    wa = await stack.http.post(f"{CASES}/wage-arrears", json=body, headers=opener)
    assert wa.status_code == 201, wa.text
    clerk = await stack.login(Role.agency_clerk, (f.COUNTY,))
    transfer = {
        "kind": "medical",
        "worker": {"name": "孙某", "id_number": f.resident_id(91), "mobile": "13900000091"},
        "from_agency": {"county_code": f.OTHER_COUNTY, "name": "迎泽区医保中心"},
        "to_agency": {"county_code": f.COUNTY, "name": "小店区医保中心"},
        "old_coverage_ended_on": "2026-09-30",
        "new_coverage_starts_on": "2026-11-01",
        "summary": "申请转入医疗保险关系",
    }
    si = await stack.http.post(f"{CASES}/insurance-transfers", json=transfer, headers=clerk)
    assert si.status_code == 201, si.text
    full = {"wa": f.resident_id(1), "si": f.resident_id(91)}
    masked = {name: value[:6] + "*" * 8 + value[-4:] for name, value in full.items()}
    assert masked["wa"] == "140105********0016"
    sees_full = {
        "wa": {Role.mediator, Role.inspector},
        "si": {Role.agency_clerk},
    }
    for name, case_id in (("wa", wa.json()["case_id"]), ("si", si.json()["case_id"])):
        for role in Role:
            headers = await stack.login(role, (f.COUNTY,))
            answer = await stack.http.get(f"{CASES}/{case_id}", headers=headers)
            if role is Role.agency_clerk and name != "si":
                assert answer.status_code == 404  # clerks work on transfers only
                continue
            case = answer.json()
            want = full[name] if role in sees_full[name] else masked[name]
            assert _worker_ids(case) == [want], (name, role)
            people = case.get("workers") or [case["worker"]]
            if role not in sees_full[name]:
                assert "*" in people[0]["mobile"] and "*" in people[0]["name"], (name, role)
    # The old agency's clerk works on the transfer too.
    old_clerk = await stack.login(Role.agency_clerk, (f.OTHER_COUNTY,))
    case = (await stack.http.get(f"{CASES}/{si.json()['case_id']}", headers=old_clerk)).json()
    assert _worker_ids(case) == [full["si"]]
