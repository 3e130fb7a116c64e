"""What a worker sees of their own case through the worker's window (docs/worker-window.md).

PUB-3: one worker of one case; their own amounts only, never another worker's name, amount
or number; the stage in plain words, what happens next and by when (the engine's deadlines,
as Chinese dates), and what they must do. Pure: built from a case's view state.

PUB-4: each worker access is recorded in the case's history as the worker
(`WorkerAccess`, a workflow update whose actor is a worker, not staff).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from domain.common import CST, CountyCode, RequestStamp, StrictModel
from domain.deadlines import Deadline
from domain.notification_routes import TRANSFER_STEPS_ZH
from domain.regions import TAIYUAN_COUNTIES


class WorkerActor(StrictModel):
    """A worker acting on their own case: their number in the case, never their name."""

    id: str = Field(pattern=r"^worker:\d{1,4}$")
    role: Literal["worker"] = "worker"
    county_code: CountyCode

    @classmethod
    def of(cls, worker_no: int, county_code: str) -> WorkerActor:
        return cls(id=f"worker:{worker_no}", county_code=county_code)


class WorkerAccess(StrictModel):
    """PUB-4: a worker looked at their case through the window (once per session)."""

    actor: WorkerActor
    what: Literal["viewed"] = "viewed"
    # The session's hash, cut short: tells two sessions apart, opens neither.
    session: str = Field(pattern=r"^[0-9a-f]{16}$")
    request: RequestStamp | None = None


class WorkerAccessResult(StrictModel):
    case_id: str
    recorded: bool = True


# Plain words, the way a worker would say it.
WA_STAGES = {
    "triage_pending": "您的案件已登记，正在审核。",
    "open": "您的案件正在办理，我们正在督促用人单位支付工资。",
    "escalated": "用人单位没有按时支付，案件已升级，由上级部门督办。",
    "settled": "您的工资已全部支付并确认。",
    "closed": "案件已经办结。",
}
WA_PENDING_ACCEPTANCE = "您的投诉已收到，正在等待受理。"
DISPUTE_STAGES = {
    "mediation": "您的劳动争议正在调解。",
    "agreement": "双方已达成调解协议，等待用人单位履行。",
    "agreement_unperformed": "用人单位没有按协议履行，您可以申请支付令或仲裁。",
    "payment_order": "已申请支付令，正在等待法院处理。",
    "arbitration_applied": "仲裁申请已提交，正在审查是否受理。",
    "arbitration": "仲裁委员会正在审理您的案件。",
    "award": "仲裁委员会已作出裁决。",
    "litigation": "案件已进入法院诉讼程序。",
    "enforcement": "已申请法院强制执行。",
    "closed": "案件已经办结。",
}
TRANSFER_STAGES = {
    "applied": TRANSFER_STEPS_ZH["applied"],
    "letter_issued": TRANSFER_STEPS_ZH["acceptance_letter_issued"],
    "transfer_out": "转出地正在办理转出。",
    "funds_sent": TRANSFER_STEPS_ZH["transfer_sent"],
    "received": TRANSFER_STEPS_ZH["transfer_received"],
    "awaiting_documents": "材料不全，等待您补齐材料。",
    "completed": TRANSFER_STEPS_ZH["completed"],
    "closed": TRANSFER_STEPS_ZH["closed"],
}
# What happens by each deadline, said for the worker.
NEXT_STEPS = {
    "complaint_acceptance": "劳动保障监察机构决定是否受理您的投诉",
    "investigation": "劳动保障监察机构调查处理完毕",
    "settle": "用人单位应当支付拖欠的工资",
    "order_to_pay": "用人单位应当按限期支付令支付工资",
    "deposit_payout": "银行应当从工资保证金中支付",
    "campaign_3_months": "专项行动要求清零",
    "campaign_year_end": "专项行动要求年底前清零",
    "campaign_spring_festival": "专项行动要求春节前清零",
    "mediation": "调解期满",
    "performance": "用人单位应当履行调解协议",
    "payment_order_issue": "法院决定是否发出支付令",
    "payment_order_response": "用人单位对支付令提出异议的期限届满",
    "acceptance": "仲裁委员会决定是否受理",
    "service": "仲裁委员会向用人单位送达申请书",
    "defence": "用人单位提交答辩书的期限届满",
    "award": "仲裁委员会应当作出裁决",
    "worker_suit": "您不服裁决可以起诉的期限届满",
    "employer_revocation": "用人单位申请撤销裁决的期限届满",
    "suit": "起诉的期限届满",
    "enforcement": "申请强制执行的期限届满",
    "acceptance_letter": "转入地应当向转出地发出联系函",
    "transfer": "转出地应当转出关系和资金",
    "transfer_out": "转出地应当办理转出",
    "receipt": "转入地应当确认收到资金",
    "completion": "转入地应当办结转移接续",
}
KIND_NAMES = {
    "wage_arrears": "欠薪案件",
    "dispute": "劳动争议案件",
    "insurance_transfer": "社保关系转移接续",
}


def chinese_date(moment: datetime | date) -> str:
    day = moment.astimezone(CST).date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def last_day(due_at: datetime) -> str:
    """The last day a deadline leaves, as a worker reads "…日前": a clock due at midnight
    (the end of 5 December, 24:00) is said as 5 December, not the 6th it rolls into."""
    return chinese_date(due_at - timedelta(microseconds=1))


def chinese_time(moment: datetime) -> str:
    local = moment.astimezone(CST)
    return f"{chinese_date(local)} {local.hour:02d}:{local.minute:02d}"


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


@dataclass(frozen=True)
class NextStep:
    what: str
    by: str


@dataclass(frozen=True)
class WorkerPage:
    case_id: str
    kind: str
    kind_name: str
    stage: str
    employer: str
    county: str
    next_steps: list[NextStep] = field(default_factory=list)
    to_do: list[str] = field(default_factory=list)
    # (label, amount) pairs: this worker's own.
    amounts: list[tuple[str, str]] = field(default_factory=list)
    closed: bool = False


def _next_steps(deadlines: list[Deadline]) -> list[NextStep]:
    pending = sorted((d for d in deadlines if d.pending), key=lambda d: d.due_at)
    return [
        NextStep(what=NEXT_STEPS.get(d.name, "下一步办理"), by=last_day(d.due_at))
        for d in pending[:3]
    ]


def _county(code: str) -> str:
    return TAIYUAN_COUNTIES.get(code, code)


def _page(
    kind: str,
    state: Any,
    *,
    stage: str,
    employer: str,
    county_code: str,
    closed: bool,
    to_do: list[str],
    amounts: list[tuple[str, str]],
) -> WorkerPage:
    """A worker's page of a case of `kind`: a closed case has no next steps."""
    return WorkerPage(
        case_id=state.case_id,
        kind=kind,
        kind_name=KIND_NAMES[kind],
        stage=stage,
        employer=employer,
        county=_county(county_code),
        next_steps=[] if closed else _next_steps(state.deadlines),
        to_do=to_do,
        amounts=amounts,
        closed=closed,
    )


