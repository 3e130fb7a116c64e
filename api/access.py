"""Who may see and do what: the one place the API checks role and county.

- A case is seen only by users bound to one of its counties (its own; a transfer's old
  agency's too). Outside them it does not exist: 404, the same answer as an unknown case, so
  ids cannot be probed across counties.
- An action is for the roles its case kind declares beside it (`ACTIONS` in
  `domain/*/rules.py`, read through the registry, domain/kinds.py): another role gets 403.
  The workflow's validator checks the same declaration again, and the county of each
  action's actor (a transfer step's agency, SI-1, SI-3).
- A case is opened by the roles its kind declares (`opened_by` in its registry record), in
  a county the user is bound to (403 otherwise).
- The actor of every action is the caller: user id and role from the token, county the
  case's (the first of the case's counties the user is bound to). A body naming an actor is
  refused (422), so nobody believes they acted as someone else.
- Lists are filtered in SQL to the user's counties; a county filter outside them lists
  nothing.
- Agency clerks work on social-insurance transfers only: wage-arrears and dispute cases do
  not exist for them (404, and absent from lists, the SLA board and the statistics).
- Personal data (names, ID numbers, mobiles) is shown in full only to the roles who work
  with the person (`full_personal_data` in the kind's record): mediators and inspectors on
  wage-arrears and dispute cases, agency clerks on transfers. Everyone else (supervisors,
  admins, other roles) sees it masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api import gateway
from api.auth import Principal, get_current_user
from api.errors import ApiError
from domain import kinds
from domain.actions import ActionSpec
from domain.common import Actor, Role
from store.access import CaseCounties, case_counties

# Roles that work on some case kinds only: the others do not exist for them (404, unlisted).
KINDS_OF_ROLE: Mapping[Role, frozenset[str]] = {
    Role.agency_clerk: frozenset({"insurance_transfer"}),
}

User = Annotated[Principal, Depends(get_current_user)]


def visible_kinds(user: Principal) -> frozenset[str] | None:
    """The case kinds `user` sees; None: every kind."""
    return KINDS_OF_ROLE.get(user.role)


def sees_personal_data(user: Principal, kind: str) -> bool:
    return kind in kinds.BY_NAME and user.role in kinds.named(kind).full_personal_data


@dataclass(frozen=True)
class CaseAccess:
    """A case the caller may see, and the county they act in on it."""

    user: Principal
    case: CaseCounties
    county_code: str

    @property
    def case_id(self) -> str:
        return self.case.case_id

    @property
    def kind(self) -> str:
        return self.case.kind

    @property
    def reveal_personal_data(self) -> bool:
        return sees_personal_data(self.user, self.case.kind)

    @property
    def actor(self) -> Actor:
        return self.user.actor(self.county_code)


def _lookup(engine: Engine, case_id: str) -> CaseCounties | None:
    with Session(engine) as session:
        return case_counties(session, case_id)


async def _from_workflow(request: Request, case_id: str) -> CaseCounties | None:
    """The counties of a case the read model does not show yet, from the workflow itself.

    A case started by another case (a dispute opened by a wage-arrears referral) is running
    and linked before its first read-model write lands; it must not look unknown meanwhile.
    """
    try:
        view: Any = await gateway.get_view(request.app.state.temporal, case_id)
    except ApiError as err:
        if err.status == 404:
            return None
        raise
    kind = gateway.kind_of(case_id)
    counties = kind.counties(view.state.intake)
    return CaseCounties(case_id=case_id, kind=kind.name, county_code=counties[0], counties=counties)


async def find_case(request: Request, case_id: str) -> CaseCounties | None:
    """The case's kind and counties: from the read model, else from its workflow; None for
    an unknown or malformed case id."""
    try:
        gateway.kind_of(case_id)  # a malformed id is unknown without asking the database
    except ApiError:
        return None
    found = await run_in_threadpool(_lookup, request.app.state.engine, case_id)
    if found is None:
        found = await _from_workflow(request, case_id)
    return found


def sees_case(user: Principal, case: CaseCounties) -> bool:
    """Whether the case exists for `user`: one of its counties is theirs, its kind their
    role's."""
    kinds = visible_kinds(user)
    return user.county_among(case.counties) is not None and (kinds is None or case.kind in kinds)


async def get_case_access(
    request: Request, case_id: Annotated[str, Path(max_length=40)], user: User
) -> CaseAccess:
    found = await find_case(request, case_id)
    county = user.county_among(found.counties) if found else None
    if found is None or county is None or not sees_case(user, found):
        raise gateway.not_found(case_id)
    return CaseAccess(user=user, case=found, county_code=county)


@dataclass(frozen=True)
class ActionGrant:
    access: CaseAccess
    spec: ActionSpec[Any]

    def command_input(self, body: dict[str, Any]) -> dict[str, Any]:
        """The action's input with the caller as its actor (the API stamps the request)."""
        if "actor" in body:
            raise ApiError(
                422,
                "actor_from_token",
                "the actor is the caller (from the bearer token); leave `actor` out of the body",
                [{"loc": ["body", "actor"], "msg": "not accepted", "type": "actor_from_token"}],
            )
        if "request" in body:
            raise ApiError(
                422,
                "request_from_api",
                "the API stamps each action itself; send an Idempotency-Key header instead "
                "of `request` in the body",
                [{"loc": ["body", "request"], "msg": "not accepted", "type": "request_from_api"}],
            )
        return {**body, "actor": self.access.actor.model_dump(mode="json")}


def authorize_action(
    access: Annotated[CaseAccess, Depends(get_case_access)],
    action: Annotated[str, Path(max_length=60)],
) -> ActionGrant:
    actions = gateway.kind_of(access.case_id).actions
    spec = actions.get(action)
    if spec is None:
        raise ApiError(
            404, "unknown_action", f"no such action; actions: {', '.join(sorted(actions))}"
        )
    if access.user.role not in spec.roles:
        allowed = ", ".join(sorted(r.value for r in spec.roles))
        raise ApiError(403, "forbidden", f"{action} is for the roles: {allowed}")
    return ActionGrant(access=access, spec=spec)


def authorize_attach(access: Annotated[CaseAccess, Depends(get_case_access)]) -> ActionGrant:
    """Attaching a file is the case kind's `attach_file` action, checked like any other."""
    return authorize_action(access, "attach_file")


def opener(user: Principal, kind: str, county_code: str) -> Actor:
    """The actor opening a case of `kind` in `county_code`, or 403."""
    allowed = kinds.named(kind).opened_by
    if user.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise ApiError(403, "forbidden", f"a {kind} case is opened by the roles: {names}")
    if not user.bound_to(county_code):
        raise ApiError(
            403, "forbidden", f"the case is in county {county_code}, which you are not bound to"
        )
    return user.actor(county_code)
