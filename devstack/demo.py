"""`manage.py demo`: fills the running stack with realistic cases across Taiyuan's ten counties,
so a new user sees the SLA board and the dashboard at work.

Everything goes through the HTTP API with bearer tokens, as a person would: demo users (one
mediator, inspector and supervisor bound to the ten counties) are created in the users table
like `manage.py create-user` does, with fresh tokens. Each case is opened with its own
`Idempotency-Key`, so running the command again finds the cases it opened before and leaves
them alone instead of doubling them.

Some cases are settled, some partly paid, some escalated (a major case triaged with a deadline
a few seconds ahead, whose timer really fires, then ordered to pay or referred to mediation),
some near their deadlines. Every case opens today: the API has no way to backdate a case.

Three construction projects in the first county are watched for their payroll (PW rules,
devstack/demo_projects.py): a clean month, a late funding, and a missed payroll whose timer
opens a wage-arrears case by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.engine import Engine

from core.settings import get_settings
from devstack.demo_projects import ProjectsResult, load_projects
from domain.common import Role, cst_date_str
from domain.identity import _credit_code_check_char, _resident_id_check_char
from domain.regions import TAIYUAN_COUNTIES
from store import users
from store.db import create_schema, engine_for
from store.delivery import DEMO_MAIL_DOMAIN, set_email

COUNTIES = tuple(TAIYUAN_COUNTIES)
DEMO_USERS = {
    Role.mediator: "demo-mediator",
    Role.inspector: "demo-inspector",
    Role.supervisor: "demo-supervisor",
}
TOKEN_LABEL = "demo data"
EMPLOYERS = (
    "太原市晋阳建筑劳务有限公司",
    "山西汾河装饰工程有限公司",
    "太原龙城物业服务有限公司",
    "山西并州餐饮管理有限公司",
    "太原市迎泽机械加工厂",
    "山西晋源物流有限公司",
    "古交市恒信建材有限公司",
    "清徐县老陈醋食品有限公司",
    "太原市杏花岭保洁服务有限公司",
    "山西万柏林电子科技有限公司",
)
SECTORS = ("construction", "construction", "manufacturing", "catering", "services", "logistics")
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
SUMMARIES = (
    "工人投诉拖欠三个月工资",
    "项目完工后工资未结清",
    "12333热线反映春节前工资未发",
    "日常巡查发现拖欠工资",
    "劳务班组集体反映欠薪",
)
SCENARIOS = ("settled", "partly_paid", "escalated", "near_deadline", "open", "referred")
# A major case's deadline this far ahead escalates while the command runs (WA-2).
ESCALATE_IN = timedelta(seconds=4)


def credit_code(n: int) -> str:
    body = f"9114010{n:03d}MA0{n % 100:02d}XY4"[:17]
    return body + _credit_code_check_char(body)


def resident_id(county: str, n: int) -> str:
    body = f"{county}{1970 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    return body + _resident_id_check_char(body)


@dataclass(frozen=True)
class CasePlan:
    key: str
    county: str
    scenario: str
    body: dict[str, Any]


@dataclass
class DemoResult:
    opened: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    supervisor_token: str = ""
    projects: ProjectsResult = field(default_factory=ProjectsResult)


def plans(count: int, seed: int = 2026, counties: Sequence[str] = COUNTIES) -> list[CasePlan]:
    """The same `count` cases every time (the seed fixes them), spread over the counties."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        county = counties[n % len(counties)]
        scenario = SCENARIOS[n % len(SCENARIOS)]
        major = scenario in ("escalated", "near_deadline", "referred")
        workers = rng.randint(2, 4)
        per_worker = rng.choice((3200, 4500, 6800, 8000)) if not major else 36000
        source = rng.choice(("complaint", "hotline", "inspection", "platform_clue"))
        body: dict[str, Any] = {
            "source": source,
            "county_code": county,
            "employer": {"name": EMPLOYERS[n % len(EMPLOYERS)], "credit_code": credit_code(n)},
            "sector": SECTORS[n % len(SECTORS)],
            "workers": [
                {
                    "name": f"{SURNAMES[(n * 3 + i) % len(SURNAMES)]}某{'一二三四'[i]}",
                    "id_number": resident_id(county, n * 10 + i),
                    "mobile": f"139{n:04d}{i:04d}",
                    "amount_owed": f"{per_worker}.00",
                    "months_owed": rng.randint(1, 5),
                }
                for i in range(workers)
            ],
            "summary": SUMMARIES[n % len(SUMMARIES)],
        }
        if source == "platform_clue":
            body["clue_number"] = f"XS-2026-{n:05d}"
        out.append(CasePlan(f"demo-case-{seed}-{n:03d}", county, scenario, body))
    return out


def demo_tokens(engine: Engine) -> dict[Role, str]:
    """Demo users bound to the ten counties, each with one fresh token (older ones revoked)."""
    create_schema(engine)
    tokens = {}
    for role, user_id in DEMO_USERS.items():
        users.create_user(engine, user_id, role, COUNTIES, replace=True)
        set_email(engine, user_id, f"{user_id}@{DEMO_MAIL_DOMAIN}")
        for old in users.list_tokens(engine, user_id):
            if old.label == TOKEN_LABEL and old.revoked_at is None:
                users.revoke_token(engine, old.prefix)
        tokens[role] = users.issue_token(engine, user_id, TOKEN_LABEL).token
    return tokens


