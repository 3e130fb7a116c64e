"""What happens to a project watch: roster changes, batches, and its timers (PW rules).

Pure functions of the state; the workflow supplies the time and does the I/O (the read
model, the notifications, the wage-arrears case it opens or joins).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from domain.common import Command, Role
from domain.notifications import Notification, notify
from domain.project_watch import rules
from domain.project_watch.models import (
    MAX_OPEN_MONTHS,
    ChangeBankCard,
    CompleteWorks,
    JoinRoster,
    LeaveRoster,
    LinkedCase,
    MonthRecord,
    ProjectIntake,
    ProjectState,
    ProjectStatus,
    RecordFunding,
    RecordPayments,
    RecordWageSheet,
    RiskLevel,
    RosterWorker,
    Worker,
    WorkerMonth,
)


def _worker(no: int, w: RosterWorker, actor_id: str | None) -> Worker:
    return Worker(
        worker_no=no,
        name=w.name,
        id_number=w.id_number,
        mobile=w.mobile,
        bank_card=w.bank_card,
        subcontractor=w.subcontractor,
        start_on=w.start_on,
        end_on=w.end_on,
        joined_by=actor_id,
    )


def opened(project_id: str, intake: ProjectIntake, grace_days: int, now: datetime) -> ProjectState:
    """PW-1: the watch starts with the contract's parties, the account and the roster."""
    state = ProjectState(project_id=project_id, intake=intake, grace_days=grace_days, opened_at=now)
    for w in intake.roster:
        state.roster.append(_worker(state.next_worker_no, w, intake.opened_by.id))
        state.next_worker_no += 1
    state.months.append(rules.new_month(intake.first_month, intake.pay_day, grace_days))
    return state


def _note(state: ProjectState, kind: str, key: str, role: Role, **params: str) -> Notification:
    return notify(state.project_id, state.intake.county_code, kind, key, role, **params)


def apply(name: str, state: ProjectState, cmd: Command, now: datetime) -> list[Notification]:
    if isinstance(cmd, JoinRoster):
        state.roster.append(_worker(state.next_worker_no, cmd.worker, cmd.actor.id))
        state.next_worker_no += 1
    elif isinstance(cmd, LeaveRoster):
        worker = rules.find_worker(state, cmd.id_number)
        assert worker is not None
        worker.end_on = cmd.end_on
    elif isinstance(cmd, ChangeBankCard):
        worker = rules.find_worker(state, cmd.id_number)
        assert worker is not None
        worker.bank_card = cmd.bank_card
    elif isinstance(cmd, RecordFunding):
        month = _month(state, cmd.month)
        if cmd.batch_id not in month.batches:
            month.batches.append(cmd.batch_id)
            month.funded += cmd.amount
            # PW-2: funding within the cycle (the month) counts; a later one is still
            # recorded, after the warning.
            if cmd.funded_on <= rules.last_day(month.month) and now < month.funding_due:
                month.funded_in_time = True
    elif isinstance(cmd, RecordWageSheet):
        month = _month(state, cmd.month)
        if cmd.batch_id not in month.batches:
            month.batches.append(cmd.batch_id)
            for line in cmd.lines:
                worker = rules.find_worker(state, line.id_number)
                assert worker is not None
                wm = month.workers.setdefault(str(worker.worker_no), WorkerMonth())
                wm.sheet_amount = line.amount
                wm.confirmed = line.confirmed
    elif isinstance(cmd, RecordPayments):
        month = _month(state, cmd.month)
        if cmd.batch_id not in month.batches:
            month.batches.append(cmd.batch_id)
            for line in cmd.lines:
                worker = rules.find_worker(state, line.id_number)
                assert worker is not None
                wm = month.workers.setdefault(str(worker.worker_no), WorkerMonth())
                wm.paid += line.amount
            _close_if_paid(state, month, now)
    elif isinstance(cmd, CompleteWorks):
        state.completed_on = cmd.completed_on
        state.status = ProjectStatus.completing
    _end_if_done(state, now)
    return []


def _month(state: ProjectState, month: str) -> MonthRecord:
    record = rules.open_month(state, month)
    assert record is not None
    return record


def case_payments(state: ProjectState, cmd: RecordPayments) -> dict[str, list[tuple[str, str]]]:
    """The lines of a payment batch that pay a worker whose month is in a wage-arrears case:
    by case id, (ID number, amount) to report to it."""
    month = rules.open_month(state, cmd.month) or next(
        (m for m in state.months if m.month == cmd.month), None
    )
    found: dict[str, list[tuple[str, str]]] = {}
    if month is None:
        return found
    for line in cmd.lines:
        worker = rules.find_worker(state, line.id_number)
        wm = month.workers.get(str(worker.worker_no)) if worker else None
        if wm is not None and wm.case_id is not None:
            found.setdefault(wm.case_id, []).append((line.id_number, str(line.amount)))
    return found


def case_paid(
    state: ProjectState, case_id: str, id_number: str, amount: Decimal, now: datetime
) -> list[Notification]:
    """A payment recorded in the linked wage-arrears case: it pays the worker's oldest
    months of that case first (PW-4, the case's payment flows back to the project)."""
    worker = rules.find_worker(state, id_number)
    if worker is None:
        return []
    left = amount
    for month in state.months:
        wm = month.workers.get(str(worker.worker_no))
        if wm is None or wm.case_id != case_id or wm.owed <= 0 or left <= 0:
            continue
        step = min(left, wm.owed)
        wm.paid += step
        left -= step
        _close_if_paid(state, month, now)
    _settle_links(state)
    _end_if_done(state, now)
    return []


def _owed_workers(month: MonthRecord) -> dict[str, WorkerMonth]:
    return {no: wm for no, wm in month.workers.items() if wm.sheet_amount and wm.owed > 0}


