"""My work as a queue: by default the cases waiting for the user's role, soonest deadline
first; the employer search; the toggle to every case of the user's counties."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, drawn, no_script_errors, page_as
from tests.e2e.test_workbench_pages import CASES, COUNTY, fits, refused_beside

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages


async def open_case_of(stack: Stack, employer: str) -> str:
    intake = f.intake(
        workers=1,
        county_code=COUNTY,
        employer={"name": employer, "credit_code": f.EMPLOYER_CODE},
        opened_by=f.actor(Role.mediator, COUNTY, id="mediator-gj"),
    )
    return await stack.open_wage_arrears(intake)


async def act(
    stack: Stack, headers: dict[str, str], case_id: str, action: str, **body: Any
) -> None:
    done = await stack.http.post(f"{CASES}/{case_id}/actions/{action}", json=body, headers=headers)
    assert done.status_code == 200, done.text


async def listed(stack: Stack, headers: dict[str, str], query: str) -> list[dict[str, Any]]:
    answer = await stack.http.get(f"{CASES}?{query}", headers=headers)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def until_status(stack: Stack, headers: dict[str, str], employer: str, status: str) -> None:
    """The read model is written by the case's flusher, a moment after the action."""
    for _ in range(100):
        items = await listed(stack, headers, f"employer={employer}")
        if items and items[0]["status"] == status:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the read model never showed {status}")


async def work_page(browser: Browser, headers: dict[str, str], base_url: str) -> Page:
    page = await page_as(browser, headers)
    await page.goto(f"{base_url}/work")
    await drawn(page)
    return page


async def test_a_mediator_sees_the_case_waiting_for_them_and_finds_it_by_employer(
    stack: Stack, browser: Browser
) -> None:
    tag = uuid.uuid4().hex[:6]
    waiting = await open_case_of(stack, f"古交市恒通建筑劳务有限公司{tag}")
    settled_employer = f"古交市顺达装饰工程有限公司{tag}"
    settled = await open_case_of(stack, settled_employer)
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    today = f.today().isoformat()
    await act(
        stack, mediator, settled, "record_payment",
        worker_no=1, amount="3000.00", paid_on=today, reason="现场发放",
    )  # fmt: skip
    await act(stack, mediator, settled, "confirm_payment", payment_id="P1", reason="工人确认")
    await until_status(stack, mediator, settled_employer, "settled")

    # The API: a settled case waits for no one; the open one waits for the officers.
    queue = {c["case_id"] for c in await listed(stack, mediator, "waiting_for_me=true&limit=200")}
    assert waiting in queue and settled not in queue
    found = await listed(stack, mediator, f"employer=恒通建筑劳务有限公司{tag.upper()}")
    assert [c["case_id"] for c in found] == [waiting]
    assert found[0]["source"] == "complaint"
    clerk = await stack.login(Role.agency_clerk, counties=[COUNTY])
    assert await listed(stack, clerk, "waiting_for_me=true&kind=wage_arrears") == []

    page = await work_page(browser, mediator, stack.base_url)
    await expect(page.locator('input[name="scope"][value="mine"]')).to_be_checked()
    await expect(page.locator("#work-hint")).to_contain_text("等待您这一角色办理")
    row = page.locator(f'#work tr[data-case-id="{waiting}"]')
    await expect(row).to_have_count(1)
    # A complaint staff took in; one a worker filed online says so (test_worker_window.py).
    await expect(row).to_contain_text("投诉")
    await expect(row).to_contain_text("WA-1 · 一般问题3日内清偿")
    await expect(page.locator(f'#work tr[data-case-id="{settled}"]')).to_have_count(0)
    # MA-4: green-channel cases (marked so) come first; the rest soonest deadline first.
    ordinary = page.locator("#work tbody tr").filter(has_not=page.locator(".badge.priority"))
    dues = [
        text for text in await ordinary.locator("td:nth-child(7)").all_inner_texts() if text != "—"
    ]
    assert dues == sorted(dues), "soonest deadline first"
    await fits(page, "my-work-queue")

    await page.fill('input[name="employer"]', tag)
    await page.click("#filters button[type=submit]")
    await expect(page.locator("#work tbody tr")).to_have_count(1)
    await expect(row).to_contain_text(f"古交市恒通建筑劳务有限公司{tag}")

    # Every case of the user's counties: the settled one too.
    await page.check('input[name="scope"][value="all"]')
    await expect(page.locator("#work tbody tr")).to_have_count(2)
    await expect(page.locator(f'#work tr[data-case-id="{settled}"]')).to_contain_text("已清偿")
    await expect(page.locator("#work-hint")).to_contain_text("您所辖区县的案件")
    await fits(page, "my-work-all")


