"""Official notices: which notice a case offers when, and what it prints.

A notice is for an occasion of its case (the second order to pay is another notice than the
first) and prints what the case recorded for that occasion: the parties as the served copy
names them, the facts, the legal basis by article and the dates the engine computed. It is
printed from the case's state alone, with the occasion's own date as the document's date, so
producing it again prints the same notice under the same document number (store/notices.py).

`occasion` refuses (ActionNotAllowed, HTTP 409) a notice the case's state does not allow yet:
no order to pay issued, no agreement reached, no acceptance decided, no hearing scheduled, no
acceptance letter issued. Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from domain.common import CST, ActionNotAllowed, cst_date
from domain.deadlines import Deadline
from domain.dispute.models import DisputeState
from domain.insurance.models import TransferKind, TransferState
from domain.regions import TAIYUAN_COUNTIES
from domain.wage_arrears import accounts
from domain.wage_arrears.models import CaseStatus, WageArrearsState


class NoticeKind(StrEnum):
    order_to_pay = "order_to_pay"  # WA-6
    mediation_agreement = "mediation_agreement"  # MA-2
    arbitration_acceptance = "arbitration_acceptance"  # MA-4
    hearing_notice = "hearing_notice"  # MA-6
    pension_acceptance_letter = "pension_acceptance_letter"  # SI-1
    medical_transfer_notice = "medical_transfer_notice"  # SI-3
    closure_summary = "closure_summary"


@dataclass(frozen=True)
class NoticeSpec:
    kind: NoticeKind
    case_kinds: frozenset[str]
    title: str
    rule: str


SPECS: dict[NoticeKind, NoticeSpec] = {
    s.kind: s
    for s in (
        NoticeSpec(
            NoticeKind.order_to_pay, frozenset({"wage_arrears"}), "责令限期支付工资通知书", "WA-6"
        ),
        NoticeSpec(NoticeKind.mediation_agreement, frozenset({"dispute"}), "调解协议书", "MA-2"),
        NoticeSpec(
            NoticeKind.arbitration_acceptance, frozenset({"dispute"}), "仲裁受理通知书", "MA-4"
        ),
        NoticeSpec(NoticeKind.hearing_notice, frozenset({"dispute"}), "开庭通知书", "MA-6"),
        NoticeSpec(
            NoticeKind.pension_acceptance_letter,
            frozenset({"insurance_transfer"}),
            "基本养老保险关系转移接续联系函",
            "SI-1",
        ),
        NoticeSpec(
            NoticeKind.medical_transfer_notice,
            frozenset({"insurance_transfer"}),
            "基本医疗保障关系转移接续通知书",
            "SI-3",
        ),
        NoticeSpec(
            NoticeKind.closure_summary,
            frozenset({"wage_arrears", "dispute", "insurance_transfer"}),
            "案件办理情况摘要（结案审批）",
            "",
        ),
    )
}


def kinds_for(case_kind: str) -> list[NoticeKind]:
    return [k for k, s in SPECS.items() if case_kind in s.case_kinds]


@dataclass
class Occasion:
    """One notice of one case: what makes it the same notice again, and what it prints."""

    kind: NoticeKind
    key: str  # the occasion within the case ("1": the first order to pay)
    issued_on: date  # the document's date, and the year its number is counted in
    county_code: str  # the county whose sequence numbers it
    issuer: str
    title: str
    context: dict[str, Any] = field(default_factory=dict)


def _occasion(
    kind: NoticeKind,
    key: str,
    issued_on: date,
    county_code: str,
    issuer: str,
    context: dict[str, Any],
    title: str | None = None,
) -> Occasion:
    """The notice of `kind`, under its spec's title unless the occasion words it otherwise."""
    title = title or SPECS[kind].title
    return Occasion(kind, key, issued_on, county_code, issuer, title, context)


# Dates and amounts as a Chinese official document writes them.


