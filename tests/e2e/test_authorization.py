"""Who may call what: every endpoint × every role × inside/outside the case's county, and
without a token, against the statuses the table says each must get.

The table is checked against the app's routes, so a new endpoint without an entry fails
here until someone decides who may call it. Probes that pass authorization are made to stop
before changing anything where they can (a malformed body: 422), so the order of the table
does not matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import text
from sqlmodel import Session

from api.main import create_app
from domain.common import Role
from ops.rebuild import rebuild_read_model
from store.access import case_counties
from store.db import create_schema, make_engine
from tests import factories as f
from tests import project_factories as pf
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

IN = f.COUNTY  # 140105: every case of the world is here
OLD_AGENCY = f.OTHER_COUNTY  # 140106: the transfer's old agency
OUTSIDE = "140107"  # 杏花岭区: nothing of the world is here
ROLES = tuple(Role)
ALL_ROLES = frozenset(Role)
OFFICERS = frozenset({Role.mediator, Role.inspector, Role.supervisor})

# (role or None for no token, whether the user is bound to IN) -> the status it must get
Expect = Callable[[Role | None, bool], int]


def public(status: int) -> Expect:
    return lambda role, inside: status


def any_user(status: int) -> Expect:
    return lambda role, inside: 401 if role is None else status


def roles_only(allowed: frozenset[Role], status: int) -> Expect:
    def expect(role: Role | None, inside: bool) -> int:
        if role is None:
            return 401
        return status if role in allowed else 403

    return expect


def in_case_county(status: int, hidden_from: frozenset[Role] = frozenset()) -> Expect:
    """A case outside the caller's counties does not exist for them, nor a case of a kind
    their role does not work on (`hidden_from`: agency clerks see transfers only)."""

    def expect(role: Role | None, inside: bool) -> int:
        if role is None:
            return 401
        return status if inside and role not in hidden_from else 404

    return expect


def action(
    allowed: frozenset[Role], status: int, hidden_from: frozenset[Role] = frozenset()
) -> Expect:
    def expect(role: Role | None, inside: bool) -> int:
        if role is None:
            return 401
        if not inside or role in hidden_from:
            return 404
        return status if role in allowed else 403

    return expect


def opening(allowed: frozenset[Role], status: int) -> Expect:
    def expect(role: Role | None, inside: bool) -> int:
        if role is None:
            return 401
        return status if role in allowed and inside else 403

    return expect


@dataclass
class Probe:
    path: str  # with {wa}, {ma}, {si} for the world's case ids
    expect: Expect
    body: Any = None
    params: dict[str, Any] = field(default_factory=dict)


def _wa_intake() -> dict[str, Any]:
    body = f.intake(workers=1)
    del body["opened_by"]
    return body


def _dispute_intake() -> dict[str, Any]:
    return {
        "origin": "mediation",
        "county_code": IN,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [
            {"name": "赵某", "id_number": f.resident_id(71), "mobile": "13900000071"},
        ],
        "claims": [{"description": "unpaid wages, March to May", "amount": "6000.00"}],
        "claim_known_on": f.today().isoformat(),
        "summary": "工人申请调解，要求支付拖欠工资",
    }


def _project_intake() -> dict[str, Any]:
    body = pf.project_intake(pf.month_of(datetime.now(UTC)), county=IN)
    del body["opened_by"]
    return body


def _transfer_intake() -> dict[str, Any]:
    return {
        "kind": "medical",
        "worker": {"name": "钱某", "id_number": f.resident_id(72), "mobile": "13900000072"},
        "from_agency": {"county_code": OLD_AGENCY, "name": "迎泽区医保中心"},
        "to_agency": {"county_code": IN, "name": "小店区医保中心"},
        "old_coverage_ended_on": "2026-09-30",
        "new_coverage_starts_on": "2026-11-01",
        "summary": "工人返乡就业，申请转入医疗保险关系",
    }


BAD_SCHEDULE = {"holidays": [], "source": "x"}
CLERKS = frozenset({Role.agency_clerk})
ADMINS = frozenset({Role.admin})
DECODERS = frozenset({Role.supervisor, Role.admin})
# PW-1: the inspectors and their supervisor open and watch a project.
WATCHERS = frozenset({Role.inspector, Role.supervisor})

TABLE: dict[tuple[str, str], list[Probe]] = {
    ("GET", "/health"): [Probe("/health", public(200))],
    ("GET", "/openapi.json"): [Probe("/openapi.json", public(200))],
    ("GET", "/docs"): [Probe("/docs", public(200))],
    ("GET", "/docs/oauth2-redirect"): [Probe("/docs/oauth2-redirect", public(200))],
    ("GET", "/redoc"): [Probe("/redoc", public(200))],
    # The pages are shells without data: their scripts call the API with the user's token.
    ("GET", "/"): [Probe("/", public(307))],
    ("GET", "/login"): [Probe("/login", public(200))],
    ("GET", "/work"): [Probe("/work", public(200))],
    ("GET", "/board"): [Probe("/board", public(200))],
    ("GET", "/board/cases/{case_id}"): [Probe("/board/cases/{wa}", public(200))],
    ("GET", "/board/projects/{case_id}"): [Probe("/board/projects/{pw}", public(200))],
    ("GET", "/dashboard"): [Probe("/dashboard", public(200))],
    ("GET", "/inbox"): [Probe("/inbox", public(200))],
    ("GET", "/deliveries"): [Probe("/deliveries", public(200))],
    # The worker's window: public pages; a case is seen only with a texted code (PUB-1), so
    # without a challenge or a session each page sends the caller back to the start.
    ("GET", "/my"): [Probe("/my", public(200))],
    ("POST", "/my/code"): [Probe("/my/code", public(422))],
    ("GET", "/my/code"): [Probe("/my/code", public(303))],
    ("POST", "/my/verify"): [Probe("/my/verify", public(303))],
    ("GET", "/my/case"): [Probe("/my/case", public(303))],
    ("POST", "/my/logout"): [Probe("/my/logout", public(303))],
    ("GET", "/my/complaint"): [Probe("/my/complaint", public(200))],
    ("POST", "/my/complaint"): [Probe("/my/complaint", public(422))],
    ("GET", "/my/mobile"): [Probe("/my/mobile", public(200))],
    ("POST", "/my/mobile"): [Probe("/my/mobile", public(422))],
    # Each action's rule, roles and input schema: declarations, no case data.
    ("GET", "/api/v1/actions/{kind}"): [Probe("/api/v1/actions/wage_arrears", any_user(200))],
    ("GET", "/api/v1/actions/{kind}/intake"): [
        Probe("/api/v1/actions/insurance_transfer/intake", any_user(200))
    ],
    ("GET", "/api/v1/actions/{kind}/{action}/schema"): [
        Probe("/api/v1/actions/dispute/record_agreement/schema", any_user(200))
    ],
    # The inbox is the caller's own: every user has one, scoped to their counties.
    ("GET", "/api/v1/me"): [Probe("/api/v1/me", any_user(200))],
    # The supervisors of a county the caller is bound to; another county's are not listed.
    ("GET", "/api/v1/approvers"): [
        Probe("/api/v1/approvers", in_case_county(200), params={"county_code": IN})
    ],
    ("GET", "/api/v1/notifications"): [Probe("/api/v1/notifications", any_user(200))],
    ("POST", "/api/v1/notifications/read-all"): [
        Probe("/api/v1/notifications/read-all", any_user(200))
    ],
    ("POST", "/api/v1/notifications/{notification_id}/read"): [
        Probe("/api/v1/notifications/999999999/read", any_user(404))
    ],
    ("GET", "/api/v1/me/contacts"): [Probe("/api/v1/me/contacts", any_user(200))],
    ("PUT", "/api/v1/me/contacts/email"): [
        Probe("/api/v1/me/contacts/email", any_user(422), {"address": "not an address"})
    ],
    ("POST", "/api/v1/cases/{case_id}/sms-opt-out"): [
        Probe("/api/v1/cases/{wa}/sms-opt-out", in_case_county(422, hidden_from=CLERKS), {})
    ],
    # A worker's new mobile (PUB-7): seen in the case's counties, decided by the staff who
    # work with the worker (the roles that see personal data).
    ("GET", "/api/v1/cases/{case_id}/mobile-changes"): [
        Probe("/api/v1/cases/{wa}/mobile-changes", in_case_county(200, hidden_from=CLERKS))
    ],
    ("POST", "/api/v1/cases/{case_id}/mobile-changes/{change_id}/decision"): [
        Probe(
            "/api/v1/cases/{wa}/mobile-changes/999999/decision",
            action(frozenset({Role.mediator, Role.inspector}), 404, hidden_from=CLERKS),
            {"decision": "confirm", "reason": "checked by phone"},
        )
    ],
    ("GET", "/api/v1/admin/deliveries"): [
        Probe("/api/v1/admin/deliveries", roles_only(ADMINS, 200))
    ],
    ("POST", "/api/v1/admin/deliveries/{notification_id}/retry"): [
        Probe("/api/v1/admin/deliveries/999999999/retry", roles_only(ADMINS, 404))
    ],
    ("GET", "/api/v1/admin/webhooks"): [Probe("/api/v1/admin/webhooks", roles_only(ADMINS, 200))],
    ("POST", "/api/v1/admin/webhooks"): [
        Probe("/api/v1/admin/webhooks", roles_only(ADMINS, 422), {"county_code": "x"})
    ],
    ("DELETE", "/api/v1/admin/webhooks/{webhook_id}"): [
        Probe("/api/v1/admin/webhooks/999999999", roles_only(ADMINS, 404))
    ],
    ("POST", "/api/v1/cases/wage-arrears"): [
        Probe("/api/v1/cases/wage-arrears", opening(OFFICERS, 201), _wa_intake())
    ],
    ("POST", "/api/v1/cases/disputes"): [
        Probe("/api/v1/cases/disputes", opening(OFFICERS, 201), _dispute_intake())
    ],
    ("POST", "/api/v1/cases/insurance-transfers"): [
        Probe("/api/v1/cases/insurance-transfers", opening(CLERKS, 201), _transfer_intake())
    ],
    ("POST", "/api/v1/cases/project-watches"): [
        Probe("/api/v1/cases/project-watches", opening(WATCHERS, 201), _project_intake())
    ],
    # The project payroll watch (PW-1..PW-6): a project is a case of its county; the
    # batches are its actions (a malformed one stops at 422 once authorized).
    ("POST", "/api/v1/projects"): [
        Probe("/api/v1/projects", opening(WATCHERS, 201), _project_intake())
    ],
    ("GET", "/api/v1/projects"): [Probe("/api/v1/projects", roles_only(ALL_ROLES - CLERKS, 200))],
    ("GET", "/api/v1/projects/{case_id}"): [
        Probe("/api/v1/projects/{pw}", in_case_county(200, CLERKS))
    ],
    ("POST", "/api/v1/projects/{case_id}/funding"): [
        Probe("/api/v1/projects/{pw}/funding", action(WATCHERS, 422, hidden_from=CLERKS), {})
    ],
    ("POST", "/api/v1/projects/{case_id}/wage-sheets"): [
        Probe("/api/v1/projects/{pw}/wage-sheets", action(WATCHERS, 422, hidden_from=CLERKS), {})
    ],
    ("POST", "/api/v1/projects/{case_id}/payments"): [
        Probe("/api/v1/projects/{pw}/payments", action(WATCHERS, 422, hidden_from=CLERKS), {})
    ],
    ("POST", "/api/v1/projects/{case_id}/roster"): [
        Probe(
            "/api/v1/projects/{pw}/roster",
            action(WATCHERS, 422, hidden_from=CLERKS),
            {"change": "leave"},
        )
    ],
    ("POST", "/api/v1/projects/{case_id}/completion"): [
        Probe("/api/v1/projects/{pw}/completion", action(WATCHERS, 422, hidden_from=CLERKS), {})
    ],
    ("GET", "/api/v1/cases"): [Probe("/api/v1/cases", any_user(200))],
    ("GET", "/api/v1/cases/{case_id}"): [
        Probe("/api/v1/cases/{wa}", in_case_county(200, CLERKS)),
        Probe("/api/v1/cases/{ma}", in_case_county(200, CLERKS)),
        Probe("/api/v1/cases/{si}", in_case_county(200)),
    ],
    ("GET", "/api/v1/cases/{case_id}/history"): [
        Probe("/api/v1/cases/{wa}/history", in_case_county(200, CLERKS)),
        Probe("/api/v1/cases/{si}/history", in_case_county(200), params={"format": "csv"}),
    ],
    # A malformed input, so what passes authorization stops at 422 and changes nothing.
    ("POST", "/api/v1/cases/{case_id}/actions/{action}"): [
        Probe("/api/v1/cases/{wa}/actions/record_payment", action(OFFICERS, 422, CLERKS), {}),
        Probe(
            "/api/v1/cases/{wa}/actions/issue_order_to_pay",
            action({Role.inspector}, 422, CLERKS),
            {},
        ),
        Probe("/api/v1/cases/{wa}/actions/triage", action({Role.supervisor}, 422, CLERKS), {}),
        Probe(
            "/api/v1/cases/{ma}/actions/record_award",
            action({Role.mediator, Role.supervisor}, 422, CLERKS),
            {},
        ),
        Probe("/api/v1/cases/{si}/actions/send_transfer", action(CLERKS, 422), {}),
        Probe("/api/v1/cases/{si}/actions/close", action(CLERKS | {Role.supervisor}, 422), {}),
    ],
    # No form at all, so what passes authorization stops at 422 and stores nothing.
    ("POST", "/api/v1/cases/{case_id}/files"): [
        Probe("/api/v1/cases/{wa}/files", action(OFFICERS, 422, CLERKS)),
        Probe("/api/v1/cases/{ma}/files", action(OFFICERS, 422, CLERKS)),
        Probe("/api/v1/cases/{si}/files", action(CLERKS, 422)),
    ],
    ("GET", "/api/v1/cases/{case_id}/files"): [
        Probe("/api/v1/cases/{wa}/files", in_case_county(200, CLERKS)),
        Probe("/api/v1/cases/{si}/files", in_case_county(200)),
    ],
    # A notice the world's cases do not allow yet: 409 past authorization, nothing numbered.
    ("POST", "/api/v1/cases/{case_id}/notices/{notice_kind}"): [
        Probe("/api/v1/cases/{wa}/notices/order_to_pay", action(OFFICERS, 409, CLERKS)),
        Probe("/api/v1/cases/{si}/notices/pension_acceptance_letter", action(CLERKS, 409)),
    ],
    ("GET", "/api/v1/cases/{case_id}/notices"): [
        Probe("/api/v1/cases/{wa}/notices", in_case_county(200, CLERKS)),
        Probe("/api/v1/cases/{si}/notices", in_case_county(200)),
    ],
    # A hash no case has: 404 for everyone, but 401 without a token.
    ("GET", "/api/v1/cases/{case_id}/files/{sha256}"): [
        Probe(f"/api/v1/cases/{{wa}}/files/{'0' * 64}", in_case_county(404, CLERKS)),
    ],
    ("GET", "/api/v1/sla"): [Probe("/api/v1/sla", any_user(200))],
    ("GET", "/api/v1/stats"): [Probe("/api/v1/stats", any_user(200))],
    ("GET", "/api/v1/admin/calendar"): [Probe("/api/v1/admin/calendar", roles_only(ADMINS, 200))],
    ("PUT", "/api/v1/admin/calendar/{year}"): [
        Probe("/api/v1/admin/calendar/2031", roles_only(ADMINS, 422), BAD_SCHEDULE)
    ],
    ("POST", "/api/v1/admin/calendar/recompute"): [
        Probe("/api/v1/admin/calendar/recompute", roles_only(ADMINS, 202))
    ],
    ("GET", "/api/v1/admin/calendar/sweeps/{sweep}"): [
        Probe(
            f"/api/v1/admin/calendar/sweeps/calendar-sweep-2031-{'0' * 16}", roles_only(ADMINS, 404)
        )
    ],
    ("GET", "/api/v1/admin/regions/{county_code}"): [
        Probe("/api/v1/admin/regions/140105", roles_only(ADMINS, 200))
    ],
    ("PUT", "/api/v1/admin/regions/{county_code}"): [
        # WA-10: below the statutory 5 000, so even an admin's probe changes nothing.
        Probe(
            "/api/v1/admin/regions/140105",
            roles_only(ADMINS, 422),
            {"police_threshold_individual": "1"},
        )
    ],
    ("GET", "/api/v1/admin/users"): [Probe("/api/v1/admin/users", roles_only(ADMINS, 200))],
    ("POST", "/api/v1/admin/users"): [
        Probe("/api/v1/admin/users", roles_only(ADMINS, 422), {"user_id": "x"})
    ],
    ("GET", "/api/v1/admin/tokens"): [Probe("/api/v1/admin/tokens", roles_only(ADMINS, 200))],
    ("POST", "/api/v1/admin/tokens"): [
        Probe("/api/v1/admin/tokens", roles_only(ADMINS, 404), {"user_id": "nobody-here"})
    ],
    ("DELETE", "/api/v1/admin/tokens/{prefix}"): [
        Probe("/api/v1/admin/tokens/zzzzzzzzzz", roles_only(ADMINS, 404))
    ],
    # Decoding payloads shows personal data in full: the auditing roles.
    ("POST", "/codec/decode"): [
        Probe("/codec/decode", roles_only(DECODERS, 200), {"payloads": []})
    ],
    ("POST", "/codec/session"): [Probe("/codec/session", roles_only(DECODERS, 204))],
    ("DELETE", "/codec/session"): [Probe("/codec/session", public(204))],
}


def app_endpoints(stack: Stack) -> set[tuple[str, str]]:
    app = create_app(stack.settings)
    endpoints = set()
    for route in iter_route_contexts(app.routes):
        for method in getattr(route.original_route, "methods", None) or ():
            if method != "HEAD":
                endpoints.add((method, route.path))
    return endpoints


def test_every_endpoint_has_an_entry(stack: Stack) -> None:
    endpoints = app_endpoints(stack)
    missing = sorted(endpoints - set(TABLE))
    assert not missing, f"endpoints without an authorization entry: {missing}"
    assert not sorted(set(TABLE) - endpoints), "entries for endpoints that do not exist"


@dataclass
class World:
    ids: dict[str, str]
    # The world's project watch (PW-…), apart: it keeps no SLA deadline.
    project_id: str
    # (role, inside) -> Authorization header
    headers: dict[tuple[Role, bool], dict[str, str]]


@pytest.fixture(scope="module")
async def world(stack: Stack) -> World:
    opener = await stack.login(Role.mediator, (IN,))
    clerk = await stack.login(Role.agency_clerk, (IN,))
    ids = {}
    for name, path, body, who in (
        ("wa", "wage-arrears", _wa_intake(), opener),
        ("ma", "disputes", _dispute_intake(), opener),
        ("si", "insurance-transfers", _transfer_intake(), clerk),
    ):
        response = await stack.http.post(f"/api/v1/cases/{path}", json=body, headers=who)
        assert response.status_code == 201, response.text
        ids[name] = response.json()["case_id"]
    inspector = await stack.login(Role.inspector, (IN,))
    response = await stack.http.post("/api/v1/projects", json=_project_intake(), headers=inspector)
    assert response.status_code == 201, response.text
    headers = {}
    for role in ROLES:
        headers[(role, True)] = await stack.login(role, (IN,))
        headers[(role, False)] = await stack.login(role, (OUTSIDE,))
    return World(ids=ids, project_id=response.json()["case_id"], headers=headers)


@pytest.mark.parametrize(("method", "route"), sorted(TABLE), ids=lambda v: str(v))
async def test_each_role_gets_the_status_the_table_says(
    stack: Stack, world: World, method: str, route: str
) -> None:
    wrong = []
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        for probe in TABLE[(method, route)]:
            path = probe.path.format(**world.ids, pw=world.project_id)
            callers: list[tuple[Role | None, bool]] = [(None, True)]
            callers += [(role, inside) for role in ROLES for inside in (True, False)]
            for role, inside in callers:
                headers = world.headers[(role, inside)] if role else {}
                response = await http.request(
                    method, path, json=probe.body, params=probe.params, headers=headers
                )
                want = probe.expect(role, inside)
                if response.status_code != want:
                    who = f"{role.value if role else 'no token'} {'in' if inside else 'out'}"
                    wrong.append(
                        f"{who}: {path} {response.status_code} != {want} {response.text[:200]}"
                    )
                if response.status_code == 401:
                    assert response.headers["WWW-Authenticate"] == "Bearer"
                    assert response.json()["error"]["code"] == "unauthenticated"
                if response.status_code in (403, 404) and path.startswith("/api/"):
                    assert set(response.json()["error"]) == {
                        "code",
                        "message",
                        "message_zh",
                        "details",
                    }
    assert not wrong, "\n".join(wrong)


async def test_lists_show_only_the_callers_counties(stack: Stack, world: World) -> None:
    """GET /cases and GET /sla list the world's cases to users of its county, nothing of it to
    others; a county filter outside the caller's counties lists nothing."""
    every = set(world.ids.values())
    for role in ROLES:
        # Agency clerks work on transfers only (test_agency_clerks_see_only_transfers).
        ours = {world.ids["si"]} if role is Role.agency_clerk else every
        inside = world.headers[(role, True)]
        outside = world.headers[(role, False)]
        listed = await stack.http.get("/api/v1/cases", params={"limit": 200}, headers=inside)
        assert ours <= {c["case_id"] for c in listed.json()["items"]}, role
        listed = await stack.http.get("/api/v1/cases", params={"limit": 200}, headers=outside)
        assert not ours & {c["case_id"] for c in listed.json()["items"]}, role
        assert all(c["county_code"] == OUTSIDE for c in listed.json()["items"])
        filtered = await stack.http.get(
            "/api/v1/cases", params={"county_code": IN}, headers=outside
        )
        assert filtered.status_code == 200 and filtered.json()["total"] == 0
        board = await stack.http.get(
            "/api/v1/sla", params={"sla_state": "on_track", "limit": 200}, headers=inside
        )
        assert ours <= {i["case_id"] for i in board.json()["items"]}, role
        board = await stack.http.get(
            "/api/v1/sla", params={"sla_state": "on_track", "limit": 200}, headers=outside
        )
        assert not ours & {i["case_id"] for i in board.json()["items"]}, role
        assert set(board.json()["summary"]["by_county"]) <= {OUTSIDE}