def worker_page(kind: str, view: Any, worker_no: int) -> WorkerPage:
    """PUB-3: the worker's own part of the case (a view of any of the three kinds)."""
    if kind == "wage_arrears":
        return _wage_arrears(view, worker_no)
    if kind == "dispute":
        return _dispute(view, worker_no)
    return _transfer(view)


def _wage_arrears(view: Any, worker_no: int) -> WorkerPage:
    state = view.state
    status = state.status.value
    awaiting_acceptance = any(
        d.name == "complaint_acceptance" and d.pending for d in state.deadlines
    )
    stage = WA_PENDING_ACCEPTANCE if awaiting_acceptance else WA_STAGES.get(status, status)
    if status == "closed" and state.close_outcome is not None:
        outcome = state.close_outcome.value
        if outcome == "refused":
            stage = "您的投诉未被受理，书面决定将送达您。如有疑问请联系承办机构。"
    account = next((a for a in view.accounts if a.worker_no == worker_no), None)
    amounts: list[tuple[str, str]] = []
    to_do: list[str] = []
    if account is not None:
        amounts = [
            ("被拖欠工资", yuan(account.owed)),
            ("已确认收到", yuan(account.paid)),
            ("尚未支付", yuan(account.outstanding)),
        ]
        if account.awaiting_confirmation > 0:
            amounts.insert(2, ("待您确认", yuan(account.awaiting_confirmation)))
    for payment in state.payments:
        if payment.worker_no == worker_no and payment.status == "recorded":
            to_do.append(
                f"用人单位报称已于{chinese_date(payment.paid_on)}向您支付 {yuan(payment.amount)}。"
                "请确认是否收到，并告知承办人员（可凭身份证到窗口签字确认）。"
            )
    if awaiting_acceptance:
        to_do.append("请保存好欠条、考勤记录、工资条、聊天记录等材料，保持电话畅通。")
    return _page(
        "wage_arrears",
        state,
        stage=stage,
        employer=state.intake.employer.name,
        county_code=state.intake.county_code,
        closed=status == "closed",
        to_do=to_do,
        amounts=amounts,
    )


