"""Opening a dispute and a social-insurance transfer from My work, with forms built from the
kinds' own intake models; each role sees the buttons of the kinds it may open, and only
those; a field's refusal stands beside the field, in Chinese."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from playwright.async_api import Browser, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, drawn, no_script_errors, page_as
from tests.e2e.test_work_pages import work_page
from tests.e2e.test_workbench_pages import COUNTY, fits, refused_beside

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages

BUTTONS = {
    "wage_arrears": "#new-case-open",
    "dispute": "#new-dispute-open",
    "insurance_transfer": "#new-transfer-open",
}


@pytest.mark.parametrize(
    ("role", "opens"),
    [
        (Role.mediator, {"wage_arrears", "dispute"}),
        (Role.supervisor, {"wage_arrears", "dispute", "project_watch"}),
        (Role.agency_clerk, {"insurance_transfer"}),
        (Role.admin, set()),
    ],
)
async def test_each_role_sees_the_kinds_it_may_open_and_no_other(
    stack: Stack, browser: Browser, role: Role, opens: set[str]
) -> None:
    headers = await stack.login(role, counties=[COUNTY])
    me = await stack.http.get("/api/v1/me", headers=headers)
    assert set(me.json()["opens"]) == opens
    page = await work_page(browser, headers, stack.base_url)
    for kind, button in BUTTONS.items():
        if kind in opens:
            await expect(page.locator(button)).to_be_visible()
        else:
            await expect(page.locator(button)).to_be_hidden()


async def test_a_mediator_opens_a_dispute_from_the_form(stack: Stack, browser: Browser) -> None:
    employer = f"古交市金山建材有限公司{uuid.uuid4().hex[:6]}"
    page = await work_page(
        browser, await stack.login(Role.mediator, counties=[COUNTY]), stack.base_url
    )
    await page.click("#new-dispute-open")
    form = page.locator("#open-dispute")
    await expect(form.locator("h3")).to_contain_text("新建劳动争议案件")
    # The county offered is the mediator's own; the origin and booleans in Chinese.
    assert await form.locator('[name="county_code"] option').all_inner_texts() == ["古交市"]
    await form.locator('[name="origin"]').select_option(label="调解")
    await form.locator('[name="employer.name"]').fill(employer)
    bad_code = f.EMPLOYER_CODE[:-1] + ("0" if f.EMPLOYER_CODE[-1] != "0" else "1")
    await form.locator('[name="employer.credit_code"]').fill(bad_code)
    await form.locator('[name="workers.0.name"]').fill("赵六")
    await form.locator('[name="workers.0.id_number"]').fill(f.resident_id(881, region="140181"))
    await form.locator('[name="workers.0.mobile"]').fill("13912345670")
    await form.locator('[name="claims.0.description"]').fill("拖欠2026年9月至11月工资")
    await form.locator('[name="claims.0.amount"]').fill("12600.00")
    known = (f.today() - timedelta(days=20)).isoformat()
    await form.locator('[name="claim_known_on"]').fill(known)
    await form.locator('[name="summary"]').fill("工人申请调解，追索三个月工资")
    await form.locator("button[type=submit]").click()

    await refused_beside(form, 422)
    beside = form.locator('[data-field="employer.credit_code"] .field-error')
    await expect(beside).to_have_text("统一社会信用代码校验位不正确")
    await fits(page, "open-dispute-refused")
    assert "credit code" not in await form.inner_text()  # no English on the Chinese page

    await form.locator('[name="employer.credit_code"]').fill(f.EMPLOYER_CODE)
    await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/board/cases/MA-\d{4}-\d{6}"), timeout=15000)
    await drawn(page)
    await expect(page.locator("main")).to_contain_text(employer)
    await fits(page, "open-dispute-opened")


async def test_a_clerk_opens_a_pension_transfer_with_its_contribution_years(
    stack: Stack, browser: Browser
) -> None:
    page = await work_page(
        browser, await stack.login(Role.agency_clerk, counties=[COUNTY]), stack.base_url
    )
    await page.click("#new-transfer-open")
    form = page.locator("#open-insurance_transfer")
    await form.locator('[name="kind"]').select_option(label="基本养老保险")
    await form.locator('[name="worker.name"]').fill("钱七")
    await form.locator('[name="worker.id_number"]').fill(f.resident_id(882, region="410102"))
    await form.locator('[name="worker.mobile"]').fill("13912345671")
    await form.locator('[name="from_agency.county_code"]').fill("410102")
    await form.locator('[name="from_agency.name"]').fill("郑州市中原区社会保险中心")
    await form.locator('[name="to_agency.name"]').fill("古交市社会保险中心")
    # SI-2: a pension transfer without its contribution years is refused beside the form.
    await form.locator('[name="summary"]').fill("参保人由郑州转回古交")
    await form.locator("button[type=submit]").click()
    await refused_beside(form, 422, "养老保险转移须填写缴费记录（SI-2）")

    list_ = form.locator('[data-list="contributions"]')
    for year, base in (("2024", "4200.00"), ("2025", "4500.00")):
        await list_.locator("> button").click()
        row = list_.locator(".row-item").last
        await row.locator('input[name$=".year"]').fill(year)
        await row.locator('input[name$=".months"]').fill("12")
        await row.locator('input[name$=".monthly_base"]').fill(base)
    # A row removed renumbers the rest: the body's paths stay contiguous.
    await list_.locator("> button").click()
    await list_.locator(".row-item").nth(0).locator("button").click()
    await expect(list_.locator(".row-item")).to_have_count(2)
    await expect(list_.locator('input[name="contributions.0.year"]')).to_have_value("2025")
    await list_.locator('input[name="contributions.1.year"]').fill("2024")
    await list_.locator('input[name="contributions.1.months"]').fill("12")
    await list_.locator('input[name="contributions.1.monthly_base"]').fill("4200.00")
    await fits(page, "open-transfer-filled")
    await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/board/cases/SI-\d{4}-\d{6}"), timeout=15000)
    await drawn(page)
    await expect(page.locator("main")).to_contain_text("郑州市中原区社会保险中心")


async def test_a_list_in_an_action_is_rows_not_json(stack: Stack, browser: Browser) -> None:
    """MA-8: an award's items are typed row by row on the case page, like an opening form's."""
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    dispute = {
        "origin": "arbitration",
        "county_code": COUNTY,
        "employer": {
            "name": f"古交市某餐饮公司{uuid.uuid4().hex[:6]}",
            "credit_code": f.EMPLOYER_CODE,
        },
        "workers": [
            {
                "name": "郑某",
                "id_number": f.resident_id(886, region="140181"),
                "mobile": "13912345675",
            }
        ],
        "claims": [{"description": "拖欠工资", "amount": "5000.00"}],
        "claim_known_on": (f.today() - timedelta(days=30)).isoformat(),
        "summary": "申请仲裁",
    }
    made = await stack.http.post("/api/v1/cases/disputes", json=dispute, headers=mediator)
    assert made.status_code == 201, made.text
    case_id = made.json()["case_id"]
    accepted = await stack.http.post(
        f"/api/v1/cases/{case_id}/actions/decide_acceptance",
        json={"decision": "accept", "reason": "符合受理条件"},
        headers=mediator,
    )
    assert accepted.status_code == 200, accepted.text
    page = await page_as(browser, mediator)
    await page.goto(f"{stack.base_url}/board/cases/{case_id}")
    await drawn(page)
    await page.click('#action-buttons [data-action="change_claims"]')
    form = page.locator('form[data-action="change_claims"]')
    rows = form.locator('[data-list="claims"]')
    await rows.locator("> button").click()
    await rows.locator('input[name="claims.0.description"]').fill("加班费")
    await rows.locator('input[name="claims.0.amount"]').fill("1200.00")
    await form.locator("#f-reason").fill("增加加班费请求")
    await expect(form.locator("textarea[placeholder=JSON]")).to_have_count(0)
    await form.locator("button[type=submit]").click()
    await expect(page.locator("#action-done")).to_be_visible(timeout=15000)
    await fits(page, "change-claims-rows")