async def test_refusals_carry_their_chinese_sentence(stack: Stack) -> None:
    case_id = await open_case_of(stack, f"古交市某物流有限公司{uuid.uuid4().hex[:6]}")
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    refused = await stack.http.post(
        f"{CASES}/{case_id}/actions/confirm_payment",
        json={"payment_id": "P9", "reason": "确认"},
        headers=mediator,
    )
    assert refused.status_code in (409, 422), refused.text
    error = refused.json()["error"]
    assert error["code"] in ("action_not_allowed", "invalid_action_input")
    # The refusal's own sentence in Chinese, more than the code's general one.
    assert error["message_zh"] == "没有待确认的支付记录"
    number = f"古人社监〔2026〕{uuid.uuid4().hex[:6]}号"
    intake = f.intake(
        workers=1,
        county_code=COUNTY,
        opened_by=f.actor(Role.mediator, COUNTY, id="mediator-gj"),
    )
    first = await stack.http.post(f"{CASES}/wage-arrears?case_number={number}", json=intake)
    assert first.status_code == 201, first.text
    other = {**intake, "summary": "另一起投诉"}
    taken = await stack.http.post(f"{CASES}/wage-arrears?case_number={number}", json=other)
    assert taken.status_code == 409, taken.text
    assert taken.json()["error"]["message_zh"] == "该案件编号在本县已被其他同类案件使用"


async def fill_parts(row: Locator, **parts: str) -> None:
    """Types each value into the input of a worker row's part of that name, in order."""
    for part, value in parts.items():
        await row.locator(f'[data-part="{part}"] input').fill(value)


async def test_a_mediator_opens_a_wage_arrears_case_from_my_work(
    stack: Stack, browser: Browser
) -> None:
    employer = f"古交市新建矿山机械有限公司{uuid.uuid4().hex[:6]}"
    good_id, other_id = f.resident_id(871, region="140181"), f.resident_id(872, region="140181")
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    page = await work_page(
        browser, await stack.login(Role.mediator, counties=[COUNTY]), stack.base_url
    )
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    await page.click("#new-case-open")
    form = page.locator("#new-case")
    await expect(form.locator("h3")).to_have_text("新建欠薪案件")
    assert await form.locator("#nc-county option").all_inner_texts() == ["古交市"]
    await form.locator("#nc-employer").fill(employer)
    await form.locator("#nc-credit").fill(f.EMPLOYER_CODE)
    await form.locator("#nc-sector").fill("工程建设")
    first = form.locator("fieldset.worker-row").nth(0)
    await fill_parts(
        first,
        name="张三",
        id_number=bad_id,
        mobile="13912345678",
        amount_owed="4200.00",
        months_owed="3",
    )
    await form.locator("#nc-add-worker").click()
    await fill_parts(
        form.locator("fieldset.worker-row").nth(1),
        name="李四",
        id_number=other_id,
        mobile="13912345679",
        amount_owed="3800.00",
    )
    await form.locator("#nc-summary").fill("两名工人投诉拖欠三个月工资")

    await form.locator("button[type=submit]").click()
    await refused_beside(form, 422, "填写的内容格式有误")
    await expect(form.locator('[data-field="workers.0.id_number"] .field-error')).to_be_visible()
    await expect(form.locator('[data-field="workers.1.id_number"] .field-error')).to_be_hidden()
    await fits(page, "new-case-refused")

    await first.locator('[data-part="id_number"] input').fill(good_id)
    await form.locator("button[type=submit]").click()
    await expect(page).to_have_url(re.compile(r"/board/cases/WA-\d{4}-\d{6}"), timeout=15000)
    await drawn(page)
    await expect(page.locator("main")).to_contain_text(employer)
    await expect(page.locator("main")).to_contain_text("8,000.00")
    for url in urls + [page.url]:
        assert good_id not in url and bad_id not in url and "13912345678" not in url
    await fits(page, "new-case-opened")
