"""The worker's window without a server: the worker's own page (PUB-3), the one-time codes
(PUB-1), the online complaint's intake and notification (PUB-5), the rate limits (PUB-6)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from limits import parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from api.routers.public import PublicLimits, complaint_intake
from core import one_time_codes as otc
from domain.deadlines import DueResult
from domain.notification_routes import sms_text
from domain.notifications import notify
from domain.regions import RegionSettings
from domain.wage_arrears import transitions
from domain.wage_arrears.models import Payment, WageArrearsIntake, WageArrearsState
from domain.wage_arrears.view import view
from domain.worker_window import WorkerAccess, WorkerActor, chinese_date, worker_page
from tests import factories as f

OPENED = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 CST
KEY = b"k" * 32


def opened(**overrides: Any) -> WageArrearsState:
    state, _ = transitions.case_opened(
        "WA-2026-000001",
        WageArrearsIntake.model_validate(f.intake(**overrides)),
        RegionSettings(county_code=f.COUNTY),
        OPENED,
        DueResult(due_at=OPENED + timedelta(days=3), calendar_version="test"),
    )
    return state


def test_pub3_a_worker_sees_their_own_amounts_only() -> None:
    state = opened(workers=3)
    state.payments.append(
        Payment(
            payment_id="P1",
            worker_no=2,
            amount=Decimal("1000.00"),
            paid_by="employer",
            paid_on=date(2026, 3, 3),
            recorded_at=OPENED,
            recorded_by="mediator-01",
        )
    )
    page = worker_page("wage_arrears", view(state), 2)
    shown = repr(page)
    assert ("待您确认", "1,000.00 元") in page.amounts
    assert ("被拖欠工资", "3,000.00 元") in page.amounts
    assert page.to_do and "2026年3月3日" in page.to_do[0]
    # Never another worker's name, ID number or mobile, nor the case's total.
    for worker in (1, 3):
        data = f.worker(worker)
        for value in (data["name"], data["id_number"], data["mobile"]):
            assert value not in shown
    assert "9,000.00" not in shown
    # The first worker has nothing to confirm.
    assert worker_page("wage_arrears", view(state), 1).to_do == []


def test_pub3_the_next_steps_are_the_engines_deadlines_as_chinese_dates() -> None:
    state = opened(workers=1)
    page = worker_page("wage_arrears", view(state), 1)
    assert page.next_steps[0].by == chinese_date(OPENED + timedelta(days=3)) == "2026年3月5日"
    assert "用人单位应当支付" in page.next_steps[0].what


def test_pub3_a_clock_due_at_midnight_is_said_as_the_day_it_ends() -> None:
    # WA-1's clock runs to the end of its third day: 24:00 CST is the next day's 00:00.
    midnight = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)  # 2026-03-06 00:00 CST
    state, _ = transitions.case_opened(
        "WA-2026-000001",
        WageArrearsIntake.model_validate(f.intake(workers=1)),
        RegionSettings(county_code=f.COUNTY),
        OPENED,
        DueResult(due_at=midnight, calendar_version="test"),
    )
    page = worker_page("wage_arrears", view(state), 1)
    assert page.next_steps[0].by == "2026年3月5日"


def test_pub5_an_online_complaint_waits_for_acceptance_and_tells_the_inspectors() -> None:
    """PUB-5, WA-12: the complaint_filed notification goes to the inspectors and the worker."""
    form = {
        "employer_name": "太原某建筑劳务有限公司",
        "credit_code": f.EMPLOYER_CODE,
        "project_name": "",
        "county_code": f.COUNTY,
        "sector": "建筑业",
        "amount": "8,600",
        "months": "3",
        "worker_name": "张三",
        "id_number": f.resident_id(5),
        "mobile": "+86 139-0000-0005",
        "summary": "三个月工资未发",
    }
    intake, errors = complaint_intake(form)
    assert errors == {} and intake is not None
    assert intake.source.value == "complaint" and intake.channel == "online"
    assert intake.workers[0].mobile == "13900000005"  # normalised as the API does
    assert intake.workers[0].amount_owed == Decimal("8600")
    state, notes = transitions.case_opened(
        "WA-2026-000002",
        intake,
        RegionSettings(county_code=f.COUNTY),
        OPENED,
        DueResult(due_at=OPENED + timedelta(days=3), calendar_version="test"),
    )
    assert [n.kind for n in notes] == ["complaint_filed"]
    text = sms_text(notes[0], query_link="https://example.invalid/my")
    assert "WA-2026-000002" in text and "https://example.invalid/my" in text
    assert "张三" not in text and "13900000005" not in text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("id_number", "140105199001011230", "身份证号码不正确"),
        ("credit_code", "91140105MA0L", "统一社会信用代码应为18位"),
        ("mobile", "1234", "手机号码应为11位"),
        ("amount", "-5", "请填写被拖欠的金额"),
        ("county_code", "110101", "请选择区县"),
    ],
)
def test_pub5_the_complaint_is_checked_like_the_api(field: str, value: str, message: str) -> None:
    form = {
        "employer_name": "太原某建筑劳务有限公司",
        "credit_code": f.EMPLOYER_CODE,
        "county_code": f.COUNTY,
        "amount": "8600",
        "worker_name": "张三",
        "id_number": f.resident_id(5),
        "mobile": "13900000005",
        "summary": "三个月工资未发",
        field: value,
    }
    intake, errors = complaint_intake(form)
    assert intake is None and message in errors[field]


def test_pub1_codes_are_six_digits_derived_never_stored_and_checked_by_hmac() -> None:
    seed = "a" * 64
    code = otc.code_for(KEY, seed)
    assert len(code) == 6 and code.isdigit()
    assert otc.code_for(KEY, seed) == code and otc.code_for(b"x" * 32, seed) != code
    stored = otc.code_hash(KEY, seed, code)
    assert code not in stored
    assert otc.matches(KEY, seed, stored, code)
    assert not otc.matches(KEY, seed, stored, f"{(int(code) + 1) % 10**6:06d}")
    # The SMS activity puts the derived code in the text; the notification holds no code.
    note = notify("WA-2026-000001", f.COUNTY, "access_code", "c", None, challenge=seed)
    assert code not in note.model_dump_json()
    assert code in sms_text(note, code=code)


def test_pub4_a_worker_access_names_a_worker_never_staff() -> None:
    access = WorkerAccess(actor=WorkerActor.of(2, f.COUNTY), session="0123456789abcdef")
    assert access.model_dump()["actor"] == {
        "id": "worker:2",
        "role": "worker",
        "county_code": f.COUNTY,
    }
    with pytest.raises(ValueError):
        WorkerActor(id="mediator-01", county_code=f.COUNTY)


def test_pub6_limits_per_address_per_mobile_and_per_case() -> None:
    limits = PublicLimits(
        SlidingWindowCounterRateLimiter(MemoryStorage()),
        parse_many("3/hour"),
        parse_many("2/hour"),
        parse_many("2/hour"),
    )
    assert limits.allow("code", [("address", "a"), ("mobile", "m1")])
    assert limits.allow("code", [("address", "a"), ("mobile", "m1")])
    assert not limits.allow("code", [("address", "a"), ("mobile", "m1")])  # the mobile's third
    assert not limits.allow("code", [("address", "a"), ("mobile", "m2")])  # the address's fourth
    assert limits.allow("code", [("address", "b"), ("case", "c")])
    assert limits.allow("code", [("address", "c"), ("case", "c")])
    assert not limits.allow("code", [("address", "d"), ("case", "c")])  # the case's third
    # Each purpose counts on its own.
    assert limits.allow("complaint", [("address", "a"), ("mobile", "m1")])
