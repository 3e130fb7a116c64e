"""Case state as people see it: personal data masked, SLA states live."""

from __future__ import annotations

from datetime import UTC, datetime

from api.schemas import AvailableAction, CaseDetail, DeadlinePublic, Totals, WorkerPublic
from domain.identity import mask_mobile, mask_name, mask_resident_id
from domain.wage_arrears import accounts
from domain.wage_arrears.rules import ACTIONS
from domain.wage_arrears.view import WageArrearsView


def case_detail(view: WageArrearsView, now: datetime | None = None) -> CaseDetail:
    now = now or datetime.now(UTC)
    state = view.state
    intake = state.intake
    workers = [
        WorkerPublic(
            worker_no=acc.worker_no,
            name=mask_name(claim.name),
            id_number=mask_resident_id(claim.id_number),
            mobile=mask_mobile(claim.mobile),
            owed=acc.owed,
            paid=acc.paid,
            awaiting_confirmation=acc.awaiting_confirmation,
            outstanding=acc.outstanding,
            months_owed=claim.months_owed,
        )
        for acc, claim in zip(view.accounts, intake.workers, strict=True)
    ]
    return CaseDetail(
        case_id=state.case_id,
        kind="wage_arrears",
        status=state.status.value,
        severity=state.severity.value,
        triaged=state.triaged,
        county_code=intake.county_code,
        township=intake.township,
        source=intake.source.value,
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
        deadlines=[
            DeadlinePublic(**d.model_dump(), sla_state=d.sla_state_at(now), is_paused=d.paused)
            for d in state.deadlines
        ],
        payments=[p.model_dump(mode="json") for p in state.payments],
        ladder=[s.model_dump(mode="json") for s in state.ladder],
        breaches=[b.model_dump(mode="json") for b in state.breaches],
        order_to_pay_missed=state.order_to_pay_missed,
        police_referral_active=state.police_referral_active,
        listed_until=state.listed_until,
        opened_at=state.opened_at,
        settled_at=state.settled_at,
        closed_at=state.closed_at,
        close_outcome=state.close_outcome.value if state.close_outcome else None,
        available_actions=[
            AvailableAction(
                action=name,
                rule=ACTIONS[name].rule,
                roles=sorted(r.value for r in ACTIONS[name].roles),
            )
            for name in view.available_actions
        ],
        linked_cases=[],
        revision=state.revision,
    )
