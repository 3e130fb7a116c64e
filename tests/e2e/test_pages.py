"""The pages for people in headless Chromium (Debian's `chromium`, driven by Playwright) against
the real stack: the SLA board shows an overdue case in red and drops it once it is settled; the
case page shows the timeline; the dashboard draws its charts. Each page is photographed into
test-artifacts/ and the picture must not be blank.

The overdue case is a major case triaged with a deadline three seconds ahead (WA-2), so its
timer really fires without the test waiting more than a few seconds.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageStat
from playwright.async_api import Browser, BrowserContext, Page, async_playwright, expect

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack
from tests.e2e.test_insurance_transfer_api import NEW, pension_intake

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
COUNTY = "140110"  # 晋源区: no other test opens cases there
CASES = "/api/v1/cases"
LATE_ROW_BACKGROUND = "rgb(253, 232, 230)"
RED_BADGE = (192, 57, 43)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


async def page_as(
    browser: Browser, token_header: dict[str, str] | None, **context_options: Any
) -> Page:
    """A page in a fresh context (1280x900 unless `context_options` say otherwise), signed in
    with `token_header`'s token, whose script errors and refusals land in SCRIPT_ERRORS; the
    context is closed once the test is over (`no_script_errors`)."""
    context_options.setdefault("viewport", {"width": 1280, "height": 900})
    context = await browser.new_context(**context_options)
    CONTEXTS.append(context)
    if token_header is not None:
        token = token_header["Authorization"].removeprefix("Bearer ")
        await context.add_init_script(
            f"window.localStorage.setItem('lce_token', {json.dumps(token)});"
        )
    page = await context.new_page()
    page.on("pageerror", lambda error: SCRIPT_ERRORS.append(f"{page.url}: {error}"))
    # What the Content-Security-Policy refused (an inline style, a script from elsewhere).
    page.on(
        "console",
        lambda message: (
            SCRIPT_ERRORS.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


async def page_of(browser: Browser, stack: Stack, role: Role, county: str, path: str) -> Page:
    """A page at `path` of the site, signed in as a `role` of `county`."""
    page = await page_as(browser, await stack.login(role, counties=[county]))
    await page.goto(f"{stack.base_url}{path}")
    return page


async def drawn(page: Page) -> None:
    """Waits until the page's script has read and drawn what it shows (`data-loaded`)."""
    await expect(page.locator("body")).to_have_attribute("data-loaded", "true", timeout=15000)


SCRIPT_ERRORS: list[str] = []
# The contexts `page_as` opened for the running test.
CONTEXTS: list[BrowserContext] = []


@pytest.fixture(autouse=True)
async def no_script_errors() -> AsyncIterator[None]:
    """Every page's scripts run without an uncaught error; the test's contexts are closed
    once it is over, passed or failed."""
    SCRIPT_ERRORS.clear()
    yield
    while CONTEXTS:
        await CONTEXTS.pop().close()
    assert SCRIPT_ERRORS == []


