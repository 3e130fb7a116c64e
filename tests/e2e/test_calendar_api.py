"""The calendar admin API over HTTP (CAL-2): admins only, malformed schedules refused, a
loaded year recomputes the running cases' provisional deadlines in a background sweep (202,
its progress at its status URL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete
from sqlmodel import col

from domain.common import CST, Role
from store.calendar import CalendarYearRecord, load_schedules
from store.db import make_engine
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CALENDAR = "/api/v1/admin/calendar"
NOTICE = "国办发明电〔2026〕7号"
GOOD_2027 = {
    "holidays": ["2027-01-01", "2027-02-08"],
    "makeup_workdays": ["2027-02-06"],
    "source": NOTICE,
}


@pytest.fixture
async def admin(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """The stack's API as an admin; the years a test loads are forgotten afterwards, so the
    other end-to-end tests keep the package's calendar."""
    engine = make_engine(stack.settings.database_url)
    loaded_before = set(load_schedules(engine))
    headers = await stack.login(Role.admin)
    async with httpx.AsyncClient(base_url=stack.base_url, headers=headers, timeout=60) as http:
        yield http
    with engine.begin() as conn:
        conn.execute(
            delete(CalendarYearRecord).where(col(CalendarYearRecord.year).not_in(loaded_before))
        )
    engine.dispose()


async def finished(admin: httpx.AsyncClient, started: dict[str, Any]) -> dict[str, Any]:
    """The sweep's status once it has completed (it is background work: polled)."""
    for _ in range(600):
        response = await admin.get(started["status_url"])
        assert response.status_code == 200, response.text
        status = response.json()
        if status["status"] != "running":
            assert status["status"] == "completed", status
            return dict(status)
        await asyncio.sleep(0.1)
    raise AssertionError(f"the sweep {started['sweep_id']} did not finish")


def loaded_years(stack: Stack) -> set[int]:
    engine = make_engine(stack.settings.database_url)
    try:
        return set(load_schedules(engine))
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", CALENDAR, None),
        ("PUT", f"{CALENDAR}/2027", GOOD_2027),
        ("PUT", f"{CALENDAR}/2027", {"holidays": []}),
        ("POST", f"{CALENDAR}/recompute", None),
    ],
)
async def test_the_calendar_admin_is_for_admins_only(
    stack: Stack, method: str, path: str, body: dict[str, Any] | None
) -> None:
    for role in (Role.mediator, Role.inspector, Role.supervisor, Role.agency_clerk):
        headers = await stack.login(role)
        response = await stack.http.request(method, path, json=body, headers=headers)
        assert response.status_code == 403, (role, response.text)
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert "admin" in error["message"]
    async with httpx.AsyncClient(base_url=stack.base_url) as anonymous:
        response = await anonymous.request(method, path, json=body)
    assert response.status_code == 401, response.text
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert 2027 not in loaded_years(stack)


@pytest.mark.parametrize(
    ("path", "body", "code", "problem"),
    [
        (
            "2027",
            {**GOOD_2027, "holidays": ["2026-12-31", "2027-01-01"]},
            "invalid_schedule",
            (["body", "holidays", "0"], "wrong_year"),
        ),
        (
            "2027",
            {**GOOD_2027, "makeup_workdays": ["2027-02-10"]},  # a Wednesday
            "invalid_schedule",
            (["body", "makeup_workdays", "0"], "makeup_on_weekday"),
        ),
        (
            "2027",
            {**GOOD_2027, "holidays": ["2027-01-01", "2027-02-06"]},  # also the make-up day
            "invalid_schedule",
            (["body", "makeup_workdays", "0"], "holiday_and_workday"),
        ),
        (
            "2027",
            {**GOOD_2027, "holidays": ["2027-01-01", "2027-01-01"]},
            "invalid_schedule",
            (["body", "holidays", "1"], "duplicate"),
        ),
        ("1999", GOOD_2027, "invalid_input", None),
        ("2027", {**GOOD_2027, "holidays": []}, "invalid_input", None),
        ("2027", {**GOOD_2027, "source": ""}, "invalid_input", None),
        ("2027", {**GOOD_2027, "source": "x" * 201}, "invalid_input", None),
        ("2027", {**GOOD_2027, "holidays": ["2027-02-30"]}, "invalid_input", None),
    ],
)
async def test_a_malformed_schedule_is_refused_and_nothing_is_loaded(
    stack: Stack,
    admin: httpx.AsyncClient,
    path: str,
    body: dict[str, Any],
    code: str,
    problem: tuple[list[str], str] | None,
) -> None:
    response = await admin.put(f"{CALENDAR}/{path}", json=body)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == code
    if problem is not None:
        assert [(d["loc"], d["type"]) for d in error["details"]] == [problem]
    assert loaded_years(stack) == set()


