"""Who may do what on a project watch, and what its state and input must allow (PW rules).

The timers' dates are here too: the funding cycle's end (PW-2), the pay date (PW-3) and the
grace period after it (PW-4), each in China Standard Time, and the spread of their firing
across the hour after each (so a province's projects due the same day do not fire at once).
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from domain import actions
from domain.actions import ENFORCERS, ActionSpec
from domain.common import CST, ActionNotAllowed, Command, InvalidActionInput
from domain.project_watch.models import (
    MAX_OPEN_MONTHS,
    MAX_ROSTER,
    ChangeBankCard,
    CompleteWorks,
    JoinRoster,
    LeaveRoster,
    MonthRecord,
    ProjectState,
    ProjectStatus,
    RecordFunding,
    RecordPayments,
    RecordWageSheet,
    Worker,
)

# PW-1: the county's inspectors (and their supervisor) open and watch a project; a bank's or
# a contractor's system posts its batches with a service account of the county holding one.
OPENED_BY = ENFORCERS
WATCHERS = ENFORCERS
# PW-4: the default grace period, when neither the project nor its county sets one.
DEFAULT_GRACE_DAYS = 3
# The month-end timers of a province's projects fire spread over this window after their
# due time, by a hash of the project id: the decision is made on the due time itself (what
# was recorded before it), only the warning's arrival is spread.
SPREAD = timedelta(hours=1)


def spread(project_id: str) -> timedelta:
    digest = hashlib.sha256(project_id.encode()).digest()
    return timedelta(seconds=int.from_bytes(digest[:4], "big") % int(SPREAD.total_seconds()))


def _first_of(month: str) -> date:
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, 1)


def next_month(month: str) -> str:
    first = _first_of(month)
    year, mon = (first.year + 1, 1) if first.month == 12 else (first.year, first.month + 1)
    return f"{year:04d}-{mon:02d}"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _cst_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CST)


def last_day(month: str) -> date:
    return _first_of(next_month(month)) - timedelta(days=1)


def new_month(month: str, pay_day: int, grace_days: int) -> MonthRecord:
    """PW-2: the funding cycle ends with the month; PW-3: wages are due by the end of the
    pay day of the next month; PW-4: a breach not cured `grace_days` after it opens a case."""
    following = _first_of(next_month(month))
    pay_due = _cst_midnight(following.replace(day=pay_day) + timedelta(days=1))
    return MonthRecord(
        month=month,
        funding_due=_cst_midnight(following),
        pay_due=pay_due,
        grace_due=pay_due + timedelta(days=grace_days),
    )


def active_in(worker: Worker, month: str) -> bool:
    return worker.start_on <= last_day(month) and (
        worker.end_on is None or worker.end_on >= _first_of(month)
    )


def find_worker(state: ProjectState, id_number: str) -> Worker | None:
    return next((w for w in state.roster if w.id_number == id_number), None)


def open_month(state: ProjectState, month: str) -> MonthRecord | None:
    return next((m for m in state.months if m.month == month and not m.closed), None)


def month_due_to_open(state: ProjectState, now: datetime) -> str | None:
    """The month after the last, once the last one's funding cycle has ended (PW-2): the
    watch opens it at its instant, or a batch for it that comes first opens it."""
    last = state.months[-1] if state.months else None
    if (
        state.status is ProjectStatus.watching
        and last is not None
        and now >= last.funding_due
        and len([m for m in state.months if not m.closed]) < MAX_OPEN_MONTHS
    ):
        return next_month(last.month)
    return None


def open_next_month(state: ProjectState) -> MonthRecord:
    record = new_month(next_month(state.months[-1].month), state.intake.pay_day, state.grace_days)
    state.months.append(record)
    return record


def _watching(state: ProjectState) -> None:
    if state.status is ProjectStatus.ended:
        raise ActionNotAllowed("the watch of this project has ended")


def _roster_open(state: ProjectState) -> None:
    _watching(state)
    if state.status is not ProjectStatus.watching:
        raise ActionNotAllowed("the works are completed: the roster takes no one new")


def _on_roster(state: ProjectState, id_number: str) -> Worker:
    worker = find_worker(state, id_number)
    if worker is None:
        raise InvalidActionInput("the worker is not on the project's roster (PW-1)")
    return worker


def _check_join(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, JoinRoster)
    if find_worker(state, cmd.worker.id_number) is not None:
        raise InvalidActionInput("the worker is on the roster already")
    known = {state.intake.general_contractor.credit_code} | {
        s.credit_code for s in state.intake.subcontractors
    }
    if cmd.worker.subcontractor not in known:
        raise InvalidActionInput("the subcontractor is not one of the project's")
    if len(state.roster) >= MAX_ROSTER:
        raise InvalidActionInput(
            f"a project's roster holds at most {MAX_ROSTER} workers at once; watch the "
            "section as a project of its own"
        )


def _check_leave(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, LeaveRoster)
    worker = _on_roster(state, cmd.id_number)
    if cmd.end_on < worker.start_on:
        raise InvalidActionInput("the end date is before the worker started")


def _check_card(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, ChangeBankCard)
    _on_roster(state, cmd.id_number)


def _month_for(state: ProjectState, month: str, now: datetime) -> None:
    if open_month(state, month) is None and month != month_due_to_open(state, now):
        raise InvalidActionInput(f"the month {month} is not open on this project")


def _check_funding(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordFunding)
    _month_for(state, cmd.month, now)


def _check_sheet(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordWageSheet)
    _month_for(state, cmd.month, now)
    ids = [line.id_number for line in cmd.lines]
    if len(set(ids)) != len(ids):
        raise InvalidActionInput("a worker appears twice on the wage sheet")
    for line in cmd.lines:
        _on_roster(state, line.id_number)


def _check_payments(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, RecordPayments)
    _month_for(state, cmd.month, now)
    for line in cmd.lines:
        worker = _on_roster(state, line.id_number)
        # PW-3: paid into the worker's own card, the one on the roster.
        if line.bank_card != worker.bank_card:
            raise InvalidActionInput("a payment went to a card not the worker's on the roster")


def _check_complete(state: ProjectState, cmd: Command, now: datetime) -> None:
    assert isinstance(cmd, CompleteWorks)
    if cmd.completed_on < state.intake.contract_signed_on:
        raise InvalidActionInput("the works cannot be completed before the contract")


ACTIONS: dict[str, ActionSpec[ProjectState]] = actions.table(
    ActionSpec("join_roster", JoinRoster, WATCHERS, "PW-1", _roster_open, _check_join),
    ActionSpec("leave_roster", LeaveRoster, WATCHERS, "PW-1", _watching, _check_leave),
    ActionSpec("change_bank_card", ChangeBankCard, WATCHERS, "PW-1", _watching, _check_card),
    ActionSpec("record_funding", RecordFunding, WATCHERS, "PW-2", _watching, _check_funding),
    ActionSpec("record_wage_sheet", RecordWageSheet, WATCHERS, "PW-3", _watching, _check_sheet),
    ActionSpec("record_payments", RecordPayments, WATCHERS, "PW-3", _watching, _check_payments),
    ActionSpec("complete_works", CompleteWorks, WATCHERS, "PW-6", _roster_open, _check_complete),
)


check, available_actions, awaited_by = actions.bound(ACTIONS)