def zh_date(day: date) -> str:
    """2026-12-08 → 2026年12月8日."""
    return f"{day.year}年{day.month}月{day.day}日"


def zh_datetime(moment: datetime) -> str:
    local = moment.astimezone(CST)
    return f"{zh_date(local.date())}{local.hour}时{local.minute:02d}分"


def last_day(due_at: datetime) -> date:
    """The last day of a period that ends at `due_at` (the midnight after its last day)."""
    return (due_at.astimezone(CST) - timedelta(microseconds=1)).date()


def yuan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def document_number(county_code: str, year: int, seq: int) -> str:
    """〔2026〕第001号, led by the county's short name: 小店人社〔2026〕第001号."""
    return f"{_short(county_code)}人社〔{year}〕第{seq:03d}号"


def county_name(county_code: str) -> str:
    name = TAIYUAN_COUNTIES.get(county_code)
    return f"太原市{name}" if name else f"行政区划{county_code}"


def _short(county_code: str) -> str:
    name = TAIYUAN_COUNTIES.get(county_code)
    return name[:-1] if name and len(name) > 2 else (name or county_code)


def bureau(county_code: str) -> str:
    return f"{county_name(county_code)}人力资源和社会保障局"


def arbitration_commission(county_code: str) -> str:
    return f"{county_name(county_code)}劳动人事争议仲裁委员会"


def mediation_body(county_code: str) -> str:
    return f"{county_name(county_code)}劳动人事争议调解中心"


def _deadlines(deadlines: Sequence[Deadline], name: str) -> list[Deadline]:
    return [d for d in deadlines if d.name == name]


def _latest(deadlines: Sequence[Deadline], name: str) -> Deadline | None:
    found = _deadlines(deadlines, name)
    return found[-1] if found else None


def _due(deadline: Deadline | None) -> str | None:
    return zh_date(last_day(deadline.due_at)) if deadline is not None else None


_STATE_ZH = {
    "pending": "进行中",
    "met": "按期完成",
    "breached": "已超期",
    "cancelled": "已取消",
    "abandoned": "已中止",
}


def _deadline_rows(deadlines: Sequence[Deadline]) -> list[dict[str, str]]:
    return [
        {
            "name": _LABELS.get(d.name, d.name),
            "rule": d.rule,
            "due": zh_date(last_day(d.due_at)),
            "state": _STATE_ZH.get(d.state.value, d.state.value),
        }
        for d in deadlines
    ]


# Labels of the steps and clocks a closure summary lists (unknown ones print as recorded).
_LABELS = {
    "opened": "立案",
    "settle": "一般问题清偿期限",
    "order_to_pay": "责令限期支付",
    "order_to_pay_missed": "逾期未支付",
    "order_to_pay_served": "送达责令支付通知书",
    "guarantee_deposit": "动用工资保证金",
    "contractor_pays": "总包单位先行清偿",
    "emergency_advance": "应急周转金垫付",
    "mediation": "移送调解",
    "police": "移送公安机关",
    "punishment_list": "列入失信联合惩戒名单",
    "escalated": "逾期升级",
    "payment_recorded": "登记支付",
    "payment_confirmed": "确认支付",
    "complaint_acceptance": "投诉受理期限",
    "investigation": "调查期限",
    "mediation_session": "调解",
    "agreement": "达成调解协议",
    "mediation_failed": "调解不成",
    "performed": "协议履行完毕",
    "arbitration_applied": "申请仲裁",
    "arbitration_accepted": "仲裁受理",
    "arbitration_refused": "不予受理",
    "respondent_served": "向被申请人送达",
    "defence": "收到答辩书",
    "hearing_scheduled": "安排开庭",
    "award": "作出裁决",
    "acceptance": "受理审查期限",
    "service": "送达期限",
    "award_due": "裁决期限",
    "performance": "协议履行期限",
    "acceptance_letter_issued": "出具联系函",
    "transfer_sent": "转出",
    "transfer_completed": "转移完成",
    "returned_for_documents": "退回补充材料",
    "documents_received": "收到补充材料",
    "acceptance_letter": "出具联系函期限",
    "transfer": "转出期限",
    "transfer_out": "转出期限",
    "receipt": "接收期限",
    "completion": "办结期限",
    "closed": "结案",
    "step_overdue": "环节超期",
    "campaign_3_months": "清欠行动：立案三个月内",
    "campaign_year_end": "清欠行动：年底前清零",
    "campaign_spring_festival": "清欠行动：春节前清零",
    "defence_due": "答辩期限",
}