def _close_if_paid(state: ProjectState, month: MonthRecord, now: datetime) -> None:
    """A month closes once its pay date came with a wage sheet, and every worker on it is
    paid in full."""
    if month.closed or not month.pay_checked:
        return
    expected = [w for w in state.roster if rules.active_in(w, month.month)]
    if expected and not month.workers:
        return
    if _owed_workers(month):
        return
    month.closed = True
    _settle_links(state)


def _settle_links(state: ProjectState) -> None:
    for link in state.linked_cases:
        if link.settled:
            continue
        owed = any(
            wm.case_id == link.case_id and wm.owed > 0
            for m in state.months
            for wm in m.workers.values()
        )
        if not owed:
            link.settled = True


def _end_if_done(state: ProjectState, now: datetime) -> None:
    """PW-6: the watch ends when the works are completed and every worker is paid in full."""
    if state.status is not ProjectStatus.completing:
        return
    if all(m.closed for m in state.months):
        state.status = ProjectStatus.ended
        state.ended_at = now


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


def tick(state: ProjectState, now: datetime) -> Tick:
    """Everything whose time came: funding checks (PW-2), pay-date checks (PW-3), grace ends
    (PW-4), the next month opened, the watch ended (PW-6)."""
    out = Tick()
    lag = rules.spread(state.project_id)
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
                _risk(state, RiskLevel.funding_late, month.month, None)
                out.notes.append(
                    _note(
                        state,
                        "project_funding_late",
                        month.month,
                        Role.inspector,
                        month=month.month,
                        project=state.intake.name,
                    )  # fmt: skip
                )
                if state.breaches_in_a_row == 2:
                    out.notes.append(_high_risk(state, month.month))
        if not month.pay_checked and now >= month.pay_due + lag:
            out.changed = True
            month.pay_checked = True
            owed = _owed_workers(month)
            active = [w for w in state.roster if rules.active_in(w, month.month)]
            missing_sheet = bool(active) and not month.workers
            if owed or missing_sheet:
                # PW-3: each rostered worker not paid in full by the pay date is a breach.
                for wm in owed.values():
                    wm.breached = True
                for w in active if missing_sheet else []:
                    month.workers.setdefault(str(w.worker_no), WorkerMonth(breached=True))
                amount = sum((wm.owed for wm in owed.values()), Decimal("0"))
                if not month.funding_late:
                    state.breaches_in_a_row += 1
                _risk(state, RiskLevel.payroll_breached, month.month, amount)
                out.notes.append(
                    _note(
                        state,
                        "project_payroll_breached",
                        month.month,
                        Role.inspector,
                        month=month.month,
                        workers=str(len(owed) or len(active)),
                        amount=str(amount),
                        project=state.intake.name,
                    )  # fmt: skip
                )
                if state.breaches_in_a_row == 2:
                    out.notes.append(_high_risk(state, month.month))
            elif not month.funding_late:
                state.breaches_in_a_row = 0
                if state.risk is not RiskLevel.high_risk:
                    state.risk = RiskLevel.ok
                    state.risk_month = None
                    state.risk_amount = None
            _close_if_paid(state, month, now)
        if not month.grace_checked and now >= month.grace_due + lag:
            out.changed = True
            month.grace_checked = True
            for no, wm in _owed_workers(month).items():
                if wm.case_id is None:
                    out.to_case.append((month.month, int(no), wm.owed))
    last = state.months[-1] if state.months else None
    if (
        state.status is ProjectStatus.watching
        and last is not None
        and now >= last.funding_due
        and len([m for m in state.months if not m.closed]) < MAX_OPEN_MONTHS
    ):
        month = rules.next_month(last.month)
        state.months.append(rules.new_month(month, state.intake.pay_day, state.grace_days))
        out.month_opened = True
        out.changed = True
    before = state.status
    _end_if_done(state, now)
    out.changed = out.changed or state.status is not before
    return out


def _high_risk(state: ProjectState, month: str) -> Notification:
    # PW-4: two funding or payroll breaches in a row.
    return _note(
        state, "project_high_risk", month, Role.supervisor, month=month, project=state.intake.name
    )


def next_wake(state: ProjectState) -> datetime | None:
    """The next instant a timer of the watch fires."""
    lag = rules.spread(state.project_id)
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
        times.append(state.months[-1].funding_due)
    return min(times) if times else None


def linked(
    state: ProjectState, case_id: str, lines: list[tuple[str, int, Decimal]], joined: bool
) -> list[Notification]:
    """PW-4: the breached workers' months are in the case now (opened, or joined)."""
    link = next((c for c in state.linked_cases if c.case_id == case_id), None)
    if link is None:
        link = LinkedCase(case_id=case_id, kind="wage_arrears", relation="opened_by_watch")
        state.linked_cases.append(link)
    for month_name, no, _ in lines:
        month = next(m for m in state.months if m.month == month_name)
        month.workers[str(no)].case_id = case_id
        if month_name not in link.months:
            link.months.append(month_name)
        if no not in link.worker_nos:
            link.worker_nos.append(no)
    link.settled = False
    amount = sum((a for _, _, a in lines), Decimal("0"))
    kind = "project_case_joined" if joined else "project_case_opened"
    months = ",".join(sorted({m for m, _, _ in lines}))
    return [
        _note(
            state,
            kind,
            f"{case_id}:{months}",
            Role.inspector,
            linked_case_id=case_id,
            month=months,
            workers=str(len(lines)),
            amount=str(amount),
            project=state.intake.name,
        )  # fmt: skip
    ]


def open_case_id(state: ProjectState) -> str | None:
    """PW-4: the wage-arrears case a further breach joins, while it is not settled."""
    return next((c.case_id for c in state.linked_cases if not c.settled), None)


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
