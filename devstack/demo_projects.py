"""The demo's construction projects (PW rules), opened and fed through the HTTP API the way the
demo's cases are, by the demo inspector, each with its own `Idempotency-Key` (a second run
finds them) and batch ids (a batch sent again records nothing twice).

Three projects in one county:

- `clean`: this month funded, its wage sheet confirmed and every worker paid (PW-2, PW-3);
- `late_funding`: opened for last month, whose funding cycle ended without the builder's
  funding: the watch warns at once (PW-2) and the board lists it at risk. Its workers started
  this month, so last month had no wages to pay;
- `missed_payroll`: last month's wage sheet confirmed, one worker paid, two not. Its pay day
  is today with no grace days (PW-3, PW-4), so the watch's timer at the end of today (midnight
  China Standard Time, then up to an hour later by `rules.spread`) records the breach and
  opens a wage-arrears case by itself, against the general contractor, with the two unpaid
  workers and their amounts. Until then the board lists it at risk for last month's funding.

Why not sooner: a month's instants are midnights, and its wage sheet (what says who is owed
what) can only be recorded once the project is open, while a pay date already past is checked
in the watch's first step, before any batch arrives: a month whose pay date passed with no
sheet closes with nobody's amount known. So the earliest instant that opens a case with
amounts is the next midnight. (On the 29th to the 31st, no pay day, at most the 28th, falls
today: the project is opened for this month with pay day 1, due the 2nd of next month.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from domain.common import CST
from domain.identity import luhn_ok
from domain.project_watch import rules

BANK = "中国建设银行太原分行"
PROJECT_NAMES = {
    "clean": "晋阳湖片区安置房一期工程",
    "late_funding": "龙城大街综合管廊工程",
    "missed_payroll": "汾东新区商住楼二期工程",
}
WAGES = (Decimal("7200.00"), Decimal("6500.00"), Decimal("5800.00"))
WORKER_NAMES = ("王建国", "李德胜", "张海军")
# What the demo sends for each project's month: funding, wage sheet, the workers paid.
SENT: dict[str, dict[str, Any]] = {
    "clean": {"fund": True, "sheet": True, "paid": (0, 1, 2)},
    "late_funding": {},
    "missed_payroll": {"sheet": True, "paid": (0,)},
}
OPENING = "the case is still opening"
OPENING_TRIES = 50


@dataclass(frozen=True)
class ProjectPlan:
    key: str
    scenario: str
    body: dict[str, Any]
    # The month the demo records batches for, and what it records.
    month: str
    fund: bool = False
    sheet: bool = False
    paid: tuple[int, ...] = ()


@dataclass
class ProjectsResult:
    opened: dict[str, str] = field(default_factory=dict)
    already_there: dict[str, str] = field(default_factory=dict)


def bank_card(serial: int) -> str:
    body = f"621700{serial:012d}"
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def _previous(month: str) -> str:
    return rules.month_of(date.fromisoformat(f"{month}-01") - timedelta(days=1))


def project_plans(
    today: date,
    county: str,
    credit_code: Callable[[int], str],
    resident_id: Callable[[str, int], str],
) -> list[ProjectPlan]:
    """The three projects as of `today` (China Standard Time)."""
    this = rules.month_of(today)
    last = _previous(this)
    if today.day <= 28:
        missed_month, pay_day = last, today.day
    else:
        missed_month, pay_day = this, 1
    months = {"clean": this, "late_funding": last, "missed_payroll": missed_month}
    out = []
    for n, (scenario, month) in enumerate(months.items()):
        first_day = date.fromisoformat(f"{month}-01")
        signed = first_day - timedelta(days=20)
        starts = date.fromisoformat(f"{this}-01") if scenario == "late_funding" else first_day
        contractor, labour = credit_code(900 + n * 2), credit_code(901 + n * 2)
        body: dict[str, Any] = {
            "name": PROJECT_NAMES[scenario],
            "county_code": county,
            "builder": {"name": "太原市城投置业有限公司", "credit_code": credit_code(950 + n)},
            "general_contractor": {"name": "山西建工集团有限公司", "credit_code": contractor},
            "subcontractors": [{"name": "太原市晋阳建筑劳务有限公司", "credit_code": labour}],
            "contract_signed_on": signed.isoformat(),
            "wage_account": {
                "bank": BANK,
                "account_no": f"1405016{county}{n:04d}",
                "opened_on": (signed + timedelta(days=7)).isoformat(),
            },
            "guarantee_deposit": "300000.00",
            "first_month": month,
            "roster": [
                {
                    "name": name,
                    "id_number": resident_id(county, 900 + n * 10 + i),
                    "mobile": f"1360351{n:02d}{i:02d}",
                    "bank_card": bank_card(900 + n * 10 + i),
                    "subcontractor": labour,
                    "start_on": starts.isoformat(),
                }
                for i, name in enumerate(WORKER_NAMES)
            ],
        }
        key = f"demo-project-{county}-{scenario}-{month}"
        if scenario == "missed_payroll":
            # Its pay day is the day the demo runs: another day's run opens another project.
            body.update(pay_day=pay_day, grace_days=0)
            key += f"-{pay_day:02d}"
        plan = ProjectPlan(key, scenario, body, month, **SENT[scenario])
        out.append(plan)
    return out


class ProjectLoader:
    """Opens the plans' projects and sends their batches as the demo inspector."""

    def __init__(self, http: httpx.AsyncClient, token: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"}

    async def _post(self, path: str, body: dict[str, Any], key: str | None = None) -> Any:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {})}
        for _ in range(OPENING_TRIES):
            response = await self.http.post(path, json=body, headers=headers)
            # A project opened for a month already past continues as new at once (its next
            # month opens); a batch that meets the new run before it has begun is refused
            # for now, and sent again (a batch id records once).
            if response.status_code != 409 or OPENING not in response.text:
                break
            await asyncio.sleep(0.2)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"{path}: {response.status_code} {response.text}")
        return response

    async def open(self, plan: ProjectPlan) -> tuple[str, bool]:
        response = await self._post("/api/v1/projects", plan.body, plan.key)
        return str(response.json()["case_id"]), response.status_code == 201

    async def feed(self, plan: ProjectPlan, project_id: str, today: date) -> None:
        for path, body in batches(plan, today):
            await self._post(f"/api/v1/projects/{project_id}/{path}", body)