async def test_agency_clerks_see_only_transfers(stack: Stack, world: World) -> None:
    """An agency clerk works on social-insurance transfers: the wage-arrears and dispute cases
    of their own county are not listed, not readable (404, as an unknown case), absent from
    the SLA board and not counted in the statistics."""
    clerk = world.headers[(Role.agency_clerk, True)]
    supervisor = world.headers[(Role.supervisor, True)]
    listed = await stack.http.get("/api/v1/cases", params={"limit": 200}, headers=clerk)
    assert listed.status_code == 200
    assert {c["kind"] for c in listed.json()["items"]} == {"insurance_transfer"}
    asked = await stack.http.get("/api/v1/cases", params={"kind": "wage_arrears"}, headers=clerk)
    assert asked.status_code == 200 and asked.json()["total"] == 0
    for case in ("wa", "ma"):
        case_path = f"/api/v1/cases/{world.ids[case]}"
        for path in (case_path, f"{case_path}/history"):
            hidden = await stack.http.get(path, headers=clerk)
            assert hidden.status_code == 404, (path, hidden.text)
            assert hidden.json()["error"]["code"] == "case_not_found"
    board = await stack.http.get(
        "/api/v1/sla",
        params=[("sla_state", s) for s in ("on_track", "due_soon", "overdue", "breached")]
        + [("limit", "200")],
        headers=clerk,
    )
    assert board.status_code == 200
    assert {i["kind"] for i in board.json()["items"]} == {"insurance_transfer"}
    stats = (await stack.http.get("/api/v1/stats", headers=clerk)).json()
    transfers_only = (
        await stack.http.get(
            "/api/v1/stats",
            params={"kind": "insurance_transfer", "county_code": IN},
            headers=supervisor,
        )
    ).json()
    assert stats["totals"]["cases_total"] == transfers_only["totals"]["cases_total"] > 0
    assert stats["totals"]["open_arrears_cases"] == 0
    assert stats["campaign"] == []


