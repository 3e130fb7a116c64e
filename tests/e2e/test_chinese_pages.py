"""No word of English on the Chinese pages: each page, for a case of each kind, read as its
user reads it. Ids (case ids, staff ids, credit codes, rule ids) are not words."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.async_api import Browser, Page

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_pages import browser, drawn, no_script_errors, page_as
from tests.e2e.test_workbench_pages import CASES, COUNTY, fits, transfer_from_zhengzhou

pytestmark = pytest.mark.e2e
__all__ = ["browser", "no_script_errors"]  # fixtures shared with test_pages

# A run of three or more Latin letters that is not part of an id (ids carry digits, dashes
# or dots: WA-2026-000001, supervisor-1a2b3c, 91350100M000100Y43, WA-1).
WORD = re.compile(r"(?<![\w.@-])[A-Za-z]{3,}(?![\w.@-])")
# What a Chinese page may say in Latin letters: the formats it exports.
ALLOWED = {"JSON", "CSV"}


def english_words(text: str) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED})


def test_the_checker_finds_english_and_lets_ids_be() -> None:
    assert english_words("状态 acceptance_letter 正常") == []  # caught below as a token
    assert english_words("done: status open") == ["done", "open", "status"]
    assert (
        english_words("WA-2026-000001 · supervisor-1a2b3c · 91350100M000100Y43 · 导出 JSON") == []
    )


async def loaded(page: Page, url: str) -> None:
    await page.goto(url)
    if "/inbox" in url or url.endswith("/board"):
        # The inbox marks no load, the board counts its loads: both rest once answered.
        await page.wait_for_load_state("networkidle")
        return
    await drawn(page)


async def no_english(page: Page, name: str) -> None:
    text = await page.locator("body").inner_text()
    # Identifiers of the engine (snake_case) are English too.
    snake = sorted(set(re.findall(r"(?<![\w.@-])[a-z]+_[a-z_]+(?![\w.@-])", text)))
    words = english_words(text.replace("English", ""))  # the language switch names itself
    lines = [line for line in text.splitlines() if any(w in line for w in words + snake)]
    assert not words and not snake, f"{name}: {words + snake} in {lines}"
    await fits(page, f"zh-{name}")


async def test_every_page_of_every_kind_speaks_chinese(stack: Stack, browser: Browser) -> None:
    tag = uuid.uuid4().hex[:6]
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    clerk = await stack.login(Role.agency_clerk, counties=[COUNTY])
    supervisor = await stack.login(Role.supervisor, counties=[COUNTY])
    wa = f.intake(
        workers=1,
        county_code=COUNTY,
        employer={"name": f"古交市某建材厂{tag}", "credit_code": f.EMPLOYER_CODE},
    )
    del wa["opened_by"]
    wa_case = (await stack.http.post(f"{CASES}/wage-arrears", json=wa, headers=mediator)).json()[
        "case_id"
    ]
    dispute = {
        "origin": "arbitration",
        "county_code": COUNTY,
        "employer": {"name": f"古交市某物业公司{tag}", "credit_code": f.EMPLOYER_CODE},
        "workers": [
            {
                "name": "周某",
                "id_number": f.resident_id(884, region="140181"),
                "mobile": "13912345673",
            }
        ],
        "claims": [{"description": "拖欠工资", "amount": "8000.00"}],
        "claim_known_on": "2026-11-02",
        "summary": "申请仲裁，追索工资",
    }
    ma_case = await stack.open_case("disputes", dispute, mediator)
    transfer = transfer_from_zhengzhou(
        "medical",
        (885, "吴某", "13912345674"),
        ("郑州市中原区医保中心", "古交市医保中心"),
        "返乡就业，转入医疗保险关系",
        old_coverage_ended_on="2026-09-30",
        new_coverage_starts_on="2026-11-01",
    )
    si_case = await stack.open_case("insurance-transfers", transfer, clerk)

    for who, headers, pages in (
        (
            "mediator",
            mediator,
            [f"/board/cases/{wa_case}", f"/board/cases/{ma_case}", "/work", "/inbox"],
        ),
        ("clerk", clerk, [f"/board/cases/{si_case}", "/work"]),
        ("supervisor", supervisor, ["/board", "/dashboard", f"/board/cases/{wa_case}"]),
    ):
        page = await page_as(browser, headers)
        for path in pages:
            await loaded(page, stack.base_url + path)
            name = who + "-" + path.strip("/").replace("/", "-").replace("board-cases-", "")[:20]
            await no_english(page, name)
        await page.context.close()