def batches(plan: ProjectPlan, today: date) -> list[tuple[str, dict[str, Any]]]:
    """What the bank's and the contractor's systems send for the plan's month, in order: the
    path under the project and the body."""
    roster = plan.body["roster"]
    batch = f"demo-{plan.scenario}-{plan.month}"
    out: list[tuple[str, dict[str, Any]]] = []
    if plan.fund:
        funding = {
            "reason": "建设单位按月拨付人工费用",
            "batch_id": f"{batch}-F1",
            "month": plan.month,
            "amount": str(sum(WAGES)),
            "funded_on": today.isoformat(),
        }
        out.append(("funding", funding))
    if plan.sheet:
        sheet = {
            "reason": "劳务班组工资支付表，工人签字确认",
            "batch_id": f"{batch}-S1",
            "month": plan.month,
            "lines": [
                {"id_number": w["id_number"], "amount": str(wage), "confirmed": True}
                for w, wage in zip(roster, WAGES, strict=True)
            ],
        }
        out.append(("wage-sheets", sheet))
    if plan.paid:
        payments = {
            "reason": "工资专用账户代发",
            "batch_id": f"{batch}-P1",
            "month": plan.month,
            "lines": [
                {
                    "id_number": roster[i]["id_number"],
                    "bank_card": roster[i]["bank_card"],
                    "amount": str(WAGES[i]),
                    "paid_on": today.isoformat(),
                }
                for i in plan.paid
            ],
        }
        out.append(("payments", payments))
    return out


def breach_due(plan: ProjectPlan, project_id: str) -> datetime:
    """When the missed payroll's timer opens its case: the pay date plus grace, spread."""
    record = rules.new_month(plan.month, plan.body["pay_day"], plan.body["grace_days"])
    return record.grace_due + rules.spread(project_id)


async def load_projects(
    http: httpx.AsyncClient,
    token: str,
    county: str,
    credit_code: Callable[[int], str],
    resident_id: Callable[[str, int], str],
    say: Callable[[str], None],
) -> ProjectsResult:
    today = datetime.now(CST).date()
    loader = ProjectLoader(http, token)
    result = ProjectsResult()
    for plan in project_plans(today, county, credit_code, resident_id):
        project_id, new = await loader.open(plan)
        if not new:
            result.already_there[plan.scenario] = project_id
            continue
        result.opened[plan.scenario] = project_id
        await loader.feed(plan, project_id, today)
        line = f"{project_id}  {county}  project: {plan.scenario}"
        if plan.scenario == "missed_payroll":
            due = breach_due(plan, project_id).astimezone(CST)
            line += f" (its case opens at {due:%Y-%m-%d %H:%M} China Standard Time)"
        say(line)
    return result
