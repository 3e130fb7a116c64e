"""The worker's window over HTTP against the real stack (docs/worker-window.md): the one-time
code through the delivery workflow and the SMS mail drop (PUB-1), the session (PUB-2), the
worker's own part only (PUB-3), the access in the case's history as the worker (PUB-4), the
online complaint (PUB-5), and each refusal, rate limits included (PUB-6).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.common import CST, Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

COUNTY = "140108"  # 尖草坪区: no other test opens cases there
CASES = "/api/v1/cases"
SAME_ANSWER = "如果案件编号和手机号码与案件登记的一致"


def mobile() -> str:
    return f"138{random.randrange(10**8):08d}"


def credit_code() -> str:
    """A fresh valid unified social credit code."""
    from domain.identity import _credit_code_check_char

    body = "91140108" + "".join(random.choice("0123456789ABCDEFGH") for _ in range(9))
    return body + _credit_code_check_char(body)


def complaint_form(phone: str, **overrides: str) -> dict[str, str]:
    return {
        "employer_name": "太原尖草坪某建筑劳务有限公司",
        "credit_code": credit_code(),
        "project_name": "某小区三期工程",
        "county_code": COUNTY,
        "sector": "建筑业",
        "amount": "8600",
        "months": "3",
        "worker_name": "张三",
        "id_number": f.resident_id(random.randrange(1000)),
        "mobile": phone,
        "summary": "2026年9月至11月的工资一直没有发。",
        "idempotency_key": f"k{random.randrange(10**12)}",
        **overrides,
    }


@pytest.fixture
async def public(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """A phone's browser: no token, cookies kept, redirects not followed."""
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=30) as http:
        yield http


def maildrop(stack: Stack) -> Path:
    return stack.settings.maildrop


async def texts(stack: Stack, case_id: str, containing: str, count: int = 1) -> list[str]:
    """The SMS texts of the case in the mail drop that contain `containing`, once there."""
    for _ in range(300):
        found = []
        for path in maildrop(stack).glob("*.sms.json"):
            record = json.loads(path.read_text("utf-8"))
            if record["case_id"] == case_id and containing in record["text"]:
                found.append(record["text"])
        if len(found) >= count:
            return sorted(found)
        await asyncio.sleep(0.1)
    raise AssertionError(f"no SMS with {containing!r} for {case_id}")


async def code_from_sms(stack: Stack, case_id: str) -> str:
    """The code texted for the case (each test asks one case for one code)."""
    [text] = await texts(stack, case_id, "验证码是")
    match = re.search(r"验证码是(\d{6})", text)
    assert match, text
    return match.group(1)


async def file_complaint(public: httpx.AsyncClient, phone: str, **overrides: str) -> str:
    answer = await public.post("/my/complaint", data=complaint_form(phone, **overrides))
    assert answer.status_code == 200, answer.text
    match = re.search(r'id="new-case-id">(WA-\d{4}-\d{6})<', answer.text)
    assert match, answer.text
    return match.group(1)


async def ask_code(public: httpx.AsyncClient, case_id: str, phone: str) -> httpx.Response:
    return await public.post("/my/code", data={"case_number": case_id, "mobile": phone})


async def sign_in(stack: Stack, public: httpx.AsyncClient, case_id: str, phone: str) -> None:
    asked = await ask_code(public, case_id, phone)
    assert asked.status_code == 303 and asked.headers["location"] == "/my/code", asked.text
    code = await code_from_sms(stack, case_id)
    verified = await public.post("/my/verify", data={"code": code})
    assert verified.status_code == 303, verified.text
    assert verified.headers["location"] == "/my/case"
    cookie = verified.headers["set-cookie"]
    # PUB-2: a short session cookie the page's scripts (there are none) could not read.
    assert "lce_my=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/my" in cookie and "Max-Age=900" in cookie


async def staff_open(stack: Stack, workers: list[dict[str, Any]]) -> str:
    opened = await stack.http.post(
        f"{CASES}/wage-arrears",
        json=f.intake(
            county_code=COUNTY,
            workers=0,
            opened_by=f.actor(Role.mediator, COUNTY, id="mediator-jcp"),
        )
        | {"workers": workers},
    )
    assert opened.status_code == 201, opened.text
    case_id: str = opened.json()["case_id"]
    return case_id


