"""Official notices over HTTP: 409 before the case allows one, produced as a PDF file of its
case (the history names who produced it and its hash), downloadable, the same number when
produced again, 403 for a role that attaches no files, 404 outside the caller's counties;
the order to pay's service recorded through the actions route."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

import pypdf
import pytest
from structlog.testing import capture_logs

from domain.common import Role, cst_date
from ops.rebuild import rebuild_read_model
from store.db import make_engine
from store.notices import IssuedNumber, issue_number
from tests import factories as f
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

CASES = "/api/v1/cases"


async def test_the_order_to_pay_is_produced_attached_downloaded_and_numbered_once(
    stack: Stack,
) -> None:
    case_id = await stack.open_wage_arrears(f.intake())
    inspector = await stack.login(Role.inspector)
    notice = f"{CASES}/{case_id}/notices/order_to_pay"

    early = await stack.http.post(notice, headers=inspector)
    assert early.status_code == 409, early.text
    assert early.json()["error"]["code"] == "notice_not_available"
    assert early.json()["error"]["message_zh"]
    offers = (await stack.http.get(f"{CASES}/{case_id}/notices", headers=inspector)).json()
    assert [o["kind"] for o in offers["items"]] == ["closure_summary"]
    assert all(o["can_produce"] for o in offers["items"])
    unknown = await stack.http.post(f"{CASES}/{case_id}/notices/hearing_notice", headers=inspector)
    assert unknown.status_code == 404

    issued = await stack.http.post(
        f"{CASES}/{case_id}/actions/issue_order_to_pay",
        json={"reason": "order issued at the site"},
        headers=inspector,
    )
    assert issued.status_code == 200, issued.text
    with capture_logs() as logs:
        produced = await stack.http.post(notice, headers=inspector)
    assert produced.status_code == 201, produced.text
    body = produced.json()
    number = body["number"]
    assert number.startswith("小店人社〔") and number.endswith("号")
    file = body["file"]
    assert file["media_type"] == "application/pdf" and file["attached_by_role"] == "inspector"
    assert "工人1" not in repr(logs) and file["name"] not in repr(logs)

    pdf = (await stack.http.get(file["url"], headers=inspector)).content
    assert hashlib.sha256(pdf).hexdigest() == file["sha256"]
    text = "".join(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert case_id in text and "第八十五条" in text and number in text

    again = await stack.http.post(notice, headers=inspector)
    assert again.status_code == 200, again.text
    assert again.json()["number"] == number and again.json()["file"]["sha256"] == file["sha256"]
    files = (await stack.http.get(f"{CASES}/{case_id}/files", headers=inspector)).json()
    assert [x["sha256"] for x in files["items"]] == [file["sha256"]]

    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=inspector)).json()
    attached = [e for e in history["events"] if e["what"] == "attach_file"]
    assert attached[0]["details"]["sha256"] == file["sha256"]
    assert attached[0]["actor"]["role"] == "inspector"

    # 送达: recorded with its legal date and manner; the history names who recorded it.
    today = cst_date(datetime.now(UTC))
    served = await stack.http.post(
        f"{CASES}/{case_id}/actions/record_order_served",
        json={"reason": "served at the office", "served_on": today.isoformat(), "manner": "direct"},
        headers=inspector,
    )
    assert served.status_code == 200, served.text
    history = (await stack.http.get(f"{CASES}/{case_id}/history", headers=inspector)).json()
    [entry] = [e for e in history["events"] if e["what"] == "record_order_served"]
    assert entry["actor"]["role"] == "inspector"

    # Others: an agency clerk sees no wage-arrears case; another county's officer neither.
    clerk = await stack.login(Role.agency_clerk)
    assert (await stack.http.post(notice, headers=clerk)).status_code == 404
    elsewhere = await stack.login(Role.inspector, counties=("140106",))
    assert (await stack.http.post(notice, headers=elsewhere)).status_code == 404
    offers = (await stack.http.get(f"{CASES}/{case_id}/notices", headers=inspector)).json()
    listed = {o["kind"]: o["number"] for o in offers["items"]}
    assert listed["order_to_pay"] == number


async def test_a_rebuilt_read_model_keeps_every_notice_number(
    stack: Stack, database_url: str
) -> None:
    """The numbers are not in Temporal's state but the notices' files are: a read model
    rebuilt from Temporal alone gives a notice produced again its first number, and the next
    notice a number after it (never one issued before)."""
    opened = await stack.http.post(f"{CASES}/wage-arrears", json=f.intake())
    case_id = opened.json()["case_id"]
    inspector = await stack.login(Role.inspector)
    await stack.http.post(
        f"{CASES}/{case_id}/actions/issue_order_to_pay", json={"reason": "x"}, headers=inspector
    )
    produced = await stack.http.post(f"{CASES}/{case_id}/notices/order_to_pay", headers=inspector)
    assert produced.status_code == 201, produced.text
    ref = produced.json()["file"]["notice"]
    assert ref["kind"] == "order_to_pay" and ref["occasion"] == "1"

    fresh = make_engine(database_url)

    def issue(occasion: str) -> IssuedNumber:
        return issue_number(
            fresh,
            case_id=case_id,
            kind="order_to_pay",
            occasion=occasion,
            county_code=ref["county_code"],
            year=ref["year"],
            issued_by="inspector-01",
        )

    try:
        await rebuild_read_model(stack.client, fresh, stack.settings.task_queue)
        again = issue("1")
        assert (again.seq, again.first) == (ref["seq"], False)
        other = issue("2")
        assert other.seq > ref["seq"]
    finally:
        fresh.dispose()
