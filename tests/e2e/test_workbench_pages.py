"""A day's work in the browser: a mediator finds their case under My work, records a payment
from the case page's form (generated from the action's own schema) and confirms it; a
refused action shows its refusal in Chinese beside the form; an action the user may not take
is never offered. Each page is photographed at 1366 and 390 px wide and must not overflow.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, drawn, no_script_errors, page_as, page_of, photograph

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages

COUNTY = "140181"  # 古交市: no other test opens cases there
CASES = "/api/v1/cases"
WIDTHS = (1366, 390)


async def open_case(stack: Stack) -> tuple[str, str]:
    """A general wage-arrears case of one worker owed 3 000, with its own case number."""
    number = f"古人社监〔2026〕{uuid.uuid4().hex[:6]}号"
    intake = f.intake(
        workers=1,
        county_code=COUNTY,
        case_number=number,
        opened_by=f.actor(Role.mediator, COUNTY, id="mediator-gj"),
    )
    return await stack.open_wage_arrears(intake), number


def transfer_from_zhengzhou(
    kind: str,
    worker: tuple[int, str, str],
    offices: tuple[str, str],
    summary: str,
    **fields: Any,
) -> dict[str, Any]:
    """A social-insurance transfer from Zhengzhou's Zhongyuan district into this county:
    `worker` is (serial, name, mobile), `offices` the old and the new agency's names."""
    serial, name, mobile = worker
    return {
        "kind": kind,
        "worker": {
            "name": name,
            "id_number": f.resident_id(serial, region="410102"),
            "mobile": mobile,
        },
        "from_agency": {"county_code": "410102", "name": offices[0]},
        "to_agency": {"county_code": COUNTY, "name": offices[1]},
        "summary": summary,
        **fields,
    }


async def refused_beside(form: Locator, status: int, *texts: str) -> Locator:
    """The form's error box, once it shows the HTTP `status` of the refusal and each text."""
    error = form.locator(".form-error")
    await expect(error).to_have_attribute("data-status", str(status))
    for text in texts:
        await expect(error).to_contain_text(text)
    return error


async def fits(page: Page, name: str, widths: tuple[int, ...] = WIDTHS, height: int = 900) -> None:
    """At each width: photographed, and no wider than the window (no sideways scrolling)."""
    for width in widths:
        await page.set_viewport_size({"width": width, "height": height})
        wide = await page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name} is {wide} px wide at {width} px"
        await photograph(page, f"{name}-{width}")


async def case_page(browser: Browser, stack: Stack, case_id: str) -> Page:
    page = await page_of(browser, stack, Role.mediator, COUNTY, f"/board/cases/{case_id}")
    await drawn(page)
    return page