def _dispute(view: Any, worker_no: int) -> WorkerPage:
    state = view.state
    stage = state.stage.value
    to_do: list[str] = []
    for event in state.events:
        if event.kind == "hearing_scheduled" and "hearing_at" in event.details:
            hearing = datetime.fromisoformat(event.details["hearing_at"])
            if stage in ("arbitration", "arbitration_applied"):
                to_do = [f"请于{chinese_time(hearing)}按时参加仲裁庭审，带好身份证和证据材料。"]
    if state.may_sue and stage not in ("litigation", "enforcement", "closed"):
        to_do.append("您现在可以向人民法院起诉。需要帮助可以联系法律援助机构。")
    amounts: list[tuple[str, str]] = []
    # The claims are the whole case's: shown only when this worker is the only claimant.
    if len(state.intake.workers) == 1:
        claimed = sum((c.amount for c in state.claims), Decimal("0"))
        amounts.append(("申请金额", yuan(claimed)))
        if state.agreement_amount is not None:
            amounts.append(("调解协议金额", yuan(state.agreement_amount)))
        if state.award is not None:
            awarded = sum((i.amount for i in state.award.items), Decimal("0"))
            amounts.append(("裁决金额", yuan(awarded)))
    return _page(
        "dispute",
        state,
        stage=DISPUTE_STAGES.get(stage, stage),
        employer=state.intake.employer.name,
        county_code=state.intake.county_code,
        closed=stage == "closed",
        to_do=to_do,
        amounts=amounts,
    )


def _transfer(view: Any) -> WorkerPage:
    state = view.state
    stage = state.stage.value
    to_do: list[str] = []
    if stage == "awaiting_documents":
        # SI-5: the case waits for the worker's documents; the agency's clock restarts
        # when they arrive.
        returned = [e for e in state.events if e.kind == "returned_for_documents"]
        missing = returned[-1].details.get("missing", "") if returned else ""
        to_do.append(
            f"{TRANSFER_STEPS_ZH['documents_missing']}{missing}。"
            if missing
            else TRANSFER_STEPS_ZH["documents_missing"].rstrip("：") + "。"
        )
    amounts: list[tuple[str, str]] = []
    if state.amounts is not None:
        amounts = [
            ("个人账户", yuan(state.amounts.individual_account)),
            ("统筹基金", yuan(state.amounts.pooled_funds)),
        ]
    intake = state.intake
    return _page(
        "insurance_transfer",
        state,
        stage=TRANSFER_STAGES.get(stage, stage),
        employer=f"{intake.from_agency.name} → {intake.to_agency.name}",
        county_code=intake.to_agency.county_code,
        closed=stage in ("completed", "closed"),
        to_do=to_do,
        amounts=amounts,
    )
