"""The demo's construction projects (PW rules), opened and fed through the HTTP API the way the
demo's cases are, by the demo inspector, each with its own `Idempotency-Key` (a second run
finds them) and batch ids (a batch sent again records nothing twice).

Three projects in one county:

- `clean`: this month funded, its wage sheet confirmed and every worker paid (PW-2, PW-3);
- `late_funding`: opened for last month, whose funding cycle ended without the builder's
  funding: the watch warns at once (PW-2) and the board lists it at risk. Its workers started
  this month, so last month had no wages to pay;
- `missed_payroll`: enrolled in the watch while under way, its records of the month before
  last arriving with it: the bank's payments (one worker of three paid) and then the wage
  sheet, confirmed by the workers, that shows the other two owed. That month's pay date and
  grace (PW-3, PW-4: the 15th of last month, three days) are past, so the watch opens a
  wage-arrears case by itself as soon as the sheet is recorded, against the general
  contractor, with the two unpaid workers and their amounts (PW-5). Neither month was funded
  (PW-2), so the board lists the project at high risk (two breaches in a row, PW-4).
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
    "missed_payroll": {"sheet": True, "paid": (0,), "sheet_last": True},
}
OPENING = "the case is still opening"
# PW-3's default pay day (the demo's projects keep it, and the county's grace).
PAY_DAY = 15
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
    # The wage sheet after the payments (a project enrolled late sends its records so).
    sheet_last: bool = False

    @property
    def pay_day(self) -> int:
        return int(self.body.get("pay_day", PAY_DAY))


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
    months = {"clean": this, "late_funding": last, "missed_payroll": _previous(last)}
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

    async def opened_case(self, project_id: str) -> str | None:
        """PW-4: the case the project's watch opened by itself, once it has (a moment after
        the batch that showed the breach)."""
        for _ in range(OPENING_TRIES):
            response = await self.http.get(f"/api/v1/projects/{project_id}", headers=self.headers)
            case_id = response.json().get("open_case_id") if response.status_code == 200 else None
            if case_id:
                return str(case_id)
            await asyncio.sleep(0.2)
        return None

    async def feed(self, plan: ProjectPlan, project_id: str, today: date) -> None:
        for path, body in batches(plan, today):
            await self._post(f"/api/v1/projects/{project_id}/{path}", body)


def batches(plan: ProjectPlan, today: date) -> list[tuple[str, dict[str, Any]]]:
    """What the bank's and the contractor's systems send for the plan's month, in order: the
    path under the project and the body."""
    roster = plan.body["roster"]
    batch = f"demo-{plan.scenario}-{plan.month}"
    funding: dict[str, Any] = {
        "reason": "建设单位按月拨付人工费用",
        "batch_id": f"{batch}-F1",
        "month": plan.month,
        "amount": str(sum(WAGES)),
        "funded_on": today.isoformat(),
    }
    sheet: dict[str, Any] = {
        "reason": "劳务班组工资支付表，工人签字确认",
        "batch_id": f"{batch}-S1",
        "month": plan.month,
        "lines": [
            {"id_number": w["id_number"], "amount": str(wage), "confirmed": True}
            for w, wage in zip(roster, WAGES, strict=True)
        ],
    }
    # Paid on the day, or on the pay date where that is past (PW-3).
    pay_date = date.fromisoformat(f"{rules.next_month(plan.month)}-{plan.pay_day:02d}")
    payments: dict[str, Any] = {
        "reason": "工资专用账户代发",
        "batch_id": f"{batch}-P1",
        "month": plan.month,
        "lines": [
            {
                "id_number": roster[i]["id_number"],
                "bank_card": roster[i]["bank_card"],
                "amount": str(WAGES[i]),
                "paid_on": min(today, pay_date).isoformat(),
            }
            for i in plan.paid
        ],
    }
    sent: list[tuple[str, dict[str, Any], bool]] = [
        ("funding", funding, plan.fund),
        ("wage-sheets", sheet, plan.sheet and not plan.sheet_last),
        ("payments", payments, bool(plan.paid)),
        # A project enrolled late sends the bank's payments first, the wage sheet after.
        ("wage-sheets", sheet, plan.sheet and plan.sheet_last),
    ]
    return [(path, body) for path, body, sent_now in sent if sent_now]


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
            case_id = await loader.opened_case(project_id)
            line += f" (opened wage-arrears case {case_id})" if case_id else ""
        say(line)
    return result