async def test_the_api_says_which_actions_are_the_callers_and_their_schemas(
    stack: Stack,
) -> None:
    case_id, _ = await open_case(stack)
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    detail = (await stack.http.get(f"{CASES}/{case_id}", headers=mediator)).json()
    allowed = {a["action"]: a["allowed"] for a in detail["available_actions"]}
    assert allowed["record_payment"] is True
    assert allowed["issue_order_to_pay"] is False  # WA-6: an inspector's

    schema = await stack.http.get(
        "/api/v1/actions/wage_arrears/record_payment/schema", headers=mediator
    )
    assert schema.status_code == 200, schema.text
    body = schema.json()
    assert "actor" not in body["properties"] and "request" not in body["properties"]
    assert set(body["required"]) == {"reason", "worker_no", "amount", "paid_on"}
    assert body["$defs"]["PaidBy"]["enum"][0] == "employer"
    assert "Actor" not in body["$defs"]
    unknown = await stack.http.get(
        "/api/v1/actions/wage_arrears/pay_twice/schema", headers=mediator
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_action"
    forms = (await stack.http.get("/api/v1/actions/dispute", headers=mediator)).json()
    assert {form["action"] for form in forms} >= {"record_agreement", "record_award"}


async def test_a_mediator_records_a_payment_from_the_case_page_and_confirms_it(
    stack: Stack, browser: Browser
) -> None:
    case_id, _ = await open_case(stack)
    page = await case_page(browser, stack, case_id)
    buttons = page.locator("#action-buttons button")
    await expect(buttons.filter(has_text="登记付款")).to_have_count(1)
    # Listed by the API for the case's state, but an inspector's: never offered.
    await expect(page.locator('#action-buttons [data-action="issue_order_to_pay"]')).to_have_count(
        0
    )

    await page.click('#action-buttons [data-action="record_payment"]')
    form = page.locator('form[data-action="record_payment"]')
    await expect(form.locator("select#f-paid_by option:checked")).to_have_text("用人单位")
    await form.locator("#f-worker_no").fill("1")
    await form.locator("#f-amount").fill("3000.00")
    await form.locator("#f-paid_on").fill(f.today().isoformat())
    await form.locator("#f-reason").fill("用人单位现场发放")
    await fits(page, "case-action-form")
    await form.locator("button[type=submit]").click()

    row = page.locator('#payments tr[data-payment-id="P1"]')
    await expect(row).to_contain_text("3,000.00")
    await expect(row).to_contain_text("待确认")
    await expect(page.locator('#timeline li[data-what="record_payment"]')).to_contain_text(
        "用人单位现场发放"
    )
    await expect(page.locator("#action-done")).to_contain_text("登记付款")

    await page.click('#action-buttons [data-action="confirm_payment"]')
    confirm = page.locator('form[data-action="confirm_payment"]')
    await confirm.locator("#f-payment_id").fill("P1")
    await confirm.locator("#f-reason").fill("工人签字确认")
    await confirm.locator("button[type=submit]").click()
    await expect(page.locator("#case-status")).to_have_text("已清偿")
    await expect(row).to_contain_text("已确认")
    await expect(page.locator('#timeline li[data-what="confirm_payment"]')).to_have_count(1)
    text = await page.locator("main").inner_text()
    assert "done" not in text and "record_payment" not in text  # no English on the page
    await fits(page, "case-after-payment")


async def test_a_refused_action_shows_why_in_chinese_beside_the_form(
    stack: Stack, browser: Browser
) -> None:
    case_id, _ = await open_case(stack)
    page = await case_page(browser, stack, case_id)
    await page.click('#action-buttons [data-action="record_payment"]')
    form = page.locator('form[data-action="record_payment"]')
    # Nothing sent without the required fields: each says so.
    await form.locator("button[type=submit]").click()
    await expect(form.locator('[data-field="amount"] .field-error')).to_have_text(
        re.compile("必填")
    )
    await form.locator("#f-worker_no").fill("1")
    await form.locator("#f-amount").fill("5000.00")
    await form.locator("#f-paid_on").fill(f.today().isoformat())
    await form.locator("#f-reason").fill("多登记了")
    await form.locator("button[type=submit]").click()
    await refused_beside(
        form,
        422,
        "填写的内容不符合规则",
        "WA-5 · 清偿并确认",
        "支付金额超过第1名劳动者尚欠的工资（3000.00）",
    )

    # WA-7: a deposit's payment before the deposit was drawn is refused by the case's state.
    await form.locator("#f-amount").fill("100.00")
    await form.locator("#f-paid_by").select_option(label="工资保证金")
    await form.locator("button[type=submit]").click()
    await refused_beside(form, 409, "案件当前状态不允许此操作", "WA-7 · 工资保证金")
    await expect(page.locator("#payments tbody tr")).to_have_count(0)  # nothing changed
    await fits(page, "case-refused")


async def test_my_work_lists_the_users_case_with_its_deadline(
    stack: Stack, browser: Browser
) -> None:
    case_id, number = await open_case(stack)
    headers = await stack.login(Role.mediator, counties=[COUNTY], user_id="mediator-gj-work")
    page = await page_as(browser, headers)
    await page.goto(f"{stack.base_url}/work")
    await drawn(page)
    await expect(page.locator("#whoami")).to_have_text("mediator-gj-work · 调解员 · 古交市")
    counties = page.locator('#filters select[name="county_code"] option')
    assert await counties.all_inner_texts() == ["全部", "古交市"]
    await page.fill('input[name="case_number"]', number)
    await page.click("#filters button[type=submit]")
    row = page.locator(f'#work tr[data-case-id="{case_id}"]')
    await expect(row).to_have_count(1)
    await expect(page.locator("#work tbody tr")).to_have_count(1)
    await expect(row).to_contain_text("WA-1 · 一般问题3日内清偿")
    await expect(row).to_contain_text("办理中")
    await fits(page, "my-work")
    await row.locator("a").click()
    await expect(page).to_have_url(re.compile(f"/board/cases/{case_id}"))


@pytest.mark.parametrize("path", ["/board", "/dashboard", "/inbox"])
async def test_other_pages_fit_a_phone(stack: Stack, browser: Browser, path: str) -> None:
    await open_case(stack)
    page = await page_of(browser, stack, Role.supervisor, COUNTY, path)
    await page.wait_for_load_state("networkidle")
    await fits(page, "page" + path.replace("/", "-"))