# Case statuses and stages as the summary prints them.
_STATUS_ZH = {
    "open": "办理中",
    "escalated": "已升级督办",
    "settled": "已清偿",
    "closed": "已结案",
    "mediation": "调解中",
    "agreement": "已达成调解协议",
    "agreement_unperformed": "调解协议未履行",
    "payment_order": "支付令程序",
    "arbitration_applied": "已申请仲裁",
    "arbitration": "仲裁中",
    "award": "已裁决",
    "litigation": "诉讼中",
    "enforcement": "强制执行中",
    "applied": "已申请",
    "letter_issued": "已出具联系函",
    "transfer_out": "待转出",
    "funds_sent": "已转出",
    "received": "已接收",
    "awaiting_documents": "待补充材料",
    "completed": "已办结",
}


def _event_row(at: datetime, kind: str, actor_id: str | None) -> dict[str, str]:
    return {
        "at": at.isoformat(),
        "date": zh_date(cst_date(at)),
        "what": _LABELS.get(kind, kind),
        "by": actor_id or "系统",
    }


# Wage-arrears notices.


def _order_to_pay(state: WageArrearsState) -> Occasion:
    """WA-6 (LC Art.85; LSSR Art.26): the order to pay by its deadline, as issued."""
    steps = [s for s in state.ladder if s.rung == "order_to_pay"]
    if not steps:
        raise ActionNotAllowed("WA-6: no order to pay was issued in this case")
    step = steps[-1]
    n = len(steps)
    orders = _deadlines(state.deadlines, "order_to_pay")
    deadline = orders[n - 1] if len(orders) >= n else (orders[-1] if orders else None)
    owed_now: list[tuple[str, Decimal]] = []
    for no, worker in zip(accounts.worker_numbers(state), state.intake.workers, strict=False):
        paid = sum(
            (
                p.amount
                for p in state.payments
                if p.worker_no == no
                and p.status == "confirmed"
                and p.decided_at is not None
                and p.decided_at <= step.at
            ),
            Decimal("0"),
        )
        unpaid = max(accounts.owed(state, no) - paid, Decimal("0"))
        if unpaid > 0:
            owed_now.append((worker.name, unpaid))
    workers = [
        {"no": str(i), "name": name, "amount": yuan(amount)}
        for i, (name, amount) in enumerate(owed_now, start=1)
    ]
    total = sum((amount for _, amount in owed_now), Decimal("0"))
    county = state.intake.county_code
    served = [s for s in state.ladder if s.rung == "order_to_pay_served" and s.at >= step.at]
    served_on = served[-1].details.get("served_on") if served else None
    return _occasion(
        NoticeKind.order_to_pay,
        str(n),
        cst_date(step.at),
        county,
        bureau(county),
        {
            "employer": state.intake.employer.name,
            "credit_code": state.intake.employer.credit_code,
            "project": state.intake.project.name if state.intake.project else None,
            "workers": workers,
            "worker_count": len(workers),
            "total": yuan(total),
            "due": _due(deadline),
            "days": deadline.days if deadline is not None else state.region.order_to_pay_days,
            "served_on": zh_date(date.fromisoformat(served_on)) if served_on else None,
            "basis": ["《中华人民共和国劳动合同法》第八十五条", "《劳动保障监察条例》第二十六条"],
        },
    )