async def staff_open_named(stack: Stack, *workers: tuple[int, str, str]) -> tuple[str, list[str]]:
    """A case opened by staff for `workers` (number, amount owed, name), each with a mobile of
    their own: its id and the mobiles, in the workers' order."""
    mobiles = [mobile() for _ in workers]
    named = [
        f.worker(no, owed) | {"name": name, "mobile": number}
        for (no, owed, name), number in zip(workers, mobiles, strict=True)
    ]
    return await staff_open(stack, named), mobiles


async def test_pub5_an_online_complaint_opens_a_case_pending_acceptance_and_texts_the_worker(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    """PUB-5, WA-12: source complaint, channel online, in the chosen county, awaiting the
    inspector's acceptance within 5 working days; the SMS carries the case number and link."""
    phone = mobile()
    form = complaint_form(phone)
    first = await public.post("/my/complaint", data=form)
    assert first.status_code == 200, first.text
    case_id = re.search(r'id="new-case-id">(WA-\d{4}-\d{6})<', first.text).group(1)  # type: ignore[union-attr]
    # A double submit (the same hidden key) is the same complaint.
    again = await public.post("/my/complaint", data=form)
    assert again.status_code == 200 and case_id in again.text
    # The same key with another body is refused, not a second case.
    other = await public.post("/my/complaint", data={**form, "amount": "9000"})
    assert other.status_code == 409 and "已经提交过" in other.text
    [text] = await texts(stack, case_id, "投诉已提交")
    assert case_id in text and f"{stack.settings.public_url}/my" in text
    assert "张三" not in text and phone not in text

    inspector = await stack.login(Role.inspector, counties=[COUNTY])
    detail = (await stack.http.get(f"{CASES}/{case_id}", headers=inspector)).json()
    assert detail["source"] == "complaint" and detail["channel"] == "online"
    assert detail["county_code"] == COUNTY
    acceptance = [d for d in detail["deadlines"] if d["name"] == "complaint_acceptance"]
    assert acceptance and acceptance[0]["rule"] == "WA-12"
    for _ in range(100):
        listed = await stack.http.get(
            f"{CASES}?waiting_for_me=true&county_code={COUNTY}&limit=200", headers=inspector
        )
        rows = [c for c in listed.json()["items"] if c["case_id"] == case_id]
        if rows:
            break
        await asyncio.sleep(0.1)
    assert rows and rows[0]["channel"] == "online"


async def test_pub5_the_complaint_form_checks_ids_credit_codes_and_mobiles_as_the_api_does(
    public: httpx.AsyncClient,
) -> None:
    answer = await public.post(
        "/my/complaint",
        data=complaint_form("12345", id_number="140105199001011230", credit_code="91140108ABC"),
    )
    assert answer.status_code == 422
    assert "统一社会信用代码应为18位" in answer.text
    assert "手机号码应为11位数字" in answer.text
    assert "身份证号码不正确" in answer.text
    # What the worker typed comes back, except the ID number.
    assert "太原尖草坪某建筑劳务有限公司" in answer.text and "140105199001011230" not in answer.text
    json_body = await public.post("/my/complaint", json=complaint_form(mobile()))
    assert json_body.status_code == 415


async def test_pub1_pub3_pub4_a_worker_follows_their_own_case_and_each_view_is_in_its_history(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    case_id, (one, two) = await staff_open_named(
        stack, (801, "5100.00", "李四"), (802, "7300.00", "王五")
    )
    await sign_in(stack, public, case_id, two)
    page = await public.get("/my/case")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Content-Security-Policy" in page.headers
    # PUB-3: the second worker's own amount; never the other worker's name, amount or number.
    assert "7,300.00 元" in page.text and "太原某建筑劳务有限公司" in page.text
    for other in ("李四", "5,100.00", one, "王五", two):
        assert other not in page.text
    assert case_id not in str(page.url.query)
    again = await public.get("/my/case")
    assert again.status_code == 200

    # PUB-4: viewed twice in one session, recorded once, as the worker.
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=mediator)).json()
    views = [e for e in history["events"] if e["what"] == "worker_access"]
    assert len(views) == 1, views
    assert views[0]["actor"] == {"id": "worker:2", "role": "worker", "county_code": COUNTY}

    out = await public.post("/my/logout")
    assert out.status_code == 303
    assert (await public.get("/my/case")).headers["location"] == "/my"


