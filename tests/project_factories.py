"""Projects for the payroll-watch tests (PW rules): valid ID numbers, cards, credit codes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.common import CST, Role
from domain.identity import luhn_ok
from tests.factories import CONTRACTOR_CODE, COUNTY, EMPLOYER_CODE, actor, resident_id

BUILDER_CODE = "91350100M000100Y43"
SUBCONTRACTOR_CODE = EMPLOYER_CODE


def bank_card(serial: int) -> str:
    body = f"622202{serial:012d}"
    return next(body + str(d) for d in range(10) if luhn_ok(body + str(d)))


def roster_worker(serial: int, start_on: str = "2020-01-01", **extra: Any) -> dict[str, Any]:
    return {
        "name": f"工人{serial}",
        "id_number": resident_id(serial),
        "mobile": f"139{serial:08d}",
        "bank_card": bank_card(serial),
        "subcontractor": SUBCONTRACTOR_CODE,
        "start_on": start_on,
        **extra,
    }


def month_of(moment: datetime) -> str:
    return moment.astimezone(CST).strftime("%Y-%m")


def project_intake(
    first_month: str, workers: int = 2, county: str = COUNTY, **overrides: Any
) -> dict[str, Any]:
    signed = date.fromisoformat(f"{first_month}-01") - timedelta(days=40)
    data: dict[str, Any] = {
        "name": "某小区二期工程",
        "county_code": county,
        "builder": {"name": "某置业有限公司", "credit_code": BUILDER_CODE},
        "general_contractor": {"name": "某建工集团有限公司", "credit_code": CONTRACTOR_CODE},
        "subcontractors": [{"name": "太原某建筑劳务有限公司", "credit_code": SUBCONTRACTOR_CODE}],
        "contract_signed_on": signed.isoformat(),
        "wage_account": {
            "bank": "某银行太原分行",
            "account_no": "6200001234567890",
            "opened_on": (signed + timedelta(days=10)).isoformat(),
        },
        "guarantee_deposit": "80000.00",
        "first_month": first_month,
        "roster": [roster_worker(i + 1) for i in range(workers)],
        "opened_by": actor(Role.inspector, county),
    }
    data.update(overrides)
    return data


def watcher(county: str = COUNTY) -> dict[str, Any]:
    return actor(Role.inspector, county, id="inspector-01")


def _batch(reason: str, batch: str, month: str, **fields: Any) -> dict[str, Any]:
    """A month's batch as the bank's or the contractor's system sends it."""
    return {"actor": watcher(), "reason": reason, "batch_id": batch, "month": month, **fields}


def funding(
    month: str, amount: str = "20000.00", batch: str = "F1", on: str | None = None
) -> dict[str, Any]:
    return _batch("银行到账通知", batch, month, amount=amount, funded_on=on or f"{month}-05")


def sheet(
    month: str, serials: list[int], amount: str = "5000.00", batch: str = "S1"
) -> dict[str, Any]:
    lines = [{"id_number": resident_id(s), "amount": amount, "confirmed": True} for s in serials]
    return _batch("工资支付表", batch, month, lines=lines)


def payments(
    month: str,
    serials: list[int],
    amount: str = "5000.00",
    batch: str = "P1",
    on: str | None = None,
) -> dict[str, Any]:
    lines = [
        {
            "id_number": resident_id(s),
            "bank_card": bank_card(s),
            "amount": amount,
            "paid_on": on or f"{month}-28",
        }
        for s in serials
    ]
    return _batch("银行代发", batch, month, lines=lines)
