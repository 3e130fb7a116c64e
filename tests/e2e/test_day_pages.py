"""A day's work in the browser for each role beside the mediator's (tests/e2e/
test_workbench_pages.py): a supervisor triages a case and extends its investigation with an
approver picked from the county's supervisors (WA-2, WA-12); an inspector issues an order to
pay (WA-6) and is told why a police referral must wait (WA-10); a clerk moves a transfer one
step (SI-1)."""

from __future__ import annotations

import uuid

import pytest
from playwright.async_api import Browser, Page, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, drawn, no_script_errors, page_as
from tests.e2e.test_workbench_pages import (
    CASES,
    COUNTY,
    fits,
    refused_beside,
    transfer_from_zhengzhou,
)

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages


async def open_wage_case(stack: Stack, source: str = "complaint") -> str:
    intake = f.intake(
        workers=1,
        amount="48000.00",
        source=source,
        county_code=COUNTY,
        employer={
            "name": f"古交市宏远建设工程有限公司{uuid.uuid4().hex[:6]}",
            "credit_code": f.EMPLOYER_CODE,
        },
        opened_by=f.actor(Role.inspector, COUNTY, id="inspector-gj"),
    )
    return await stack.open_wage_arrears(intake)


async def case_page_as(
    browser: Browser, stack: Stack, headers: dict[str, str], case_id: str
) -> Page:
    page = await page_as(browser, headers)
    await page.goto(f"{stack.base_url}/board/cases/{case_id}")
    await drawn(page)
    return page


async def done(page: Page) -> None:
    await expect(page.locator("#action-done")).to_be_visible(timeout=15000)


async def test_a_supervisor_triages_and_extends_the_investigation_with_an_approver(
    stack: Stack, browser: Browser
) -> None:
    case_id = await open_wage_case(stack, source="inspection")
    approver_id = f"supervisor-gj-{uuid.uuid4().hex[:6]}"
    await stack.login(Role.supervisor, counties=[COUNTY], user_id=approver_id)
    supervisor = await stack.login(Role.supervisor, counties=[COUNTY])
    page = await case_page_as(browser, stack, supervisor, case_id)

    await page.click('#action-buttons [data-action="triage"]')
    form = page.locator('form[data-action="triage"]')
    await form.locator("#f-severity").select_option(label="一般")
    await form.locator("#f-reason").fill("一名工人，金额不大，按一般问题办理")
    await form.locator("button[type=submit]").click()
    await done(page)
    settle = page.locator("#deadlines tbody tr", has_text="清偿时限")
    await expect(settle).to_have_count(1)

    # WA-12: the investigation's extension is approved by someone other than the actor.
    row = page.locator("#deadlines tbody tr", has_text="调查处理")
    before = await row.locator("td").nth(2).inner_text()
    await row.locator('[data-action="extend_deadline"]').click()
    form = page.locator('form[data-action="extend_deadline"]')
    await expect(form.locator("#f-deadline")).to_have_value("investigation")
    options = await form.locator("#f-approver option").all_inner_texts()
    assert any(approver_id in o for o in options)
    await form.locator("#f-days").fill("10")
    await form.locator("#f-reason").fill("案情复杂，需调取银行流水")
    await form.locator("button[type=submit]").click()
    error = form.locator(".form-error")
    await expect(error).to_contain_text("延长时限须有批准人")  # WA-12: no approver picked
    label = next(o for o in options if approver_id in o)
    await form.locator("#f-approver").select_option(label=label)
    await form.locator("button[type=submit]").click()
    await done(page)
    row = page.locator("#deadlines tbody tr", has_text="调查处理")
    await expect(row.locator("td").nth(2)).not_to_have_text(before)
    # Extended once, the most WA-12 allows: the row offers no second extension.
    await expect(row.locator('[data-action="extend_deadline"]')).to_have_count(0)
    await expect(page.locator("#timeline")).to_contain_text("延长时限")
    await fits(page, "supervisor-extended")
    text = await page.locator("main").inner_text()
    assert "extend_deadline" not in text and "investigation" not in text


async def test_an_inspector_issues_an_order_to_pay_and_is_told_the_police_must_wait(
    stack: Stack, browser: Browser
) -> None:
    case_id = await open_wage_case(stack)
    inspector = await stack.login(Role.inspector, counties=[COUNTY])
    page = await case_page_as(browser, stack, inspector, case_id)
    # WA-10: before an order to pay was missed, the referral is listed with why, not offered.
    await expect(page.locator('#action-buttons [data-action="refer_to_police"]')).to_have_count(0)
    waiting = page.locator('#action-not-yet [data-not-yet="refer_to_police"]')
    await page.locator("#action-not-yet summary").click()
    await expect(waiting).to_contain_text("WA-10")
    await expect(waiting).to_contain_text("只能在责令限期支付逾期未履行后办理（WA-6）")

    await page.click('#action-buttons [data-action="issue_order_to_pay"]')
    form = page.locator('form[data-action="issue_order_to_pay"]')
    await form.locator("#f-days").fill("7")
    await form.locator("#f-reason").fill("责令用人单位7日内支付拖欠工资")
    await form.locator("button[type=submit]").click()
    await done(page)
    await expect(page.locator("#deadlines tbody tr", has_text="责令限期支付")).to_have_count(1)
    await expect(page.locator('#action-buttons [data-action="issue_order_to_pay"]')).to_have_count(
        0
    )

    # Tried all the same, the workflow refuses it: 409 with the rule, nothing recorded.
    await page.locator("#action-not-yet").evaluate("box => { box.open = true; }")
    await page.locator('#action-not-yet [data-not-yet="refer_to_police"] button').click()
    form = page.locator('form[data-action="refer_to_police"]')
    await form.locator("#f-reason").fill("用人单位拒不支付")
    await form.locator("button[type=submit]").click()
    await refused_beside(form, 409, "WA-10", "责令限期支付逾期未履行")
    await fits(page, "inspector-police-refused")
    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=inspector)).json()
    assert not any(
        e.get("action") == "refer_to_police" and e.get("outcome", "").startswith("done")
        for e in history["events"]
    )


async def test_a_clerk_issues_the_acceptance_letter(stack: Stack, browser: Browser) -> None:
    clerk = await stack.login(Role.agency_clerk, counties=[COUNTY])
    transfer = transfer_from_zhengzhou(
        "pension",
        (883, "孙八", "13912345672"),
        ("郑州市中原区社会保险中心", "古交市社会保险中心"),
        "参保人由郑州转回古交",
        contributions=[{"year": 2025, "months": 12, "monthly_base": "4500.00"}],
    )
    case_id = await stack.open_case("insurance-transfers", transfer, clerk)
    page = await case_page_as(browser, stack, clerk, case_id)
    await page.click('#action-buttons [data-action="issue_acceptance_letter"]')
    form = page.locator('form[data-action="issue_acceptance_letter"]')
    # CAL-3: the day the application came is not before the case was opened (today).
    await form.locator("#f-received_on").fill(f.today().isoformat())
    await form.locator("#f-reason").fill("材料齐全，出具联系函")
    await form.locator("button[type=submit]").click()
    await done(page)
    await expect(page.locator("#case-status")).to_have_text("已出具联系函")
    await expect(page.locator("#timeline")).to_contain_text("出具联系函")
    await fits(page, "clerk-letter-issued")
