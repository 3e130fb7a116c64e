"""Case state as people see it: personal data masked unless the caller's role needs it
(api/access.py decides who), SLA states live."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from api import refusal_messages
from api.masking import TextMask
from api.schemas import (
    ActionNotYet,
    AvailableAction,
    DeadlinePublic,
    DisputeDetail,
    ProjectWatchDetail,
    RosterWorkerPublic,
    Totals,
    TransferDetail,
    WageArrearsDetail,
    WorkerPublic,
)
from core.rows import from_attributes
from domain import identity, kinds
from domain.actions import HOUSEKEEPING, ActionSpec
from domain.case_ends import CaseEnded
from domain.case_kind import CaseKind
from domain.common import ActionNotAllowed, Role
from domain.deadlines import Deadline, DeadlineState, SlaState
from domain.dispute.kind import DISPUTE
from domain.dispute.view import DisputeView
from domain.insurance.kind import INSURANCE_TRANSFER
from domain.insurance.view import TransferView
from domain.project_watch.kind import PROJECT_WATCH
from domain.project_watch.transitions import open_case_id
from domain.project_watch.view import ProjectView, amount_at_risk, month_rows
from domain.wage_arrears import accounts
from domain.wage_arrears.kind import WAGE_ARREARS
from domain.wage_arrears.view import WageArrearsView

Mask = Callable[[str], str]


def _masks(reveal: bool) -> tuple[Mask, Mask, Mask]:
    if reveal:
        return _shown, _shown, _shown
    return identity.mask_name, identity.mask_resident_id, identity.mask_mobile


def _shown(value: str) -> str:
    return value


def _free_text(reveal: bool, names: list[str]) -> Callable[[Any], Any]:
    """What free text (reasons, descriptions, notes) goes through: as typed, or with ID
    numbers, mobiles and the parties' names masked like the fields beside it."""
    if reveal:
        return _shown
    return TextMask(names).deep


@dataclass(frozen=True)
class _Shown:
    """A case's personal data as the caller sees it: masked unless revealed."""

    name: Mask
    resident_id: Mask
    mobile: Mask
    text: Callable[[Any], Any]

    @classmethod
    def of(cls, reveal: bool, names: list[str]) -> _Shown:
        return cls(*_masks(reveal), _free_text(reveal, names))

    def person(self, person: Any) -> dict[str, str]:
        """A worker's name, ID number and mobile."""
        return {
            "name": self.name(person.name),
            "id_number": self.resident_id(person.id_number),
            "mobile": self.mobile(person.mobile),
        }


def wage_arrears_detail(
    view: WageArrearsView,
    now: datetime | None = None,
    reveal: bool = False,
    role: Role | None = None,
) -> WageArrearsDetail:
    state = view.state
    intake = state.intake
    shown = _Shown.of(reveal, [w.name for w in intake.workers])
    text = shown.text
    workers = [
        from_attributes(WorkerPublic, acc, **shown.person(claim), months_owed=claim.months_owed)
        for acc, claim in zip(view.accounts, intake.workers, strict=True)
    ]
    return WageArrearsDetail(
        **_case_fields(WAGE_ARREARS, view, role, now, state.closed_at),
        status=state.status.value,
        severity=state.severity.value,
        triaged=state.triaged,
        county_code=intake.county_code,
        township=intake.township,
        source=intake.source.value,
        channel=intake.channel,
        clue_number=intake.clue_number,
        sector=intake.sector,
        mass_incident_risk=intake.mass_incident_risk,
        employer=intake.employer.model_dump(mode="json"),
        project=intake.project.model_dump(mode="json") if intake.project else None,
        workers=workers,
        totals=Totals(
            owed=accounts.total_owed(state),
            paid=accounts.total_paid(state),
            outstanding=accounts.total_outstanding(state),
        ),
        payments=text([p.model_dump(mode="json") for p in state.payments]),
        ladder=text([s.model_dump(mode="json") for s in state.ladder]),
        breaches=text([b.model_dump(mode="json") for b in state.breaches]),
        order_to_pay_missed=state.order_to_pay_missed,
        police_referral_active=state.police_referral_active,
        listed_until=state.listed_until,
        settled_at=state.settled_at,
        close_outcome=state.close_outcome.value if state.close_outcome else None,
        linked_cases=[link.model_dump(exclude_none=True) for link in state.linked_cases],
    )


