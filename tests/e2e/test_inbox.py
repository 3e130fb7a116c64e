"""The staff inbox over HTTP: who am I, the caller's notifications in their counties, unread
first, read marks, and the English sentence with ?lang=en."""

from __future__ import annotations

import asyncio

import pytest

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

OUTSIDE = "140107"


async def _inbox(stack: Stack, headers: dict[str, str], **params: str) -> dict:  # type: ignore[type-arg]
    response = await stack.http.get("/api/v1/notifications", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _major_case(stack: Stack) -> str:
    opened = await stack.http.post("/api/v1/cases/wage-arrears", json=f.intake(workers=12))
    assert opened.status_code == 201, opened.text
    return str(opened.json()["case_id"])


async def test_wa2_triage_needed_is_in_the_county_supervisors_inbox_only(stack: Stack) -> None:
    """WA-2/WA-3: a major case's triage_needed reaches the supervisors of its county (the
    routing table's recipients); an inspector of the county and a supervisor elsewhere do
    not see it. Read marks are per user; /me counts what is unread."""
    supervisor = await stack.login(Role.supervisor, (f.COUNTY,))
    other = await stack.login(Role.supervisor, (OUTSIDE,))
    inspector = await stack.login(Role.inspector, (f.COUNTY,))
    case_id = await _major_case(stack)
    for _ in range(100):
        page = await _inbox(stack, supervisor, case_id=case_id)
        if page["total"]:
            break
        await asyncio.sleep(0.1)
    [entry] = page["items"]
    assert entry["kind"] == "triage_needed" and entry["read"] is False
    assert case_id in entry["text"] and "待研判" in entry["text"]
    english = await _inbox(stack, supervisor, case_id=case_id, lang="en")
    assert "needs triage" in english["items"][0]["text"]
    assert (await _inbox(stack, other, case_id=case_id))["total"] == 0
    assert (await _inbox(stack, inspector, case_id=case_id))["total"] == 0

    me = (await stack.http.get("/api/v1/me", headers=supervisor)).json()
    assert me["role"] == "supervisor" and me["counties"] == [f.COUNTY]
    before = me["unread"]
    assert before >= 1
    hidden = await stack.http.post(f"/api/v1/notifications/{entry['id']}/read", headers=other)
    assert hidden.status_code == 404
    assert hidden.json()["error"]["code"] == "notification_not_found"
    marked = await stack.http.post(f"/api/v1/notifications/{entry['id']}/read", headers=supervisor)
    assert marked.json() == {"marked": 1, "unread": before - 1}
    again = await stack.http.post(f"/api/v1/notifications/{entry['id']}/read", headers=supervisor)
    assert again.json()["marked"] == 0
    assert (await _inbox(stack, supervisor, case_id=case_id))["items"][0]["read"] is True
    everything = await stack.http.post("/api/v1/notifications/read-all", headers=supervisor)
    assert everything.json()["unread"] == 0


async def test_unread_entries_come_first_and_the_list_pages(stack: Stack) -> None:
    supervisor = await stack.login(Role.supervisor, (f.COUNTY,))
    first, second = await _major_case(stack), await _major_case(stack)
    for _ in range(100):
        if (await _inbox(stack, supervisor, kind="triage_needed"))["total"] >= 2:
            break
        await asyncio.sleep(0.1)
    page = await _inbox(stack, supervisor, kind="triage_needed", limit="1")
    assert len(page["items"]) == 1 and page["total"] >= 2
    newest = page["items"][0]
    assert newest["case_id"] == second
    await stack.http.post(f"/api/v1/notifications/{newest['id']}/read", headers=supervisor)
    page = await _inbox(stack, supervisor, kind="triage_needed")
    order = [i["case_id"] for i in page["items"]]
    assert order.index(first) < order.index(second)  # unread first
    unread = await _inbox(stack, supervisor, kind="triage_needed", unread_only="true")
    assert second not in {i["case_id"] for i in unread["items"]}


async def test_bad_inbox_filters_are_refused_with_422(stack: Stack) -> None:
    supervisor = await stack.login(Role.supervisor, (f.COUNTY,))
    for params in ({"case_id": "not-a-case"}, {"limit": "0"}, {"kind": "DROP TABLE"}):
        response = await stack.http.get("/api/v1/notifications", params=params, headers=supervisor)
        assert response.status_code == 422, params
