"""Each official notice printed for a real case (driven through its workflow on the
time-skipping server): the PDF's text names the case, the computed date in Chinese date form
and the article cited; its first page, rendered to PNG in test-artifacts/, is not blank; the
same state prints the same bytes under the same document number."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdf
import pypdfium2
import pytest
from PIL import Image, ImageStat

from api.notices.render import render
from domain.common import Role, cst_date
from domain.dispute.models import DisputeIntake
from domain.notices import NoticeKind, Occasion, document_number, last_day, occasion, zh_date
from store.notices import issue_number
from tests import factories as f
from tests.workflows.conftest import Harness, random_case_id
from tests.workflows.test_insurance_transfer import clerk, open_transfer, transfer_intake
from workflows.dispute import DisputeWorkflow as D
from workflows.insurance_transfer import InsuranceTransferWorkflow as T
from workflows.wage_arrears import WageArrearsWorkflow as W

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _cmd(role: Role, reason: str = "recorded", **fields: Any) -> dict[str, Any]:
    return {"actor": f.actor(role), "reason": reason, **fields}


def text_of(pdf: bytes) -> str:
    """The PDF's text without white space (a line may break inside a date)."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join("".join(page.extract_text().split()) for page in reader.pages)


def first_page_png(pdf: bytes, name: str) -> Image.Image:
    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=1.4).to_pil().convert("RGB")
    ARTIFACTS.mkdir(exist_ok=True)
    image.save(ARTIFACTS / f"notice-{name}.png")
    document.close()
    return image


def assert_not_blank(image: Image.Image) -> None:
    """Ink on the page: a good share of dark pixels, and some red (the header, the seal)."""
    grey = image.convert("L")
    dark = sum(grey.histogram()[:128]) / (grey.width * grey.height)
    assert dark > 0.01, f"the page is nearly blank ({dark:.4f} dark)"
    assert ImageStat.Stat(image).extrema[0][1] > 150  # red channel


def printed(
    harness: Harness, case_id: str, kind: NoticeKind, case_kind: str, state: Any
) -> tuple[Occasion, str, bytes]:
    occ = occasion(kind, case_kind, state)
    issued = issue_number(
        harness.engine,
        case_id=case_id,
        kind=kind.value,
        occasion=occ.key,
        county_code=occ.county_code,
        year=occ.issued_on.year,
        issued_by="test",
    )
    number = document_number(issued.county_code, issued.year, issued.seq)
    pdf = render(occ, number, case_id, None)
    assert pdf.startswith(b"%PDF-")
    return occ, number, pdf


async def dispute_notice(harness: Harness, handle: Any, kind: NoticeKind) -> bytes:
    """The notice of `kind` printed from the dispute's current state."""
    state = (await handle.query(D.view)).state
    _, _, pdf = printed(harness, handle.id, kind, "dispute", state)
    return pdf


def check(pdf: bytes, name: str, *expected: str) -> str:
    text = text_of(pdf)
    for piece in expected:
        assert "".join(piece.split()) in text, f"{piece!r} is not in the {name} notice"
    assert_not_blank(first_page_png(pdf, name))
    return text


async def test_wa6_order_to_pay_prints_the_computed_deadline_and_the_articles(
    harness: Harness,
) -> None:
    """WA-6: the order to pay names the employer, each worker and amount, the deadline the
    engine computed (7 days, in Chinese date form) and LC Art.85 / LSSR Art.26; producing it
    again prints the same bytes under the same number; a second order is another notice."""
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    case_id = handle.id
    view = await harness.view(handle)
    with pytest.raises(Exception, match="WA-6"):
        occasion(NoticeKind.order_to_pay, "wage_arrears", view.state)  # 409: no order yet

    issued_at = await harness.now()
    await handle.execute_update(W.issue_order_to_pay, _cmd(Role.inspector, "order issued"))
    view = await harness.view(handle)
    deadline = [d for d in view.state.deadlines if d.name == "order_to_pay"][-1]
    due = last_day(deadline.due_at)
    assert due == cst_date(issued_at) + timedelta(days=7)

    occ, number, pdf = printed(
        harness, case_id, NoticeKind.order_to_pay, "wage_arrears", view.state
    )
    check(
        pdf,
        "order_to_pay",
        case_id,
        zh_date(due),
        "《中华人民共和国劳动合同法》第八十五条",
        "《劳动保障监察条例》第二十六条",
        "太原某建筑劳务有限公司",
        "工人1",
        "6,000.00",
        number,
        "太原市小店区人力资源和社会保障局",
        "（印章）",
    )
    assert "〔" in number and number.endswith("号")
    again = printed(harness, case_id, NoticeKind.order_to_pay, "wage_arrears", view.state)
    assert again[1] == number and again[2] == pdf  # regenerated: same number, same bytes


async def test_closure_summary_lists_the_timeline_without_naming_workers(harness: Harness) -> None:
    handle = await harness.open_case(f.intake(workers=2, amount="3000.00"))
    await handle.execute_update(W.issue_order_to_pay, _cmd(Role.inspector, "order issued"))
    view = await harness.view(handle)
    _, _, pdf = printed(harness, handle.id, NoticeKind.closure_summary, "wage_arrears", view.state)
    text = check(pdf, "closure_summary", handle.id, "立案", "责令限期支付", "WA-6", "2人")
    assert "工人1" not in text and f.resident_id(1) not in text


