"""The project page and the board's projects at risk (PW-1..PW-4), as people read them: in
Chinese, at 390 px, with the months as a grid and no personal data for a supervisor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, expect

from devstack.demo import credit_code, resident_id
from devstack.demo_projects import load_projects
from domain.common import CST, Role
from tests import factories as f
from tests import project_factories as pf
from tests.e2e.conftest import Stack
from tests.e2e.test_chinese_pages import loaded, no_english
from tests.e2e.test_pages import browser, no_script_errors, page_as, page_of
from tests.e2e.test_workbench_pages import fits

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages


async def open_project(stack: Stack, month: str) -> str:
    inspector = await stack.login(Role.inspector)
    body = pf.project_intake(month)
    del body["opened_by"]
    response = await stack.http.post("/api/v1/projects", json=body, headers=inspector)
    assert response.status_code == 201, response.text
    case_id: str = response.json()["case_id"]
    funding = {k: v for k, v in pf.funding(month).items() if k != "actor"}
    sheet = {k: v for k, v in pf.sheet(month, [1, 2]).items() if k != "actor"}
    for path, batch in (("funding", funding), ("wage-sheets", sheet)):
        sent = await stack.http.post(
            f"/api/v1/projects/{case_id}/{path}", json=batch, headers=inspector
        )
        assert sent.status_code in (200, 409), sent.text
    return case_id


async def test_pw1_the_project_page_shows_its_months_as_a_grid_in_chinese(
    stack: Stack, browser: Browser
) -> None:
    month = pf.month_of(datetime.now(UTC))
    case_id = await open_project(stack, month)
    page = await page_as(browser, await stack.login(Role.supervisor, counties=[f.COUNTY]))
    await loaded(page, f"{stack.base_url}/board/projects/{case_id}")
    await expect(page.locator(f'#months tr[data-month="{month}"]')).to_have_count(1)
    await expect(page.locator('#grid tr[data-worker-no="2"]')).to_have_count(1)
    roster = await page.locator("#roster").inner_text()
    # PW-1: the supervisor sees the roster masked.
    assert f.resident_id(1) not in roster and "*" in roster
    await no_english(page, "project")
    await fits(page, "project")


async def test_pw2_the_board_lists_a_project_whose_funding_cycle_passed(
    stack: Stack, browser: Browser
) -> None:
    now = datetime.now(CST)
    last_month = pf.month_of(now.replace(day=1) - timedelta(days=1))
    case_id = await open_project(stack, last_month)
    page = await page_of(browser, stack, Role.inspector, f.COUNTY, "/board")
    row = page.locator(f'#projects tr[data-case-id="{case_id}"]')
    for _ in range(20):
        if await row.count():
            break
        await page.reload()
        await page.wait_for_timeout(500)
    await expect(row).to_have_count(1)
    assert last_month in await row.inner_text()
    await expect(page.locator(f'#projects-by-county li[data-county="{f.COUNTY}"]')).to_have_count(1)


async def test_pw2_the_dashboard_counts_the_projects_watched_and_at_risk_per_county(
    stack: Stack, browser: Browser
) -> None:
    now = datetime.now(CST)
    last_month = pf.month_of(now.replace(day=1) - timedelta(days=1))
    await open_project(stack, last_month)
    supervisor = await stack.login(Role.supervisor, counties=[f.COUNTY])
    # What the API counts for the county, the dashboard's row shows (or more, loaded later).
    listed = (
        await stack.http.get("/api/v1/projects", params={"at_risk": "true"}, headers=supervisor)
    ).json()
    active = listed["active_by_county"][f.COUNTY]
    late = listed["at_risk_by_county"][f.COUNTY].get("funding_late", 0)
    assert active >= 1 and late >= 1
    page = await page_as(browser, supervisor)
    await loaded(page, f"{stack.base_url}/dashboard")
    row = page.locator(f'#project-counts tr[data-county="{f.COUNTY}"]')
    await expect(row).to_have_count(1)
    cells = await row.locator("td").all_inner_texts()
    assert int(cells[1]) >= active and int(cells[2]) >= late
    await expect(page.locator('#project-counts tr[data-county="all"]')).to_have_count(1)
    await no_english(page, "dashboard")
    await fits(page, "dashboard-projects")


async def test_pw4_the_board_shows_the_demos_missed_payroll_and_the_case_it_opened(
    stack: Stack, browser: Browser
) -> None:
    """What `demo` leaves on the board: the project whose missed payroll opened a wage-arrears
    case by itself, its row linking the case, at desktop width and at 390 px."""
    inspector = await stack.login(Role.inspector, counties=[f.COUNTY])
    token = inspector["Authorization"].removeprefix("Bearer ")
    loaded_projects = await load_projects(
        stack.http, token, f.COUNTY, credit_code, resident_id, say=lambda _: None
    )
    found = {**loaded_projects.already_there, **loaded_projects.opened}
    project_id = found["missed_payroll"]
    detail = (await stack.http.get(f"/api/v1/projects/{project_id}", headers=inspector)).json()
    case_id = detail["open_case_id"]
    assert case_id is not None and detail["risk"] == "high_risk"

    page = await page_as(browser, inspector)
    await page.goto(f"{stack.base_url}/board")
    row = page.locator(f'#projects tr[data-case-id="{project_id}"]')
    await expect(row).to_have_count(1, timeout=15000)
    await expect(row.locator(f'a[href^="/board/cases/{case_id}"]')).to_have_count(1)
    await fits(page, "board-demo-projects")
    await row.locator(f'a[href^="/board/cases/{case_id}"]').click()
    await expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=15000)
    assert "monitoring" in await page.content() or "监控" in await page.content()