def _wa_timeline(state: WageArrearsState) -> list[dict[str, str]]:
    rows: list[tuple[datetime, dict[str, str]]] = [
        (state.opened_at, _event_row(state.opened_at, "opened", state.intake.opened_by.id))
    ]
    rows += [(s.at, _event_row(s.at, s.rung, s.actor_id)) for s in state.ladder]
    for p in state.payments:
        rows.append((p.recorded_at, _event_row(p.recorded_at, "payment_recorded", p.recorded_by)))
        if p.status == "confirmed" and p.decided_at is not None:
            rows.append((p.decided_at, _event_row(p.decided_at, "payment_confirmed", None)))
    if state.closed_at is not None:
        rows.append((state.closed_at, _event_row(state.closed_at, "closed", None)))
    return [row for _, row in sorted(rows, key=lambda r: r[0])]


# Dispute notices.


def _claimants(state: DisputeState) -> list[dict[str, str]]:
    return [{"name": w.name, "id_number": w.id_number} for w in state.intake.workers]


def _dispute_parties(state: DisputeState) -> dict[str, Any]:
    return {
        "claimants": _claimants(state),
        "employer": state.intake.employer.name,
        "credit_code": state.intake.employer.credit_code,
        "claims": [{"description": c.description, "amount": yuan(c.amount)} for c in state.claims],
    }


def _events(state: DisputeState | TransferState, *kinds: str) -> list[Any]:
    return [e for e in state.events if e.kind in kinds]


def _latest_event(
    state: DisputeState | TransferState, *kinds: str, refusal: str
) -> tuple[Any, str]:
    """The latest event of `kinds` and its occasion's key (the how-manieth such event it is);
    ActionNotAllowed(`refusal`) while the case has none."""
    found = _events(state, *kinds)
    if not found:
        raise ActionNotAllowed(refusal)
    return found[-1], str(len(found))


def _dispute_notice(
    state: DisputeState,
    kind: NoticeKind,
    key: str,
    event: Any,
    issuer: Callable[[str], str],
    context: dict[str, Any],
    title: str | None = None,
) -> Occasion:
    """A dispute's notice: issued on the day of its event by `issuer` of the case's county,
    naming the parties first."""
    county = state.intake.county_code
    issued_on = cst_date(event.at)
    context = {**_dispute_parties(state), **context}
    return _occasion(kind, key, issued_on, county, issuer(county), context, title)


def _mediation_agreement(state: DisputeState) -> Occasion:
    """MA-2 (LDMAL Art.14, 16): the agreement with its performance date."""
    refusal = "MA-2: no mediation agreement was reached in this case"
    event, key = _latest_event(state, "agreement", refusal=refusal)
    if state.agreement_amount is None or state.performance_date is None:
        raise ActionNotAllowed(refusal)
    return _dispute_notice(
        state,
        NoticeKind.mediation_agreement,
        key,
        event,
        mediation_body,
        {
            "amount": yuan(state.agreement_amount),
            "performance_date": zh_date(state.performance_date),
            "basis": [
                "《中华人民共和国劳动争议调解仲裁法》第十四条",
                "《中华人民共和国劳动争议调解仲裁法》第十六条",
            ],
        },
    )


def _arbitration_acceptance(state: DisputeState) -> Occasion:
    """MA-4 (LDMAL Art.29): acceptance or refusal, with the clocks acceptance starts (MA-5,
    MA-7)."""
    event, key = _latest_event(
        state,
        "arbitration_accepted",
        "arbitration_refused",
        refusal="MA-4: the arbitration application is not decided yet",
    )
    accepted = event.kind == "arbitration_accepted"
    application = _latest(state.deadlines, "acceptance")
    return _dispute_notice(
        state,
        NoticeKind.arbitration_acceptance,
        key,
        event,
        arbitration_commission,
        {
            "accepted": accepted,
            "decided_on": zh_date(cst_date(event.at)),
            "applied_on": zh_date(cst_date(application.start_at)) if application else None,
            "acceptance_due": _due(application),
            "service_due": _due(_latest(state.deadlines, "service")) if accepted else None,
            "award_due": _due(_latest(state.deadlines, "award")) if accepted else None,
            "basis": (
                [
                    "《中华人民共和国劳动争议调解仲裁法》第二十九条",
                    "《中华人民共和国劳动争议调解仲裁法》第三十条",
                    "《中华人民共和国劳动争议调解仲裁法》第四十三条",
                ]
                if accepted
                else ["《中华人民共和国劳动争议调解仲裁法》第二十九条"]
            ),
        },
        title="仲裁受理通知书" if accepted else "不予受理通知书",
    )