def investigation(case: dict[str, Any]) -> dict[str, Any]:
    return next(d for d in case["deadlines"] if d["name"] == "investigation")


def last_day(due_at: str) -> date:
    """A due time is the midnight (CST) that ends the period's last day."""
    return datetime.fromisoformat(due_at).astimezone(CST).date() - timedelta(days=1)


async def test_loading_a_year_recomputes_the_running_cases(
    stack: Stack, admin: httpx.AsyncClient
) -> None:
    """CAL-2: the investigation's last day becomes a holiday, so the deadline moves, and it is
    no longer provisional once its year is loaded."""
    opened = await stack.http.post("/api/v1/cases/wage-arrears", json=f.intake(source="inspection"))
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    before = investigation(opened.json())
    year = last_day(before["due_at"]).year
    schedule = {
        "holidays": [last_day(before["due_at"]).isoformat()],
        "makeup_workdays": [],
        "source": NOTICE,
    }

    response = await admin.put(f"{CALENDAR}/{year}", json=schedule)

    assert response.status_code == 202, response.text
    saved = response.json()
    version = saved["calendar_version"]
    assert saved["year"] == year and saved["changed_schedule"] is True
    assert f"+{year}:" in version and saved["sweep"]["calendar_version"] == version
    assert saved["sweep"]["sweep_id"].startswith(f"calendar-sweep-{year}-")
    done = await finished(admin, saved["sweep"])
    progress = done["progress"]
    assert progress["done"] is True and progress["calendar_version"] == version
    assert progress["changed"] >= 1 and progress["cases_checked"] >= 1
    assert case_id not in [c["case_id"] for c in progress["failures"]]
    after = investigation((await stack.http.get(f"/api/v1/cases/{case_id}")).json())
    assert after["due_at"] != before["due_at"]
    assert after["provisional"] is False and after["calendar_version"] == version

    overview = (await admin.get(CALENDAR)).json()
    assert overview["calendar_version"] == version
    [row] = [y for y in overview["years"] if y["year"] == year]
    assert (
        row["source"] == NOTICE and row["holiday_count"] == 1 and row["makeup_workday_count"] == 0
    )
    assert len(row["digest"]) == 64

    # Loading the same schedule again changes nothing: the same sweep (one id per year and
    # version), run again, finds this case no longer stale.
    again = await admin.put(f"{CALENDAR}/{year}", json=schedule)
    assert again.status_code == 202, again.text
    assert again.json()["changed_schedule"] is False
    assert again.json()["sweep"]["sweep_id"] == saved["sweep"]["sweep_id"]
    await finished(admin, again.json()["sweep"])
    assert investigation((await stack.http.get(f"/api/v1/cases/{case_id}")).json()) == after
    swept = await admin.post(f"{CALENDAR}/recompute")
    assert swept.status_code == 202, swept.text
    assert swept.json()["calendar_version"] == version
    assert (await finished(admin, swept.json()))["progress"]["failed"] == 0


async def test_an_unknown_sweep_is_404(admin: httpx.AsyncClient) -> None:
    response = await admin.get(f"{CALENDAR}/sweeps/calendar-sweep-2031-{'0' * 16}")
    assert response.status_code == 404, response.text
    assert response.json()["error"]["code"] == "not_found"
    malformed = await admin.get(f"{CALENDAR}/sweeps/WA-2026-000001")
    assert malformed.status_code == 422, malformed.text


async def test_a_schedule_with_make_up_days_is_loaded_and_listed(
    stack: Stack, admin: httpx.AsyncClient
) -> None:
    response = await admin.put(
        f"{CALENDAR}/2099",
        json={**GOOD_2027, "holidays": ["2099-01-01"], "makeup_workdays": ["2099-01-03"]},
    )
    assert response.status_code == 202, response.text
    assert (await finished(admin, response.json()["sweep"]))["progress"]["failed"] == 0
    overview = (await admin.get(CALENDAR)).json()
    [row] = [y for y in overview["years"] if y["year"] == 2099]
    assert row["holiday_count"] == 1 and row["makeup_workday_count"] == 1
    assert overview["calendar_version"].endswith(f"+2099:{row['digest'][:10]}")