def _dispute(**overrides: Any) -> DisputeIntake:
    data: dict[str, Any] = {
        "origin": "mediation",
        "county_code": f.COUNTY,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": f.EMPLOYER_CODE},
        "workers": [{"name": "王某", "id_number": f.resident_id(1), "mobile": "13900000001"}],
        "claims": [{"description": "2026年9月至11月工资", "amount": "9000.00"}],
        "claim_known_on": "2026-10-01",
        "employment_ended_on": "2026-10-31",
        "summary": "工人申请调解",
        "opened_by": f.actor(Role.mediator),
    }
    data.update(overrides)
    return DisputeIntake.model_validate(data)


async def _open_dispute(harness: Harness, intake: DisputeIntake) -> Any:
    return await harness.start(D, intake, random_case_id("MA"))


async def test_ma2_mediation_agreement_prints_the_performance_date(
    isolated_harness: Harness,
) -> None:
    """MA-2: the agreement prints the parties, the amount and its performance date. On a
    time-skipping server of its own: the shared one stops skipping time after this case."""
    harness = isolated_harness
    handle = await _open_dispute(harness, _dispute())
    performance = cst_date(await harness.now()) + timedelta(days=6)
    await handle.execute_update(
        D.record_agreement,
        _cmd(Role.mediator, "agreed", amount="9000.00", performance_date=performance.isoformat()),
    )
    pdf = await dispute_notice(harness, handle, NoticeKind.mediation_agreement)
    check(
        pdf,
        "mediation_agreement",
        handle.id,
        zh_date(performance),
        "第十六条",
        "王某",
        f.resident_id(1),
        "9,000.00",
        "支付令",
    )


async def test_ma4_ma6_acceptance_and_hearing_notices_print_the_engine_dates(
    harness: Harness,
) -> None:
    """MA-4: the acceptance notice prints the service (MA-5, 5 days) and award (MA-7, 45
    days) dates the engine computed; MA-6: the hearing notice prints the hearing and the
    latest day to serve it (5 days before). A refusal prints the refusal notice."""
    handle = await _open_dispute(harness, _dispute(origin="arbitration"))
    state = (await handle.query(D.view)).state
    with pytest.raises(Exception, match="MA-4"):
        occasion(NoticeKind.arbitration_acceptance, "dispute", state)
    await handle.execute_update(D.decide_acceptance, _cmd(Role.mediator, "ok", decision="accept"))
    state = (await handle.query(D.view)).state
    award = [d for d in state.deadlines if d.name == "award"][-1]
    service = [d for d in state.deadlines if d.name == "service"][-1]
    pdf = await dispute_notice(harness, handle, NoticeKind.arbitration_acceptance)
    check(
        pdf,
        "arbitration_acceptance",
        handle.id,
        "仲裁受理通知书",
        zh_date(last_day(award.due_at)),
        zh_date(last_day(service.due_at)),
        "第二十九条",
        "第四十三条",
        "太原市小店区劳动人事争议仲裁委员会",
    )

    today = cst_date(await harness.now())
    hearing_at = (await harness.now()) + timedelta(days=12)
    await handle.execute_update(
        D.schedule_hearing,
        _cmd(
            Role.mediator,
            "hearing",
            hearing_at=hearing_at.isoformat(),
            notice_served_on=today.isoformat(),
        ),
    )
    pdf = await dispute_notice(harness, handle, NoticeKind.hearing_notice)
    check(
        pdf,
        "hearing_notice",
        handle.id,
        zh_date(cst_date(hearing_at)),
        zh_date(cst_date(hearing_at) - timedelta(days=5)),
        "第三十五条",
    )

    refused = await _open_dispute(harness, _dispute(origin="arbitration"))
    await refused.execute_update(D.decide_acceptance, _cmd(Role.mediator, "no", decision="refuse"))
    pdf = await dispute_notice(harness, refused, NoticeKind.arbitration_acceptance)
    check(
        pdf, "arbitration_refusal", refused.id, "不予受理通知书", "向人民法院提起诉讼", "第二十九条"
    )


async def test_si1_pension_acceptance_letter_prints_the_old_agencys_15_working_days(
    harness: Harness,
) -> None:
    handle = await open_transfer(harness, transfer_intake("pension"))
    await handle.execute_update(
        T.issue_acceptance_letter, {"actor": clerk(f.OTHER_COUNTY), "reason": "accepted"}
    )
    state = (await handle.query(T.view)).state
    transfer = [d for d in state.deadlines if d.name == "transfer"][-1]
    occ, number, pdf = printed(
        harness, handle.id, NoticeKind.pension_acceptance_letter, "insurance_transfer", state
    )
    assert occ.county_code == f.OTHER_COUNTY  # numbered by the new agency's county
    check(
        pdf,
        "pension_acceptance_letter",
        handle.id,
        zh_date(last_day(transfer.due_at)),
        "国办发〔2009〕66号）第八条",
        "15个工作日",
        "小店区社保中心",
        "迎泽区社保中心",
        "迎泽人社",
    )


async def test_si3_medical_transfer_notice_prints_the_transfer_out_10_working_days(
    harness: Harness,
) -> None:
    handle = await open_transfer(harness, transfer_intake("medical"))
    state = (await handle.query(T.view)).state
    out = [d for d in state.deadlines if d.name == "transfer_out"][-1]
    _, _, pdf = printed(
        harness, handle.id, NoticeKind.medical_transfer_notice, "insurance_transfer", state
    )
    check(
        pdf,
        "medical_transfer_notice",
        handle.id,
        zh_date(last_day(out.due_at)),
        "医保办发〔2021〕43号",
        "10个工作日",
        "5个工作日",
    )
