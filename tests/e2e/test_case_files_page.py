"""The case page's files and notices (_case_files.html), on a phone's 390 px: the order to
pay is offered once issued, produced from the page, listed among the files with its name,
and nothing overflows the screen's width."""

from __future__ import annotations

import json

import pytest
from playwright.async_api import Browser, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import (  # noqa: F401 (fixtures)
    SCRIPT_ERRORS,
    browser,
    no_script_errors,
    photograph,
)

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


async def test_the_case_page_offers_the_order_to_pay_and_lists_it_at_390_px(
    stack: Stack,
    browser: Browser,  # noqa: F811
) -> None:
    case_id = await stack.open_wage_arrears(f.intake())
    inspector = await stack.login(Role.inspector)
    issued = await stack.http.post(
        f"{CASES}/{case_id}/actions/issue_order_to_pay",
        json={"reason": "order issued"},
        headers=inspector,
    )
    assert issued.status_code == 200, issued.text

    context = await browser.new_context(viewport={"width": 390, "height": 844})
    token = inspector["Authorization"].removeprefix("Bearer ")
    await context.add_init_script(f"window.localStorage.setItem('lce_token', {json.dumps(token)});")
    page = await context.new_page()
    page.on("pageerror", lambda error: SCRIPT_ERRORS.append(f"{page.url}: {error}"))
    await page.goto(f"{stack.base_url}/board/cases/{case_id}")
    offer = page.locator('#notice-offers button[data-notice="order_to_pay"]')
    await expect(offer).to_be_visible(timeout=15000)
    await expect(page.locator("#files-none")).to_be_visible()
    await offer.click()
    await expect(page.locator("#notice-done")).to_contain_text("人社〔", timeout=15000)
    listed = page.locator("#file-list li.file a.file-name")
    await expect(listed).to_have_count(1)
    await expect(listed.first).to_contain_text("责令限期支付工资通知书")
    await expect(offer).to_contain_text("人社〔")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px screen"
    await page.locator("#case-files").scroll_into_view_if_needed()
    await photograph(page, "case-files-390")
    await context.close()