async def test_pub1_an_unknown_case_number_gets_the_same_answer_and_wrong_codes_lock(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    phone = mobile()
    case_id = await staff_open(stack, [f.worker(811) | {"mobile": phone}])
    known = await ask_code(public, case_id, phone)
    known_page = await public.get("/my/code")
    async with httpx.AsyncClient(base_url=stack.base_url) as stranger:
        unknown = await ask_code(stranger, "WA-2026-999999", phone)
        unknown_page = await stranger.get("/my/code")
        mismatch = await ask_code(stranger, case_id, mobile())
    assert known.status_code == unknown.status_code == mismatch.status_code == 303
    assert known.headers["location"] == unknown.headers["location"] == "/my/code"
    assert known_page.text == unknown_page.text and SAME_ANSWER in known_page.text

    code = await code_from_sms(stack, case_id)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1):
        answer = await public.post("/my/verify", data={"code": wrong})
        assert answer.status_code == 422 and f"还可以再试{left}次" in answer.text
    locked = await public.post("/my/verify", data={"code": wrong})
    assert locked.status_code == 429 and "已锁定" in locked.text
    # Locked: even the right code does not open it, nor does a new code request.
    assert (await public.post("/my/verify", data={"code": code})).status_code == 429
    assert (await ask_code(public, case_id, phone)).status_code == 429