def _case_fields(
    kind: CaseKind, view: Any, role: Role | None, now: datetime | None, closed_at: datetime | None
) -> dict[str, Any]:
    """The fields every kind's detail fills the same way: its ids, its clocks as of `now`,
    its dates, the caller's actions and its revision."""
    state = view.state
    return {
        "case_id": state.case_id,
        "case_number": state.intake.case_number,
        "kind": kind.name,
        "deadlines": _deadlines(state.deadlines, now or datetime.now(UTC)),
        "opened_at": state.opened_at,
        "closed_at": closed_at,
        "available_actions": _available(kind.actions, view.available_actions, role),
        "not_yet": _not_yet(kind.actions, state, view.available_actions, role),
        "revision": state.revision,
    }


def _not_yet(
    actions: Mapping[str, ActionSpec[Any]], state: Any, names: list[str], role: Role | None
) -> list[ActionNotYet]:
    """The role's actions the state refuses now, each with the refusal it would get. None
    once nothing but housekeeping is left (a closed case): its status says why."""
    if role is None or not any(name not in HOUSEKEEPING for name in names):
        return []
    refused = []
    for name, spec in actions.items():
        if name in names or name in HOUSEKEEPING or role not in spec.roles:
            continue
        try:
            spec.state_check(state)
        except ActionNotAllowed as err:
            reason = str(err)
            refused.append(
                ActionNotYet(
                    action=name,
                    rule=spec.rule,
                    reason=reason,
                    reason_zh=refusal_messages.chinese(reason),
                )
            )
    return refused


def _deadlines(deadlines: list[Deadline], now: datetime) -> list[DeadlinePublic]:
    return [
        DeadlinePublic(**d.model_dump(), sla_state=d.sla_state_at(now), is_paused=d.paused)
        for d in deadlines
    ]


def _available(
    actions: Mapping[str, ActionSpec[Any]], names: list[str], role: Role | None
) -> list[AvailableAction]:
    return [
        AvailableAction(
            action=name,
            rule=actions[name].rule,
            roles=sorted(r.value for r in actions[name].roles),
            allowed=role in actions[name].roles,
        )
        for name in names
    ]


def dispute_detail(
    view: DisputeView, now: datetime | None = None, reveal: bool = False, role: Role | None = None
) -> DisputeDetail:
    state = view.state
    intake = state.intake
    shown = _Shown.of(reveal, [w.name for w in intake.workers])
    text = shown.text
    linked = (
        [{"case_id": intake.linked_case_id, "kind": WAGE_ARREARS.name, "relation": "referred_by"}]
        if intake.linked_case_id
        else []
    )
    return DisputeDetail(
        **_case_fields(DISPUTE, view, role, now, state.closed_at),
        stage=state.stage.value,
        status=state.stage.value,
        priority=state.priority,
        county_code=intake.county_code,
        origin=intake.origin.value,
        employer=intake.employer.model_dump(mode="json"),
        workers=[
            {"worker_no": n, **shown.person(w)} for n, w in enumerate(intake.workers, start=1)
        ],
        claims=text([c.model_dump(mode="json") for c in state.claims]),
        claims_total=sum((c.amount for c in state.claims), Decimal("0.00")),
        limitation=state.limitation.model_dump(mode="json") if state.limitation else None,
        agreement_amount=state.agreement_amount,
        performance_date=state.performance_date,
        may_sue=state.may_sue,
        worker_sued=state.worker_sued,
        award=text(state.award.model_dump(mode="json")) if state.award else None,
        advance_execution=state.advance_execution,
        events=text([e.model_dump(mode="json") for e in state.events]),
        close_outcome=state.close_outcome,
        linked_cases=linked,
    )


def transfer_detail(
    view: TransferView, now: datetime | None = None, reveal: bool = False, role: Role | None = None
) -> TransferDetail:
    state = view.state
    intake = state.intake
    shown = _Shown.of(reveal, [intake.worker.name])
    return TransferDetail(
        **_case_fields(INSURANCE_TRANSFER, view, role, now, state.closed_at),
        transfer_kind=intake.kind.value,
        stage=state.stage.value,
        status=state.stage.value,
        county_code=intake.to_agency.county_code,
        worker=shown.person(intake.worker),
        from_agency=intake.from_agency.model_dump(),
        to_agency=intake.to_agency.model_dump(),
        amounts=(
            {
                "individual_account": state.amounts.individual_account,
                "pooled_funds": state.amounts.pooled_funds,
                "total": state.amounts.total,
            }
            if state.amounts
            else None
        ),
        continuity=state.continuity.model_dump() if state.continuity else None,
        escalated=state.escalated,
        waiting_step=state.waiting_step.value if state.waiting_step else None,
        events=shown.text([e.model_dump(mode="json") for e in state.events]),
        linked_cases=[],
    )


