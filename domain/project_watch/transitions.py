"""What happens to a project watch: roster changes, batches, and its timers (PW rules).

Pure functions of the state; the workflow supplies the time and does the I/O (the read
model, the notifications, the wage-arrears case it opens or joins).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.common import Command, Role
from domain.deadlines import Deadline
from domain.effects import Effects
from domain.notifications import Notification, notify_case
from domain.project_watch import rules
from domain.project_watch.models import (
    ChangeBankCard,
    CompleteWorks,
    JoiningWorker,
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
    RosterWorker,
    Worker,
    WorkerMonth,
)
from domain.regions import RegionSettings


def _worker(no: int, w: JoiningWorker, actor_id: str | None) -> Worker:
    return Worker(
        worker_no=no,
        name=w.name,
        id_number=w.id_number,
        mobile=w.mobile,
        bank_card=w.bank_card,
        subcontractor=w.subcontractor,
        start_on=w.start_on,
        end_on=w.end_on if isinstance(w, RosterWorker) else None,
        joined_by=actor_id,
    )


def case_opened(
    case_id: str, intake: ProjectIntake, region: RegionSettings, opened_at: datetime
) -> tuple[ProjectState, Effects]:
    """PW-1: the watch starts with the contract's parties, the account and the roster; PW-4:
    its grace period is the project's, else its county's."""
    grace = intake.grace_days if intake.grace_days is not None else region.payroll_grace_days
    return opened(case_id, intake, grace, opened_at), Effects()


def opened(case_id: str, intake: ProjectIntake, grace_days: int, now: datetime) -> ProjectState:
    state = ProjectState(case_id=case_id, intake=intake, grace_days=grace_days, opened_at=now)
    for w in intake.roster:
        state.roster.append(_worker(state.next_worker_no, w, intake.opened_by.id))
        state.next_worker_no += 1
    state.months.append(rules.new_month(intake.first_month, intake.pay_day, grace_days))
    return state


def apply(name: str, state: ProjectState, cmd: Command, now: datetime) -> Effects:
    """What a roster change (PW-1), a batch (PW-2, PW-3) or the works' completion (PW-6)
    does; a batch id already recorded in its month changes nothing."""
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
        month = _new_batch(state, cmd.month, cmd.batch_id, now)
        if month is not None:
            month.funded += cmd.amount
            # PW-2: funding within the cycle (the month) counts; a later one is still
            # recorded, after the warning.
            if cmd.funded_on <= rules.last_day(month.month) and now < month.funding_due:
                month.funded_in_time = True
    elif isinstance(cmd, RecordWageSheet):
        month = _new_batch(state, cmd.month, cmd.batch_id, now)
        if month is not None:
            awaited, month.sheet_awaited = month.sheet_awaited, False
            for sheet_line in cmd.lines:
                wm = _worker_month(state, month, sheet_line.id_number)
                wm.sheet_amount = sheet_line.amount
                wm.confirmed = sheet_line.confirmed
            if awaited:
                # PW-3: the sheet came after the pay date; what it shows paid closes the month.
                close_if_paid(state, month, now)
    elif isinstance(cmd, RecordPayments):
        month = _new_batch(state, cmd.month, cmd.batch_id, now)
        if month is not None:
            for line in cmd.lines:
                _worker_month(state, month, line.id_number).paid += line.amount
            close_if_paid(state, month, now)
    elif isinstance(cmd, CompleteWorks):
        state.completed_on = cmd.completed_on
        state.status = ProjectStatus.completing
    end_if_done(state, now)
    return Effects()


def deadline_warned(state: ProjectState, deadline: Deadline) -> list[Notification]:
    """The watch keeps no deadline ledger: its clock is the months' own (domain/project_watch
    /clock.py)."""
    return []


def deadline_passed(state: ProjectState, deadline: Deadline, now: datetime) -> Effects:
    return Effects()


def _new_batch(state: ProjectState, month: str, batch_id: str, now: datetime) -> MonthRecord | None:
    """The month a batch is for, or None when the batch is recorded in it already."""
    record = _month(state, month, now)
    if batch_id in record.batches:
        return None
    record.batches.append(batch_id)
    return record


def _worker_month(state: ProjectState, month: MonthRecord, id_number: str) -> WorkerMonth:
    worker = rules.find_worker(state, id_number)
    assert worker is not None
    return month.workers.setdefault(str(worker.worker_no), WorkerMonth())


def _month(state: ProjectState, month: str, now: datetime) -> MonthRecord:
    record = rules.open_month(state, month)
    if record is None:
        # PW-2: a batch for the month due to open came before the watch's instant opened it.
        assert month == rules.month_due_to_open(state, now)
        record = rules.open_next_month(state)
    return record


def batch_recorded(
    state: ProjectState, cmd: RecordFunding | RecordWageSheet | RecordPayments
) -> bool:
    """A batch id already recorded in its month: sent again, it changes nothing."""
    return any(cmd.batch_id in m.batches for m in state.months if m.month == cmd.month)


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
        close_if_paid(state, month, now)
    _settle_links(state)
    end_if_done(state, now)
    return []


def has_sheet(month: MonthRecord) -> bool:
    """PW-3: a wage sheet says what some worker earned in the month."""
    return any(wm.sheet_amount is not None for wm in month.workers.values())


def owed_workers(month: MonthRecord) -> dict[str, WorkerMonth]:
    return {no: wm for no, wm in month.workers.items() if wm.sheet_amount and wm.owed > 0}


def close_if_paid(state: ProjectState, month: MonthRecord, now: datetime) -> None:
    """A month closes once its pay date came with a wage sheet (or one came later), and every
    worker on it is paid in full."""
    if month.closed or not month.pay_checked or month.sheet_awaited:
        return
    expected = [w for w in state.roster if rules.active_in(w, month.month)]
    if expected and not month.workers:
        return
    if owed_workers(month):
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


def end_if_done(state: ProjectState, now: datetime) -> None:
    """PW-6: the watch ends when the works are completed and every worker is paid in full."""
    if state.status is not ProjectStatus.completing:
        return
    if all(m.closed for m in state.months):
        state.status = ProjectStatus.ended
        state.ended_at = now


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
        notify_case(
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
    """PW-4: the wage-arrears case a further breach joins, while it is neither settled nor
    closed."""
    return next((c.case_id for c in state.linked_cases if not (c.settled or c.closed)), None)


def case_ended(state: ProjectState, case_id: str) -> None:
    """The linked case was closed (its workflow ended): later breaches open another."""
    for link in state.linked_cases:
        if link.case_id == case_id:
            link.closed = True