async def test_the_old_agency_sees_the_transfer_and_nothing_else_of_the_county(
    stack: Stack, world: World
) -> None:
    """A transfer is seen from both agencies' counties (SI-1, SI-3): the old agency's clerk
    reads it and finds it in lists; the wage-arrears case of the new agency's county stays
    hidden (404)."""
    old_clerk = await stack.login(Role.agency_clerk, (OLD_AGENCY,))
    seen = await stack.http.get(f"/api/v1/cases/{world.ids['si']}", headers=old_clerk)
    assert seen.status_code == 200, seen.text
    listed = await stack.http.get("/api/v1/cases", params={"limit": 200}, headers=old_clerk)
    ids = {c["case_id"] for c in listed.json()["items"]}
    assert world.ids["si"] in ids and world.ids["wa"] not in ids
    hidden = await stack.http.get(f"/api/v1/cases/{world.ids['wa']}", headers=old_clerk)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "case_not_found"


async def test_a_rebuilt_read_model_keeps_the_old_agency_seeing_the_transfer(
    stack: Stack, world: World, database_url: str
) -> None:
    """The read model is a projection of Temporal: rebuilt from it alone, the transfer is still
    seen from the old agency's county."""
    fresh = make_engine(database_url)  # a database of its own, like the stack's
    try:
        create_schema(fresh)
        await rebuild_read_model(stack.client, fresh, stack.settings.task_queue)
        with Session(fresh) as session:
            found = case_counties(session, world.ids["si"])
    finally:
        fresh.dispose()
    assert found is not None and found.counties == (IN, OLD_AGENCY)


async def test_a_case_not_yet_in_the_read_model_is_found_through_its_workflow(
    stack: Stack,
) -> None:
    """A case that runs but has no read-model row yet (a dispute its wage-arrears case has
    just opened) is not unknown: the caller's counties are checked against the workflow's
    own, so it answers 200 inside the county and 404 outside, as any case does."""
    opened = await stack.http.post("/api/v1/cases/wage-arrears", json=f.intake())
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    engine = make_engine(stack.settings.database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM cases WHERE case_id = :id"), {"id": case_id})
    finally:
        engine.dispose()
    inside = await stack.login(Role.mediator, (IN,))
    outside = await stack.login(Role.mediator, (OUTSIDE,))
    seen = await stack.http.get(f"/api/v1/cases/{case_id}", headers=inside)
    assert seen.status_code == 200, seen.text
    assert seen.json()["case_id"] == case_id
    hidden = await stack.http.get(f"/api/v1/cases/{case_id}", headers=outside)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "case_not_found"