def _hearing_notice(state: DisputeState) -> Occasion:
    """MA-6 (LDMAL Art.35): the hearing's date, served at least 5 days before it."""
    event, key = _latest_event(
        state, "hearing_scheduled", refusal="MA-6: no hearing is scheduled in this case"
    )
    hearing_at = datetime.fromisoformat(event.details["hearing_at"])
    served_on = date.fromisoformat(event.details["notice_served_on"])
    return _dispute_notice(
        state,
        NoticeKind.hearing_notice,
        key,
        event,
        arbitration_commission,
        {
            "hearing_at": zh_datetime(hearing_at),
            "served_on": zh_date(served_on),
            "latest_service": zh_date(cst_date(hearing_at) - timedelta(days=5)),
            "basis": ["《中华人民共和国劳动争议调解仲裁法》第三十五条"],
        },
    )


def _timeline(state: DisputeState | TransferState) -> list[dict[str, str]]:
    """A dispute's or a transfer's course: its opening, then its events."""
    rows = [_event_row(state.opened_at, "opened", state.intake.opened_by.id)]
    rows += [_event_row(e.at, e.kind, e.actor_id) for e in state.events]
    return sorted(rows, key=lambda row: row["at"])


# Social-insurance transfer notices.


def _insured(state: TransferState) -> dict[str, Any]:
    return {
        "worker": state.intake.worker.name,
        "id_number": state.intake.worker.id_number,
        "from_agency": state.intake.from_agency.name,
        "to_agency": state.intake.to_agency.name,
    }


def _pension_acceptance_letter(state: TransferState) -> Occasion:
    """SI-1 (国办发〔2009〕66号 Art.8): the new agency's letter, with the old agency's 15 WD."""
    if state.intake.kind is not TransferKind.pension:
        raise ActionNotAllowed("SI-1: the acceptance letter is a pension transfer's")
    event, key = _latest_event(
        state, "acceptance_letter_issued", refusal="SI-1: the acceptance letter was not issued yet"
    )
    county = state.intake.to_agency.county_code
    return _occasion(
        NoticeKind.pension_acceptance_letter,
        key,
        cst_date(event.at),
        county,
        state.intake.to_agency.name,
        {
            **_insured(state),
            "applied_on": zh_date(cst_date(state.opened_at)),
            "letter_due": _due(_latest(state.deadlines, "acceptance_letter")),
            "transfer_due": _due(_latest(state.deadlines, "transfer")),
            "years": [
                {"year": str(c.year), "months": str(c.months), "base": yuan(c.monthly_base)}
                for c in state.intake.contributions
            ],
            "basis": [
                "《国务院办公厅关于转发城镇企业职工基本养老保险关系转移接续暂行办法的通知》"
                "（国办发〔2009〕66号）第八条"
            ],
        },
    )