class DemoLoader:
    def __init__(self, http: httpx.AsyncClient, tokens: dict[Role, str]) -> None:
        self.http = http
        self.headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}

    async def act(self, role: Role, case_id: str, action: str, **body: Any) -> dict[str, Any]:
        response = await self.http.post(
            f"/api/v1/cases/{case_id}/actions/{action}", json=body, headers=self.headers[role]
        )
        if response.status_code != 200:
            raise RuntimeError(f"{case_id} {action}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result

    async def case(self, case_id: str) -> dict[str, Any]:
        response = await self.http.get(
            f"/api/v1/cases/{case_id}", headers=self.headers[Role.supervisor]
        )
        response.raise_for_status()
        found: dict[str, Any] = response.json()
        return found

    async def open(self, plan: CasePlan) -> tuple[str, bool]:
        response = await self.http.post(
            "/api/v1/cases/wage-arrears",
            json=plan.body,
            headers={**self.headers[Role.mediator], "Idempotency-Key": plan.key},
        )
        if response.status_code not in (200, 201):
            raise RuntimeError(f"opening {plan.key}: {response.status_code} {response.text}")
        return str(response.json()["case_id"]), response.status_code == 201

    async def pay(self, case_id: str, worker_nos: Sequence[int]) -> None:
        case = await self.case(case_id)
        today = cst_date_str(datetime.now(UTC))
        for worker in case["workers"]:
            if worker["worker_no"] not in worker_nos:
                continue
            await self.act(
                Role.mediator,
                case_id,
                "record_payment",
                reason="用人单位在劳动保障监察大队现场支付",
                worker_no=worker["worker_no"],
                amount=worker["outstanding"],
                paid_on=today,
            )
            payment_id = (await self.case(case_id))["payments"][-1]["payment_id"]
            await self.act(
                Role.mediator,
                case_id,
                "confirm_payment",
                reason="工人签字确认收款",
                payment_id=payment_id,
            )

    async def triage(self, case_id: str, due_in: timedelta) -> None:
        await self.act(
            Role.supervisor,
            case_id,
            "triage",
            reason="涉及人数多、金额大，按重大问题限期解决",
            severity="major",
            resolution_deadline=(datetime.now(UTC) + due_in).isoformat(),
        )

    async def until_escalated(self, case_id: str) -> None:
        for _ in range(100):
            if (await self.case(case_id))["status"] == "escalated":
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"{case_id} did not escalate")

    async def run(self, plan: CasePlan, case_id: str) -> None:
        """Takes the plan's actions; escalations wait for their timer at the end."""
        workers = [w["worker_no"] for w in (await self.case(case_id))["workers"]]
        if plan.scenario == "settled":
            await self.pay(case_id, workers)
        elif plan.scenario == "partly_paid":
            await self.pay(case_id, workers[:1])
        elif plan.scenario in ("escalated", "referred"):
            await self.triage(case_id, ESCALATE_IN)
        elif plan.scenario == "near_deadline":
            hours = 6 + int(plan.key[-3:]) % 30
            await self.triage(case_id, timedelta(hours=hours))

    async def follow_up(self, plan: CasePlan, case_id: str) -> None:
        await self.until_escalated(case_id)
        if plan.scenario == "escalated":
            await self.act(
                Role.inspector, case_id, "issue_order_to_pay", reason="逾期未清偿，责令限期支付"
            )
        else:
            await self.act(Role.mediator, case_id, "refer_to_mediation", reason="双方同意调解")


def _say(line: str) -> None:
    # Progress to stderr: stdout carries only the token, for scripts.
    print(line, file=sys.stderr)


async def load_demo(
    base_url: str,
    engine: Engine,
    count: int = 30,
    say: Callable[[str], None] = _say,
    counties: Sequence[str] = COUNTIES,
    projects: bool = True,
) -> DemoResult:
    tokens = demo_tokens(engine)
    result = DemoResult(supervisor_token=tokens[Role.supervisor])
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        try:
            (await http.get("/health")).raise_for_status()
        except httpx.HTTPError as err:
            raise RuntimeError(
                f"no API at {base_url} ({err}); start the stack with `manage.py up` first"
            ) from None
        loader = DemoLoader(http, tokens)
        later = []
        for plan in plans(count, counties=counties):
            case_id, new = await loader.open(plan)
            if not new:
                result.already_there.append(case_id)
                continue
            result.opened.append(case_id)
            await loader.run(plan, case_id)
            if plan.scenario in ("escalated", "referred"):
                later.append((plan, case_id))
            say(f"{case_id}  {plan.county}  {plan.scenario}")
        for plan, case_id in later:
            await loader.follow_up(plan, case_id)
        if projects:
            result.projects = await load_projects(
                http, tokens[Role.inspector], counties[0], credit_code, resident_id, say
            )
    return result


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="manage.py demo", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=30, help="how many cases (default 30)")
    parser.add_argument("--api", default=None, help="the API's base URL (default: settings)")
    args = parser.parse_args(argv)
    settings = get_settings()
    base_url = args.api or f"http://{settings.api_host}:{settings.api_port}"
    engine = engine_for(settings)
    try:
        result = asyncio.run(load_demo(base_url, engine, args.cases))
    except RuntimeError as err:
        print(f"manage.py demo: {err}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(
        f"{len(result.opened)} cases opened, {len(result.already_there)} were there already",
        file=sys.stderr,
    )
    print(
        f"{len(result.projects.opened)} projects opened, "
        f"{len(result.projects.already_there)} were there already",
        file=sys.stderr,
    )
    print(f"SLA board: {base_url}/board   dashboard: {base_url}/dashboard", file=sys.stderr)
    print("log in with this supervisor token (all ten counties), shown once:", file=sys.stderr)
    print(result.supervisor_token)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
