"""The bell and the inbox in headless Chromium: the bell counts a supervisor's unread
notifications on every page, the inbox lists them in Chinese (English with the switch) with
links to their cases, and marking one read lowers the count. Photographed at 1366 px and
390 px wide into test-artifacts/."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import Browser, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, no_script_errors, page_as, photograph  # noqa: F401

pytestmark = pytest.mark.e2e

COUNTY = "140122"  # 阳曲县: no other test opens cases there


async def test_the_bell_counts_and_the_inbox_lists_a_supervisors_notifications(
    stack: Stack,
    browser: Browser,  # noqa: F811
) -> None:
    supervisor = await stack.login(Role.supervisor, (COUNTY,))
    case_ids = []
    for _ in range(2):
        intake = f.intake(
            workers=12, county_code=COUNTY, opened_by=f.actor(Role.mediator, COUNTY, id="med-yq")
        )
        opened = await stack.http.post("/api/v1/cases/wage-arrears", json=intake)
        assert opened.status_code == 201, opened.text
        case_ids.append(opened.json()["case_id"])
    for _ in range(100):
        me = (await stack.http.get("/api/v1/me", headers=supervisor)).json()
        if me["unread"] >= 2:
            break
        await asyncio.sleep(0.1)
    unread = me["unread"]

    page = await page_as(browser, supervisor)
    await page.set_viewport_size({"width": 1366, "height": 800})
    await page.goto(f"{stack.base_url}/board")
    await expect(page.locator("#bell-count")).to_have_text(str(unread))
    await page.locator("#bell").click()
    await page.wait_for_url("**/inbox?lang=zh")
    items = page.locator("#inbox li.unread")
    await expect(items).to_have_count(unread)
    first = items.first
    await expect(first.locator("a")).to_contain_text("待研判")
    await expect(first.locator("a")).to_have_attribute(
        "href", f"/board/cases/{case_ids[1]}?lang=zh"
    )
    await photograph(page, "inbox-1366")
    await first.locator("button").click()
    await expect(page.locator("#bell-count")).to_have_text(str(unread - 1))
    await expect(page.locator("#inbox li.read")).to_have_count(1)

    await page.set_viewport_size({"width": 390, "height": 844})
    await page.goto(f"{stack.base_url}/inbox?lang=en")
    await expect(page.locator("#inbox li").first).to_contain_text("needs triage")
    await photograph(page, "inbox-390")
    await page.locator("#mark-all").click()
    await expect(page.locator("#bell-count")).to_be_hidden()
