"""Valid test data: identity numbers with correct check characters, intakes, actors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from domain.common import Actor, Role, cst_date


def today() -> date:
    """Today's legal date: the day in China (UTC+8), which from 16:00 UTC is tomorrow's."""
    return cst_date(datetime.now(UTC))


COUNTY = "140105"  # 小店区, Taiyuan
OTHER_COUNTY = "140106"
EMPLOYER_CODE = "91350100M000100Y43"
CONTRACTOR_CODE = "91110000600037341L"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(serial: int, birth: str = "19900101", region: str = "140105") -> str:
    body = f"{region}{birth}{serial % 1000:03d}"
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
    return body + check


def worker(serial: int, amount: str = "3000.00", **extra: Any) -> dict[str, Any]:
    return {
        "name": f"工人{serial}",
        "id_number": resident_id(serial),
        "mobile": f"139{serial:08d}",
        "amount_owed": amount,
        **extra,
    }


def actor(
    role: Role | str = Role.mediator, county: str = COUNTY, id: str | None = None
) -> dict[str, Any]:
    role = Role(role)
    return Actor(id=id or f"{role.value}-01", role=role, county_code=county).model_dump(mode="json")


def intake(workers: int = 2, amount: str = "3000.00", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source": "complaint",
        "county_code": COUNTY,
        "employer": {"name": "太原某建筑劳务有限公司", "credit_code": EMPLOYER_CODE},
        "sector": "construction",
        "workers": [worker(i + 1, amount) for i in range(workers)],
        "summary": "工人投诉拖欠三个月工资",
        "opened_by": actor(Role.mediator),
    }
    data.update(overrides)
    return data


def payment(
    worker_no: int = 1, amount: str = "500.00", reason: str = "employer paid at the bureau"
) -> dict[str, Any]:
    """The body of a mediator's `record_payment`."""
    return {
        "actor": actor(Role.mediator),
        "reason": reason,
        "worker_no": worker_no,
        "amount": amount,
        "paid_on": "2026-11-20",
    }


def clue_above_threshold() -> dict[str, Any]:
    """A platform clue on a construction project that can climb the whole ladder: one worker
    owed 8 000 for 4 months."""
    data = intake(
        workers=1,
        amount="8000.00",
        project=construction_project(),
        source="platform_clue",
        clue_number="QX-2026-0001",
    )
    data["workers"][0]["months_owed"] = 4  # WA-10: 3+ months and at least 5 000
    return data


def construction_project(deposit: str = "50000.00") -> dict[str, Any]:
    return {
        "name": "某小区二期工程",
        "general_contractor": {"name": "某建工集团有限公司", "credit_code": CONTRACTOR_CODE},
        "guarantee_deposit": deposit,
    }


def money(value: str) -> Decimal:
    return Decimal(value)