async def test_pub1_a_code_for_an_unknown_case_never_opens_a_session(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    await ask_code(public, "WA-2026-999998", mobile())
    for code in ("000000", "123456"):
        answer = await public.post("/my/verify", data={"code": code})
        assert answer.status_code == 422
    assert "lce_my=" not in answer.headers.get("set-cookie", "")


async def test_pub6_refusals_malformed_input_and_rate_limits(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    bad_number = await ask_code(public, "WA-26-1", mobile())
    assert bad_number.status_code == 422 and "案件编号的格式" in bad_number.text
    bad_mobile = await ask_code(public, "WA-2026-000001", "12345")
    assert bad_mobile.status_code == 422 and "手机号码应为11位数字" in bad_mobile.text
    assert (await public.get("/my/code")).status_code == 303  # no challenge yet
    # Per mobile: 5 an hour, whatever the case number.
    phone = mobile()
    answers = [(await ask_code(public, f"WA-2026-9{n:05d}", phone)).status_code for n in range(6)]
    assert answers == [303] * 5 + [429]
    # Per case number: 10 an hour, whatever the mobile.
    answers = [(await ask_code(public, "WA-2026-977777", mobile())).status_code for _ in range(11)]
    assert answers == [303] * 10 + [429]


async def test_pub3_a_transfer_shows_the_documents_the_worker_must_bring_si5(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    """SI-5: returned for missing documents, the worker is told which ones to bring."""
    phone = mobile()
    new, old = COUNTY, "140109"
    intake = {
        "kind": "pension",
        "worker": {"name": "孙八", "id_number": f.resident_id(841), "mobile": phone},
        "from_agency": {"county_code": old, "name": "万柏林区社保中心"},
        "to_agency": {"county_code": new, "name": "尖草坪区社保中心"},
        "contributions": [{"year": 2020, "months": 12, "monthly_base": "5500.00"}],
        "individual_account": "3456.78",
        "summary": "工人返乡就业，申请转入养老保险关系",
        "opened_by": f.actor("agency_clerk", new, id=f"clerk-{new}"),
    }
    opened = await stack.http.post(f"{CASES}/insurance-transfers", json=intake)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    rejected = await stack.http.post(
        f"{CASES}/{case_id}/actions/reject_for_missing_documents",
        json={
            "actor": f.actor("agency_clerk", new, id=f"clerk-{new}"),
            "reason": "缺少材料",
            "missing": ["参保缴费凭证", "身份证复印件"],
        },
    )
    assert rejected.status_code == 200, rejected.text
    await sign_in(stack, public, case_id, phone)
    page = await public.get("/my/case")
    assert page.status_code == 200, page.text
    assert "材料不全" in page.text and "参保缴费凭证, 身份证复印件" in page.text
    assert "3,456.78 元" in page.text and "孙八" not in page.text


async def test_pub3_a_dispute_shows_the_hearing_date(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    """MA: the hearing's date and time, in Chinese, as something the worker must do."""
    from datetime import timedelta

    phone = mobile()
    mediator = f.actor(Role.mediator, COUNTY, id="mediator-jcp")
    intake = {
        "origin": "arbitration",
        "county_code": COUNTY,
        "employer": {"name": "太原尖草坪某劳务公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [{"name": "周九", "id_number": f.resident_id(851), "mobile": phone}],
        "claims": [{"description": "拖欠工资", "amount": "6000.00"}],
        "claim_known_on": f.today().isoformat(),
        "summary": "工人申请仲裁，要求支付拖欠工资",
        "opened_by": mediator,
    }
    opened = await stack.http.post(f"{CASES}/disputes", json=intake)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]

    async def act(action: str, **body: Any) -> None:
        done = await stack.http.post(
            f"{CASES}/{case_id}/actions/{action}",
            json={"actor": mediator, "reason": "依法办理", **body},
        )
        assert done.status_code == 200, done.text

    await act("decide_acceptance", decision="accept")
    hearing = datetime.now(CST).replace(hour=9, minute=30, second=0, microsecond=0) + timedelta(
        days=12
    )
    await act(
        "schedule_hearing",
        hearing_at=hearing.isoformat(),
        notice_served_on=f.today().isoformat(),
    )
    await sign_in(stack, public, case_id, phone)
    page = await public.get("/my/case")
    assert page.status_code == 200, page.text
    assert f"{hearing.year}年{hearing.month}月{hearing.day}日 09:30" in page.text
    assert "6,000.00 元" in page.text and "周九" not in page.text


async def test_pub7_a_new_mobile_gets_codes_only_once_staff_confirm_it(
    stack: Stack, public: httpx.AsyncClient
) -> None:
    old, new = mobile(), mobile()
    worker = f.worker(861) | {"mobile": old}
    case_id = await staff_open(stack, [f.worker(862), worker])
    asked = await public.post(
        "/my/mobile", data={"case_number": case_id, "id_number": worker["id_number"], "mobile": new}
    )
    unknown = await public.post(
        "/my/mobile",
        data={"case_number": "WA-2026-999996", "id_number": worker["id_number"], "mobile": new},
    )
    assert asked.status_code == unknown.status_code == 200 and asked.text == unknown.text
    mediator = await stack.login(Role.mediator, counties=[COUNTY])
    supervisor = await stack.login(Role.supervisor, counties=[COUNTY])
    changes: list[dict[str, Any]] = []
    for _ in range(100):
        listed = await stack.http.get(f"{CASES}/{case_id}/mobile-changes", headers=mediator)
        changes = listed.json()
        if changes:
            break
        await asyncio.sleep(0.1)
    [change] = changes
    assert change["worker_no"] == 2 and change["mobile"] == new and change["status"] == "pending"
    masked = (await stack.http.get(f"{CASES}/{case_id}/mobile-changes", headers=supervisor)).json()
    assert masked[0]["mobile"] != new and "*" in masked[0]["mobile"]
    # The inbox tells the officers, without the number.
    inbox = (await stack.http.get("/api/v1/notifications", headers=mediator)).json()
    entries = [n for n in inbox["items"] if n["case_id"] == case_id]
    assert entries and new not in json.dumps(entries)

    # Pending: a code request for the new number sends nothing (the same answer as ever).
    pending = await ask_code(public, case_id, new)
    assert pending.status_code == 303
    # The lookup runs after the answer: a request for the old, confirmed number after it
    # goes through the same path, so once its code arrives the first one's turn is past.
    later = await ask_code(public, case_id, old)
    assert later.status_code == 303
    [old_code] = await texts(stack, case_id, "验证码")
    assert old_code
    sent = [p for p in maildrop(stack).glob("*.sms.json") if case_id in p.read_text("utf-8")]
    assert len(sent) == 1 and new not in sent[0].read_text("utf-8")
    sent[0].unlink()  # the sign-in below reads the one code the new number gets

    decide = f"{CASES}/{case_id}/mobile-changes/{change['id']}/decision"
    body = {"decision": "confirm", "reason": "电话核实本人"}
    refused = await stack.http.post(decide, json=body, headers=supervisor)
    assert refused.status_code == 403
    confirmed = await stack.http.post(decide, json=body, headers=mediator)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    again = await stack.http.post(decide, json=body, headers=mediator)
    assert again.status_code == 409

    async with httpx.AsyncClient(base_url=stack.base_url) as phone:
        await sign_in(stack, phone, case_id, new)
        page = await phone.get("/my/case")
        assert page.status_code == 200 and "3,000.00 元" in page.text