async def photograph(page: Page, name: str) -> Image.Image:
    """Saves a full-page screenshot and checks it is not blank (a page of one colour)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    image = Image.open(path).convert("RGB")
    assert max(ImageStat.Stat(image.convert("L")).stddev) > 10, f"{path} looks blank"
    grey = image.convert("L")
    non_white = sum(1 for value in grey.get_flattened_data() if value < 240)
    assert non_white > grey.width * grey.height * 0.02, f"{path} is almost all white"
    return image


def has_colour(image: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return any(
        all(abs(channel - want) <= tolerance for channel, want in zip(pixel, colour, strict=True))
        for pixel in image.get_flattened_data()
    )


async def act(stack: Stack, case_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await stack.http.post(f"{CASES}/{case_id}/actions/{action}", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def open_major_case(stack: Stack, seconds: float) -> str:
    """WA-2, WA-3: 120 000 owed makes the case major; the supervisor sets its deadline."""
    intake = f.intake(
        workers=1,
        amount="120000.00",
        county_code=COUNTY,
        opened_by=f.actor(Role.mediator, COUNTY, id="mediator-jy"),
    )
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=intake)
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["case_id"]
    due = datetime.now(UTC) + timedelta(seconds=seconds)
    await act(
        stack,
        case_id,
        "triage",
        {
            "actor": f.actor(Role.supervisor, COUNTY, id="supervisor-jy"),
            "reason": "120 000 owed: major",
            "severity": "major",
            "resolution_deadline": due.isoformat(),
        },
    )
    return case_id


async def settle(stack: Stack, case_id: str) -> None:
    officer = f.actor(Role.mediator, COUNTY, id="mediator-jy")
    today = f.today().isoformat()
    await act(
        stack,
        case_id,
        "record_payment",
        {
            "actor": officer,
            "reason": "employer paid",
            "worker_no": 1,
            "amount": "120000.00",
            "paid_on": today,
        },
    )
    await act(
        stack,
        case_id,
        "confirm_payment",
        {"actor": officer, "reason": "worker signed", "payment_id": "P1"},
    )


async def until_status(stack: Stack, case_id: str, status: str) -> None:
    """Waits (a few seconds at most) for a timer of the real server to fire."""
    for _ in range(100):
        if (await stack.http.get(f"{CASES}/{case_id}")).json()["status"] == status:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case_id} never became {status}")


@pytest.fixture(scope="module")
async def overdue_case(stack: Stack) -> str:
    return await open_major_case(stack, seconds=3)


async def test_login_page_keeps_the_token_and_a_bad_one_goes_back_to_login(
    stack: Stack, browser: Browser
) -> None:
    page = await page_as(browser, None)
    await page.goto(f"{stack.base_url}/board")
    await expect(page).to_have_url(f"{stack.base_url}/login?lang=zh&next=%2Fboard")
    await page.fill("#token", "lce_0000000000_not-a-real-token-at-all")
    await page.click("button[type=submit]")
    await expect(page.locator("#login-error")).to_be_visible()

    headers = await stack.login(Role.inspector, counties=[COUNTY])
    await page.fill("#token", headers["Authorization"].removeprefix("Bearer "))
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{stack.base_url}/board")
    await expect(page.locator("#board")).to_have_attribute("data-loaded", "1")
    await photograph(page, "login-then-board")
    await page.context.close()

    # A stored token that stopped working (revoked, say): the first 401 sends the user back.
    stale = await page_as(browser, {"Authorization": "Bearer lce_0000000000_revoked-long-ago-x"})
    await stale.goto(f"{stack.base_url}/dashboard?lang=en")
    await expect(stale).to_have_url(re.compile(r"/login\?lang=en&next=%2Fdashboard"))
    await expect(stale.locator("h1")).to_have_text("Log in with an access token")


async def test_login_goes_only_to_a_path_of_this_site(stack: Stack, browser: Browser) -> None:
    """`next` that would leave the site (`//host`, `/\\host`, `/<tab>/host`, another origin)
    lands on the board; a path of this site is kept."""
    token = (await stack.login(Role.inspector, counties=[COUNTY]))["Authorization"]
    page = await page_as(browser, None)
    escapes = ("/%5Cevil.example", "/%09/evil.example", "//evil.example", "https:evil.example")
    landings = [(escape, "/board") for escape in escapes]
    for next_path, lands_on in [*landings, ("%2Fdashboard%3Flang%3Den", "/dashboard?lang=en")]:
        await page.goto(f"{stack.base_url}/login?next={next_path}")
        await page.fill("#token", token.removeprefix("Bearer "))
        await page.click("button[type=submit]")
        await expect(page).to_have_url(f"{stack.base_url}{lands_on}")


async def test_board_shows_an_overdue_case_in_red_and_drops_it_once_settled(
    stack: Stack, browser: Browser, overdue_case: str
) -> None:
    page = await page_of(
        browser, stack, Role.inspector, COUNTY, f"/board?refresh=1&county={COUNTY}"
    )
    await expect(page.locator("h1, th").first).to_contain_text("案件")  # Chinese by default
    row = page.locator(f'#board tr[data-case-id="{overdue_case}"][data-deadline="settle"]')
    await expect(row).to_have_class(re.compile(r"\blate\b"), timeout=15000)
    await expect(row).to_have_css("background-color", LATE_ROW_BACKGROUND)
    await expect(row.locator(".badge")).to_have_text(re.compile("已超时|已逾期"))
    # The countdown runs: the cell says how long ago the deadline passed, and changes.
    left = row.locator("td.left")
    await expect(left).to_contain_text("已逾期")
    first = await left.inner_text()
    await expect(left).not_to_have_text(first, timeout=3000)
    image = await photograph(page, "sla-board-overdue")
    assert has_colour(image, RED_BADGE), "no red badge on the board"

    await settle(stack, overdue_case)
    # Settled: every deadline of the case met, so the board (reloading each second) drops it.
    await expect(page.locator(f'#board tr[data-case-id="{overdue_case}"]')).to_have_count(
        0, timeout=10000
    )
    await photograph(page, "sla-board-after-settling")


async def test_board_filters_by_kind_and_switches_to_english(
    stack: Stack, browser: Browser, overdue_case: str
) -> None:
    page = await page_of(browser, stack, Role.inspector, COUNTY, "/board?lang=en")
    await expect(page.locator("header nav")).to_contain_text("SLA board")
    await expect(page.locator("#board thead")).to_contain_text("Time left")
    await page.select_option("#kind", "dispute")
    await expect(page.locator(f'#board tr[data-case-id="{overdue_case}"]')).to_have_count(0)
    # The switch is remembered: the next page opened without ?lang= is English too.
    await page.click("#lang-switch")
    await expect(page.locator("header nav")).to_contain_text("时限看板")
    await page.goto(f"{stack.base_url}/dashboard")
    await expect(page.locator("header nav")).to_contain_text("督导统计")


async def test_case_page_shows_parties_masked_deadlines_and_the_timeline(
    stack: Stack, browser: Browser, overdue_case: str
) -> None:
    page = await page_of(browser, stack, Role.supervisor, COUNTY, f"/board/cases/{overdue_case}")
    await drawn(page)
    timeline = page.locator("#timeline li.event")
    whats = [await li.get_attribute("data-what") for li in await timeline.all()]
    assert whats[0] == "case_opened"
    assert "triage" in whats and "timer_fired" in whats
    fired = page.locator('#timeline li[data-what="timer_fired"] .fired')
    await expect(fired.first).to_contain_text("WA-2")
    triage = page.locator('#timeline li[data-what="triage"]')
    await expect(triage).to_contain_text("supervisor-jy")
    await expect(triage).to_contain_text("120 000 owed: major")
    parties = page.locator("#parties")
    await expect(parties).to_contain_text("太原某建筑劳务有限公司")
    text = await page.locator("main").inner_text()
    assert f.resident_id(1) not in text and "工人1" not in text  # masked by the API
    await expect(page.locator("#deadlines tbody tr").first).to_be_visible()
    await photograph(page, "case-page")


async def test_dashboard_draws_its_charts(
    stack: Stack, browser: Browser, overdue_case: str
) -> None:
    escalated = await open_major_case(stack, seconds=1)
    await until_status(stack, escalated, "escalated")
    page = await page_of(browser, stack, Role.supervisor, COUNTY, "/dashboard")
    await drawn(page)
    for chart in ("#chart-weekly", "#chart-overdue", "#chart-recovered"):
        await expect(page.locator(f"{chart} svg rect.bar").first).to_be_attached()
    opened_this_week = page.locator("#chart-weekly rect.bar").nth(-2)
    assert int(await opened_this_week.get_attribute("data-value") or 0) >= 2
    await expect(page.locator("#chart-recovered")).to_contain_text("晋源区")
    overdue_bar = page.locator("#chart-overdue rect.bar").first
    assert int(await overdue_bar.get_attribute("data-value") or 0) >= 1
    await expect(page.locator("#campaign .campaign")).to_have_count(3)  # WA-4: all three
    await expect(page.locator("#tiles")).to_contain_text("按期清偿率")
    image = await photograph(page, "dashboard")
    assert has_colour(image, (59, 154, 90)), "no recovered-amount bar drawn"


async def test_case_page_of_an_insurance_transfer_shows_both_agencies(
    stack: Stack, browser: Browser
) -> None:
    opened = await stack.http.post(f"{CASES}/insurance-transfers", json=pension_intake())
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    page = await page_of(browser, stack, Role.supervisor, NEW, f"/board/cases/{case_id}?lang=en")
    await drawn(page)
    parties = page.locator("#parties")
    await expect(parties).to_contain_text("Transfer-out agency")
    await expect(parties).to_contain_text("小店区社保中心")
    await expect(parties).to_contain_text("迎泽区社保中心")
    await expect(page.locator("#case-facts")).to_contain_text("Stage")
    await expect(page.locator("#timeline li.event").first).to_have_attribute(
        "data-what", "case_opened"
    )
    await photograph(page, "case-page-transfer-en")
