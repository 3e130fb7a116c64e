"""Human actions of any case kind: who may take each, and what state and input it needs.

Each case kind declares its actions beside its rules, each with the county its actor must
belong to; the workflow's update validators call `check`, the case view lists
`available_actions`, the work queue `awaited`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, NamedTuple, Protocol, Self, TypeVar

from domain.common import ActionNotAllowed, Actor, Command, Forbidden, Role, StrictModel

S = TypeVar("S")
Status = TypeVar("Status", bound=StrEnum)


class _Revised(Protocol):
    @property
    def case_id(self) -> str: ...

    @property
    def revision(self) -> int: ...


class ActionResult(StrictModel, Generic[Status]):
    """What an action answers, whatever the kind: where the case stands and what it offers next."""

    case_id: str
    status: Status
    revision: int
    available_actions: list[str]

    @classmethod
    def of(cls, state: _Revised, status: Status, offered: list[str]) -> Self:
        return cls(
            case_id=state.case_id, status=status, revision=state.revision, available_actions=offered
        )


def no_input_check(state: Any, cmd: Command, now: datetime) -> None:
    return None


def case_county(state: Any) -> str:
    """The county of a case that has one: its actors are of that county."""
    return str(state.intake.county_code)


@dataclass(frozen=True)
class ActionSpec(Generic[S]):
    name: str
    command: type[Command]
    roles: frozenset[Role]
    rule: str
    state_check: Callable[[S], None]
    input_check: Callable[[S, Command, datetime], None] = no_input_check
    # The county the actor must belong to (a transfer: the agency that owes the step).
    county: Callable[[S], str] = case_county


def roles(*allowed: Role) -> frozenset[Role]:
    return frozenset(allowed)


# The bureau's officers of a case's county: the role set most actions of the wage-arrears
# and dispute kinds are for.
OFFICERS = roles(Role.mediator, Role.inspector, Role.supervisor)
# The officers who work with the workers themselves (and see their personal data in full).
CASEWORKERS = roles(Role.mediator, Role.inspector)
# The bureau's enforcers: inspectors and the supervisor above them.
ENFORCERS = roles(Role.inspector, Role.supervisor)


def check_actor(spec: ActionSpec[S], county_code: str, actor: Actor) -> None:
    if actor.role not in spec.roles:
        allowed = ", ".join(sorted(r.value for r in spec.roles))
        raise Forbidden(f"{spec.name} is for the roles: {allowed}")
    if actor.county_code != county_code:
        raise Forbidden(
            f"{spec.name} is taken in county {county_code}; the actor belongs to "
            f"{actor.county_code}"
        )


def check(
    actions: Mapping[str, ActionSpec[S]], name: str, state: S, cmd: Command, now: datetime
) -> None:
    """Everything an update validator decides: actor (403), then state (409), then input (422)."""
    spec = actions[name]
    check_actor(spec, spec.county(state), cmd.actor)
    spec.state_check(state)
    spec.input_check(state, cmd, now)


# What every open case offers its officers whatever is awaited of them: a case does not wait
# for anyone because it could be closed, a clock's ledger changed or a file attached.
HOUSEKEEPING = frozenset(
    {"close", "extend_deadline", "pause_deadline", "resume_deadline", "attach_file"}
)


def awaited(actions: Mapping[str, ActionSpec[S]], state: S) -> list[str]:
    """Who the case waits for: `role:county` for each role and county that may take one of
    its available actions, the housekeeping ones left out. The work queue lists a case to a
    user whose role and county are among them."""
    waits = {
        f"{role.value}:{actions[name].county(state)}"
        for name in available_actions(actions, state)
        if name not in HOUSEKEEPING
        for role in actions[name].roles
    }
    return sorted(waits)


def available_actions(actions: Mapping[str, ActionSpec[S]], state: S) -> list[str]:
    available = []
    for name, spec in actions.items():
        try:
            spec.state_check(state)
        except ActionNotAllowed:
            continue
        available.append(name)
    return available


class Bound(NamedTuple, Generic[S]):
    """A kind's action table's questions, asked of its state."""

    check: Callable[[str, S, Command, datetime], None]
    available_actions: Callable[[S], list[str]]
    awaited_by: Callable[[S], list[str]]


def bound(actions: Mapping[str, ActionSpec[S]]) -> Bound[S]:
    """`check`, `available_actions` and `awaited_by` of one kind's `ACTIONS`."""
    return Bound(
        lambda name, state, cmd, now: check(actions, name, state, cmd, now),
        lambda state: available_actions(actions, state),
        lambda state: awaited(actions, state),
    )


def table(*specs: ActionSpec[S]) -> dict[str, ActionSpec[S]]:
    """A kind's `ACTIONS`: its specs by name, in the order given (the order the case view
    offers them in)."""
    return {spec.name: spec for spec in specs}
