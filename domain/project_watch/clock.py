"""The project watch's clock (PW-2, PW-3, PW-4, PW-6): what each month's funding cycle end,
pay date and grace end decide, when the watch wakes next, and what its next run carries.

Pure functions of the state and the time; the workflow sleeps until `next_wake` and hands
what `tick` found to the wage-arrears case it opens or joins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from domain.common import Role
from domain.notifications import Notification, notify_case
from domain.project_watch import rules
from domain.project_watch.models import (
    ProjectState,
    ProjectStatus,
    RiskLevel,
    WorkerMonth,
)
from domain.project_watch.transitions import close_if_paid, end_if_done, has_sheet, owed_workers


@dataclass
class Tick:
    notes: list[Notification] = field(default_factory=list)
    # PW-4: (month, worker_no, amount owed) past the pay date plus grace.
    to_case: list[tuple[str, int, Decimal]] = field(default_factory=list)
    month_opened: bool = False
    changed: bool = False


def _risk(state: ProjectState, level: RiskLevel, month: str, amount: Decimal | None) -> None:
    if state.breaches_in_a_row >= 2:
        level = RiskLevel.high_risk
    order = list(RiskLevel)
    if order.index(level) >= order.index(state.risk) or state.risk_month != month:
        state.risk = level
        state.risk_month = month
        state.risk_amount = amount


def _breached(
    state: ProjectState,
    out: Tick,
    kind: str,
    level: RiskLevel,
    month: str,
    risk_amount: Decimal | None = None,
    **params: str,
) -> None:
    """A month's breach raises the watch's risk and warns the inspectors; the second in a row
    warns the supervisor too (PW-4)."""
    _risk(state, level, month, risk_amount)
    out.notes.append(
        notify_case(
            state, kind, month, Role.inspector, month=month, **params, project=state.intake.name
        )
    )
    if state.breaches_in_a_row == 2:
        out.notes.append(_high_risk(state, month))


def tick(
    state: ProjectState, now: datetime, spread_opening: bool = False, late_sheet: bool = False
) -> Tick:
    """Everything whose time came: funding checks (PW-2), pay-date checks (PW-3), grace ends
    (PW-4), the next month opened, the watch ended (PW-6). Patches of the workflow:
    `spread_opening`, the next month opens at the funding cycle's end plus the project's
    spread, like its checks, instead of at the end itself; `late_sheet`, a month whose pay date
    came with no wage sheet waits for one (PW-3), and whatever is owed past the grace goes to
    the case whenever it becomes known (a sheet recorded late), not only at the grace's end."""
    out = Tick()
    lag = rules.spread(state.case_id)
    for month in state.months:
        if month.closed:
            continue
        if not month.funding_checked and now >= month.funding_due + lag:
            out.changed = True
            month.funding_checked = True
            if not month.funded_in_time:
                # PW-2: a cycle without the builder's funding warns the inspectors, once.
                month.funding_late = True
                state.breaches_in_a_row += 1
                _breached(state, out, "project_funding_late", RiskLevel.funding_late, month.month)
        if not month.pay_checked and now >= month.pay_due + lag:
            out.changed = True
            month.pay_checked = True
            owed = owed_workers(month)
            active = [w for w in state.roster if rules.active_in(w, month.month)]
            # Under `late_sheet`, payments recorded with no sheet are not a sheet either.
            missing_sheet = bool(active) and not (has_sheet(month) if late_sheet else month.workers)
            if owed or missing_sheet:
                # PW-3: each rostered worker not paid in full by the pay date is a breach.
                for wm in owed.values():
                    wm.breached = True
                for w in active if missing_sheet else []:
                    month.workers.setdefault(str(w.worker_no), WorkerMonth(breached=True))
                month.sheet_awaited = late_sheet and missing_sheet
                amount = sum((wm.owed for wm in owed.values()), Decimal("0"))
                if not month.funding_late:
                    state.breaches_in_a_row += 1
                _breached(
                    state,
                    out,
                    "project_payroll_breached",
                    RiskLevel.payroll_breached,
                    month.month,
                    amount,
                    workers=str(len(owed) or len(active)),
                    amount=str(amount),
                )
            elif not month.funding_late:
                state.breaches_in_a_row = 0
                if state.risk is not RiskLevel.high_risk:
                    state.risk = RiskLevel.ok
                    state.risk_month = None
                    state.risk_amount = None
            close_if_paid(state, month, now)
        graced = late_sheet and month.grace_checked
        if not month.grace_checked and now >= month.grace_due + lag:
            out.changed = True
            month.grace_checked = True
            graced = True
        if graced:
            # PW-4: owed past the grace, and in no case yet.
            for no, wm in owed_workers(month).items():
                if wm.case_id is None:
                    out.to_case.append((month.month, int(no), wm.owed))
    if rules.month_due_to_open(state, now - (lag if spread_opening else timedelta(0))):
        rules.open_next_month(state)
        out.month_opened = True
        out.changed = True
    before = state.status
    end_if_done(state, now)
    out.changed = out.changed or state.status is not before
    return out


def _high_risk(state: ProjectState, month: str) -> Notification:
    # PW-4: two funding or payroll breaches in a row.
    return notify_case(
        state, "project_high_risk", month, Role.supervisor, month=month, project=state.intake.name
    )


def next_wake(state: ProjectState, spread_opening: bool = False) -> datetime | None:
    """The next instant a timer of the watch fires (`spread_opening`: see `tick`)."""
    lag = rules.spread(state.case_id)
    times: list[datetime] = []
    for month in state.months:
        if month.closed:
            continue
        if not month.funding_checked:
            times.append(month.funding_due + lag)
        if not month.pay_checked:
            times.append(month.pay_due + lag)
        if not month.grace_checked:
            times.append(month.grace_due + lag)
    if state.status is ProjectStatus.watching and state.months:
        times.append(state.months[-1].funding_due + (lag if spread_opening else timedelta(0)))
    return min(times) if times else None


def pruned(state: ProjectState) -> ProjectState:
    """What the next run carries (bounded): the open months, and the workers still active or
    owed; the read model keeps the rest."""
    carried = state.model_copy(deep=True)
    closed = [m for m in carried.months if m.closed]
    # The latest month stays even when closed: it dates the next one.
    keep_last = carried.months[-1] if carried.months else None
    carried.months = [m for m in carried.months if not m.closed or m is keep_last]
    carried.months_closed += len([m for m in closed if m is not keep_last])
    open_nos = {no for m in carried.months for no in m.workers}
    carried.roster = [
        w
        for w in carried.roster
        if w.end_on is None
        or str(w.worker_no) in open_nos
        or (carried.months and rules.active_in(w, carried.months[-1].month))
    ]
    carried.runs += 1
    return carried
