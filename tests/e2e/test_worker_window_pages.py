"""The worker's window in headless Chromium at a phone's width (390 px), against the real
stack: a worker files a complaint, gets the code through the SMS mail drop, and follows the
case as staff accept it, record a payment and settle it; wrong codes lock; another worker of
the same case sees only their own amounts; an unknown case number gets the same answer.
Each page is photographed at 390 px and 1366 px and must fit the window's width.
"""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, no_script_errors, page_as
from tests.e2e.test_workbench_pages import fits as fits_at
from tests.e2e.test_worker_window import (
    CASES,
    COUNTY,
    SAME_ANSWER,
    code_from_sms,
    complaint_form,
    mobile,
    staff_open,
    staff_open_named,
    texts,
)

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages

PHONE: ViewportSize = {"width": 390, "height": 844}
WIDTHS = (390, 1366)


async def phone(browser: Browser) -> Page:
    return await page_as(browser, None, viewport=PHONE, is_mobile=True, has_touch=True)


async def fits(page: Page, name: str) -> None:
    """At each width: photographed, and no wider than the window; then back on the phone."""
    await fits_at(page, name, WIDTHS, PHONE["height"])
    await page.set_viewport_size(PHONE)


async def ask_code(page: Page, stack: Stack, case_number: str, number: str) -> None:
    await page.goto(f"{stack.base_url}/my")
    await page.fill("#case_number", case_number)
    await page.fill("#mobile", number)
    await page.click("#ask-code button[type=submit]")


async def sign_in(page: Page, stack: Stack, case_id: str, number: str) -> None:
    await ask_code(page, stack, case_id, number)
    await expect(page).to_have_url(f"{stack.base_url}/my/code")
    code = await code_from_sms(stack, case_id)
    await page.fill("#code", code)
    await page.click("#verify button[type=submit]")
    await expect(page).to_have_url(f"{stack.base_url}/my/case")


async def act(
    stack: Stack, headers: dict[str, str], case_id: str, action: str, **body: str
) -> None:
    done = await stack.http.post(f"{CASES}/{case_id}/actions/{action}", json=body, headers=headers)
    assert done.status_code == 200, done.text


async def test_a_worker_files_a_complaint_and_follows_it_to_settlement(
    stack: Stack, browser: Browser
) -> None:
    number = mobile()
    form = complaint_form(number)
    page = await phone(browser)
    await page.goto(f"{stack.base_url}/my")
    await fits(page, "my-start")
    await page.click("#to-complaint")
    await expect(page).to_have_url(f"{stack.base_url}/my/complaint")
    # A wrong ID number first: the form comes back with the error beside the field.
    for name in ("employer_name", "credit_code", "project_name", "amount", "months"):
        await page.fill(f"#{name}", form[name])
    await page.select_option("#county_code", COUNTY)
    await page.fill("#worker_name", form["worker_name"])
    await page.fill("#id_number", "140105199001011230")
    await page.fill("#mobile", number)
    await page.fill("#summary", form["summary"])
    await page.click("#complaint button[type=submit]")
    await expect(page.locator('[data-for="id_number"]')).to_contain_text("身份证号码不正确")
    await fits(page, "my-complaint-error")
    await page.fill("#id_number", form["id_number"])
    await page.click("#complaint button[type=submit]")
    case_id = (await page.locator("#new-case-id").inner_text()).strip()
    assert case_id.startswith("WA-")
    await fits(page, "my-complaint-done")
    [filed] = await texts(stack, case_id, "投诉已提交")
    assert case_id in filed

    await sign_in(page, stack, case_id, number)
    await expect(page.locator("#stage")).to_contain_text("正在等待受理")
    await expect(page.locator("#amounts")).to_contain_text("8,600.00 元")
    await expect(page.locator("#next")).to_contain_text("决定是否受理")
    await fits(page, "my-case-filed")

    inspector = await stack.login(Role.inspector, counties=[COUNTY])
    # The inspectors' work queue marks the worker's own complaint.
    work = await page_as(browser, inspector)
    await work.goto(f"{stack.base_url}/work")
    row = work.locator(f'#work tr[data-case-id="{case_id}"]')
    await expect(row).to_contain_text("网上投诉", timeout=15000)
    await work.context.close()
    await act(stack, inspector, case_id, "decide_complaint", decision="accept", reason="材料齐全")
    await page.reload()
    await expect(page.locator("#stage")).to_contain_text("正在办理")
    await texts(stack, case_id, "已受理")

    today = f.today().isoformat()
    await act(
        stack, inspector, case_id, "record_payment",
        worker_no="1", amount="8600.00", paid_on=today, reason="现场发放",
    )  # fmt: skip
    await page.reload()
    await expect(page.locator("#to-do")).to_contain_text("请确认是否收到")
    await expect(page.locator("#amounts")).to_contain_text("待您确认")
    await fits(page, "my-case-payment")

    await act(stack, inspector, case_id, "confirm_payment", payment_id="P1", reason="工人签字")
    await page.reload()
    await expect(page.locator("#stage")).to_contain_text("已全部支付")
    await expect(page.locator("#amounts")).to_contain_text("尚未支付")
    await fits(page, "my-case-settled")


async def test_wrong_codes_lock_and_an_unknown_case_gets_the_same_answer(
    stack: Stack, browser: Browser
) -> None:
    number = mobile()
    case_id = await staff_open(stack, [f.worker(821) | {"mobile": number}])
    page = await phone(browser)
    await ask_code(page, stack, "WA-2026-999997", number)
    unknown = await page.locator("main").inner_text()
    assert SAME_ANSWER in unknown
    await fits(page, "my-code")

    await ask_code(page, stack, case_id, number)
    assert await page.locator("main").inner_text() == unknown
    code = await code_from_sms(stack, case_id)
    wrong = f"{(int(code) + 7) % 10**6:06d}"
    for _ in range(4):
        await page.fill("#code", wrong)
        await page.click("#verify button[type=submit]")
        await expect(page.locator("#code-error")).to_contain_text("验证码不对")
    await fits(page, "my-code-wrong")
    await page.fill("#code", wrong)
    await page.click("#verify button[type=submit]")
    await expect(page.locator("#message-title")).to_have_text("已锁定")
    await fits(page, "my-locked")


async def test_another_worker_of_the_case_sees_only_their_own_amounts(
    stack: Stack, browser: Browser
) -> None:
    case_id, (first, second) = await staff_open_named(
        stack, (831, "4200.00", "赵六"), (832, "6900.00", "钱七")
    )
    page = await phone(browser)
    await sign_in(page, stack, case_id, second)
    text = await page.locator("body").inner_text()
    assert "6,900.00 元" in text
    for other in ("赵六", "4,200.00", first, "钱七", second, "11,100.00"):
        assert other not in text
    await fits(page, "my-case-second-worker")
