"""Personal data typed into free text (a summary, a reason) is masked as the fields are: a
supervisor reads ID numbers, mobiles and the workers' names masked in the case, its history
and its exports; a mediator or inspector reads them as typed. Refusals never repeat the
value that was refused."""

from __future__ import annotations

import csv
import io

import pytest

from domain.common import Role
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"
NAME = "张三丰"
ID_NUMBER = f.resident_id(301)
MOBILE = "13912345678"
MASKED_ID = ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
MASKED_MOBILE = "139****5678"
SUMMARY = f"{NAME}（身份证{ID_NUMBER}，电话{MOBILE}）投诉拖欠工资"
REASON = f"{NAME}说雇主拒付；回电{MOBILE}，证件号{ID_NUMBER.lower()}"


async def _open(stack: Stack) -> tuple[str, dict[str, str]]:
    inspector = await stack.login(Role.inspector, (f.COUNTY,))
    body = f.intake(workers=1, summary=SUMMARY)
    body["workers"][0]["name"] = NAME
    del body["opened_by"]
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=body, headers=inspector)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    ordered = await stack.http.post(
        f"{CASES}/{case_id}/actions/issue_order_to_pay",
        json={"reason": REASON, "days": 7},
        headers=inspector,
    )
    assert ordered.status_code == 200, ordered.text
    return case_id, inspector


def _assert_masked(text: str) -> None:
    assert ID_NUMBER not in text and ID_NUMBER.lower() not in text
    assert MOBILE not in text and NAME not in text
    assert MASKED_ID in text or MASKED_ID.lower() in text
    assert MASKED_MOBILE in text and "张**" in text


async def test_free_text_is_masked_for_roles_that_see_personal_data_masked(
    stack: Stack,
) -> None:
    case_id, inspector = await _open(stack)
    supervisor = await stack.login(Role.supervisor, (f.COUNTY,))

    case = (await stack.http.get(f"{CASES}/{case_id}", headers=supervisor)).json()
    (step,) = [s for s in case["ladder"] if s["rung"] == "order_to_pay"]
    assert step["reason"] == f"张**说雇主拒付；回电{MASKED_MOBILE}，证件号{MASKED_ID.lower()}"

    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=supervisor)).json()
    reasons = {e["what"]: e["reason"] for e in history["events"] if e.get("reason")}
    assert reasons["case_opened"] == f"张**（身份证{MASKED_ID}，电话{MASKED_MOBILE}）投诉拖欠工资"
    _assert_masked(reasons["issue_order_to_pay"])
    for fmt in ("json", "csv"):
        exported = await stack.http.get(
            f"{CASES}/{case_id}/history", params={"format": fmt}, headers=supervisor
        )
        assert exported.status_code == 200
        _assert_masked(exported.text)

    # The inspector works with the worker: the text as typed.
    case = (await stack.http.get(f"{CASES}/{case_id}", headers=inspector)).json()
    assert [s["reason"] for s in case["ladder"] if s["rung"] == "order_to_pay"] == [REASON]
    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=inspector)).json()
    assert {e["reason"] for e in history["events"]} >= {SUMMARY, REASON}


async def test_the_csv_export_neutralises_formulas(stack: Stack) -> None:
    """A reason a spreadsheet would run as a formula is exported as text."""
    mediator = await stack.login(Role.mediator, (f.COUNTY,))
    body = f.intake(workers=1, summary='=HYPERLINK("http://example.invalid","x")')
    del body["opened_by"]
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=body, headers=mediator)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    for reason in ("+1+2", "-1+cmd", "@SUM(A1)", "\tx=1", "\rx=1"):
        paid = await stack.http.post(
            f"{CASES}/{case_id}/actions/record_payment",
            json={"reason": reason, "worker_no": 1, "amount": "1.00", "paid_on": "2026-01-05"},
            headers=mediator,
        )
        assert paid.status_code == 200, paid.text
    exported = await stack.http.get(
        f"{CASES}/{case_id}/history", params={"format": "csv"}, headers=mediator
    )
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    reasons = [row["reason"] for row in rows if row["reason"]]
    assert len(reasons) == 6
    assert all(r.startswith("'") for r in reasons), reasons
    assert reasons[0] == """'=HYPERLINK("http://example.invalid","x")"""
    for row in rows:
        for value in row.values():
            assert not value or value[0] not in "=+-@\t\r" or value.lstrip("-")[:1].isdigit()


async def test_a_refusal_never_repeats_the_refused_value(stack: Stack) -> None:
    """A resident ID number typed into worker_no comes back as a refusal naming the field, not
    the number; so does an unknown payment id or deadline name."""
    inspector = await stack.login(Role.inspector, (f.COUNTY,))
    body = f.intake(workers=2)
    del body["opened_by"]
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=body, headers=inspector)
    case_id = opened.json()["case_id"]
    typed = f.resident_id(302)[:-1] + "7"
    paid = {"reason": "r", "amount": "1.00", "paid_on": "2026-01-05"}
    recorded = await stack.http.post(
        f"{CASES}/{case_id}/actions/record_payment",
        json={**paid, "worker_no": 1},
        headers=inspector,
    )
    assert recorded.status_code == 200, recorded.text
    # An order to pay (WA-6) runs a deadline that may be extended.
    ordered = await stack.http.post(
        f"{CASES}/{case_id}/actions/issue_order_to_pay", json={"reason": "r"}, headers=inspector
    )
    assert ordered.status_code == 200, ordered.text
    for action, payload, value, says in (
        (
            "record_payment",
            {**paid, "worker_no": int(typed)},
            typed,
            "worker_no is not a worker of this case (workers 1 to 2)",
        ),
        (
            "confirm_payment",
            {"reason": "r", "payment_id": f"P{MOBILE}"},
            MOBILE,
            "payment_id is not a payment of this case (payments: P1)",
        ),
        (
            "extend_deadline",
            {"reason": "r", "deadline": ID_NUMBER, "days": 5},
            ID_NUMBER,
            "no deadline of that name in this case",
        ),
    ):
        refused = await stack.http.post(
            f"{CASES}/{case_id}/actions/{action}", json=payload, headers=inspector
        )
        assert refused.status_code in (409, 422), (action, refused.text)
        assert value not in refused.text, (action, refused.text)
        assert says in refused.json()["error"]["message"], (action, refused.text)