def _medical_transfer_notice(state: TransferState) -> Occasion:
    """SI-3 (医保办发〔2021〕43号): transfer-out within 10 WD, transfer-in within 5 WD."""
    if state.intake.kind is not TransferKind.medical:
        raise ActionNotAllowed("SI-3: the medical transfer notice is a medical transfer's")
    county = state.intake.to_agency.county_code
    out = _latest(state.deadlines, "transfer_out")
    continuity = state.continuity
    return _occasion(
        NoticeKind.medical_transfer_notice,
        "1",
        cst_date(state.opened_at),
        county,
        state.intake.to_agency.name,
        {
            **_insured(state),
            "applied_on": zh_date(cst_date(state.opened_at)),
            "transfer_out_due": _due(out),
            "transfer_in_days": 5,
            "old_coverage_ended_on": zh_date(state.intake.old_coverage_ended_on)
            if state.intake.old_coverage_ended_on
            else None,
            "new_coverage_starts_on": zh_date(state.intake.new_coverage_starts_on)
            if state.intake.new_coverage_starts_on
            else None,
            "gap_months": continuity.gap_months if continuity else None,
            "continuous": continuity.continuous if continuity else None,
            "waiting_months": continuity.waiting_period_months if continuity else None,
            "basis": [
                "《国家医疗保障局办公室 财政部办公厅关于印发〈基本医疗保障关系转移接续"
                "暂行办法〉的通知》（医保办发〔2021〕43号）"
            ],
        },
    )


# The closure summary: every case kind.

_KIND_ZH = {
    "wage_arrears": "欠薪案件",
    "dispute": "劳动争议案件",
    "insurance_transfer": "社保转移接续",
}


def _closure_summary(case_kind: str, state: Any) -> Occasion:
    """The case's course for the supervisor's closing file: no worker's name or ID number in
    it (workers are counted), so it prints the same for every role."""
    if isinstance(state, WageArrearsState):
        if state.status is CaseStatus.closed:
            raise ActionNotAllowed("the case is closed: it takes no more files")
        county = state.intake.county_code
        timeline = _wa_timeline(state)
        party = state.intake.employer.name
        workers = len(state.intake.workers)
        status = state.status.value
    elif isinstance(state, DisputeState):
        county = state.intake.county_code
        timeline = _timeline(state)
        party = state.intake.employer.name
        workers = len(state.intake.workers)
        status = state.stage.value
    else:
        county = state.intake.to_agency.county_code
        timeline = _timeline(state)
        party = f"{state.intake.from_agency.name} → {state.intake.to_agency.name}"
        workers = 1
        status = state.stage.value
    latest = max((datetime.fromisoformat(row["at"]) for row in timeline), default=state.opened_at)
    return _occasion(
        NoticeKind.closure_summary,
        "1",
        cst_date(latest),
        county,
        bureau(county),
        {
            "case_kind": _KIND_ZH.get(case_kind, case_kind),
            "opened_on": zh_date(cst_date(state.opened_at)),
            "party": party,
            "workers": workers,
            "status": _STATUS_ZH.get(status, status),
            "timeline": timeline,
            "deadlines": _deadline_rows(state.deadlines),
        },
    )


_BUILDERS: dict[NoticeKind, Callable[[Any], Occasion]] = {
    NoticeKind.order_to_pay: _order_to_pay,
    NoticeKind.mediation_agreement: _mediation_agreement,
    NoticeKind.arbitration_acceptance: _arbitration_acceptance,
    NoticeKind.hearing_notice: _hearing_notice,
    NoticeKind.pension_acceptance_letter: _pension_acceptance_letter,
    NoticeKind.medical_transfer_notice: _medical_transfer_notice,
}


def occasion(kind: NoticeKind, case_kind: str, state: Any) -> Occasion:
    """The notice of `kind` the case offers now (its latest occasion), or ActionNotAllowed."""
    spec = SPECS[kind]
    if case_kind not in spec.case_kinds:
        raise ActionNotAllowed(f"a {case_kind} case has no {kind.value} notice")
    if kind is NoticeKind.closure_summary:
        return _closure_summary(case_kind, state)
    return _BUILDERS[kind](state)


def offered(case_kind: str, state: Any) -> list[NoticeKind]:
    """The notices the case's state allows now."""
    found = []
    for kind in kinds_for(case_kind):
        try:
            occasion(kind, case_kind, state)
        except ActionNotAllowed:
            continue
        found.append(kind)
    return found