def project_watch_detail(
    view: ProjectView, now: datetime | None = None, reveal: bool = False, role: Role | None = None
) -> ProjectWatchDetail:
    """PW-1..PW-6: the roster masked unless the caller's role needs it (the card: its last 4
    digits); the months' grid names workers by their roster number only."""
    mask_card = _shown if reveal else identity.mask_bank_card
    state = view.state
    intake = state.intake
    shown = _Shown.of(reveal, [w.name for w in state.roster])
    account = intake.wage_account
    return ProjectWatchDetail(
        # A watch ends rather than closes: its end is the detail's `closed_at`.
        **_case_fields(PROJECT_WATCH, view, role, now, state.ended_at),
        status=state.status.value,
        county_code=intake.county_code,
        name=intake.name,
        builder=intake.builder.model_dump(),
        general_contractor=intake.general_contractor.model_dump(),
        subcontractors=[s.model_dump() for s in intake.subcontractors],
        wage_account={
            "bank": account.bank,
            "account_no": identity.mask_bank_card(account.account_no),
            "opened_on": account.opened_on.isoformat(),
        },
        guarantee_deposit=intake.guarantee_deposit,
        pay_day=intake.pay_day,
        grace_days=state.grace_days,
        risk=state.risk.value,
        risk_month=state.risk_month,
        risk_amount=amount_at_risk(state),
        breaches_in_a_row=state.breaches_in_a_row,
        roster=[
            from_attributes(
                RosterWorkerPublic, w, **shown.person(w), bank_card=mask_card(w.bank_card)
            )
            for w in state.roster
        ],
        months=[row.model_dump(mode="json") for row in month_rows(state)],
        months_closed_before=state.months_closed,
        open_case_id=open_case_id(state),
        linked_cases=[link.model_dump(mode="json") for link in state.linked_cases],
    )


AnyDetail = WageArrearsDetail | DisputeDetail | TransferDetail | ProjectWatchDetail


@dataclass(frozen=True)
class KindDetail:
    """How the API shows a case kind: where a case of it is opened (`POST
    /api/v1/cases/{route}`, described by `opening`, under the rule that says who opens it and
    where), and its detail."""

    route: str
    opening: str
    opening_rule: str
    model: type[AnyDetail]
    present: Callable[..., AnyDetail]


# The one per-kind table of the API.
DETAILS: Mapping[str, KindDetail] = {
    WAGE_ARREARS.name: KindDetail(
        "wage-arrears",
        "Opens a wage-arrears case. Repeating a request with the same `Idempotency-Key` (or "
        "`case_number`) returns the case it opened.",
        "WA-1",
        WageArrearsDetail,
        wage_arrears_detail,
    ),
    DISPUTE.name: KindDetail(
        "disputes",
        "Opens a dispute case: a worker applies for mediation or, directly, for arbitration "
        "(MA-1). Idempotent like the wage-arrears create.",
        "MA-1",
        DisputeDetail,
        dispute_detail,
    ),
    INSURANCE_TRANSFER.name: KindDetail(
        "insurance-transfers",
        "Opens a social-insurance transfer at the new region's agency (SI-1, SI-3): the "
        "worker, pension or medical, the old and new agencies, the contribution history.",
        "SI-1",
        TransferDetail,
        transfer_detail,
    ),
    PROJECT_WATCH.name: KindDetail(
        "project-watches",
        "Opens the payroll watch of a construction project (PW-1): its builder, general "
        "contractor and subcontractors, the dedicated wage account, the deposit, the pay date "
        "and the real-name roster. Idempotent like the wage-arrears create.",
        "PW-1",
        ProjectWatchDetail,
        project_watch_detail,
    ),
}


def present(
    view: BaseModel,
    reveal: bool = False,
    ended: CaseEnded | None = None,
    role: Role | None = None,
) -> AnyDetail:
    """The case as the caller sees it: `reveal` shows personal data unmasked; `ended` when its
    workflow ended abnormally (the view is its last state, answered from replay); `role`, the
    caller's, marks the available actions they may take."""
    kind = next(kind for kind in kinds.KINDS if isinstance(view, kind.view))
    detail = DETAILS[kind.name].present(view, reveal=reveal, role=role)
    return detail if ended is None else _ended(detail, ended)


def _ended(detail: AnyDetail, ended: CaseEnded) -> AnyDetail:
    """As the read model marks it (store/case_ends.py): no clock pending, nothing to do."""
    abandoned = {"state": DeadlineState.abandoned, "sla_state": SlaState.abandoned}
    deadlines = [
        d.model_copy(update=abandoned) if d.state is DeadlineState.pending else d
        for d in detail.deadlines
    ]
    return detail.model_copy(
        update={
            "status": ended.end.value,
            "ended_abnormally": ended.end.value,
            "ended_at": ended.at,
            "available_actions": [],
            "deadlines": deadlines,
        }
    )
