"""Admin: region settings, the configurable values of the rules per county (admins only).

WA-10/WA-11's province amounts (within the ranges SPC 2013 Art.3 allows) and MA-8's local
monthly minimum wage among them. A case reads its county's settings when it opens; an award
is judged against the minimum wage in force when it is recorded and keeps that figure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import structlog
from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from api.auth import require_roles
from api.deps import EngineDep
from domain.common import Role, StrictModel
from domain.regions import RegionSettings
from store import regions as store

log = structlog.get_logger("api.regions")

router = APIRouter(
    prefix="/api/v1/admin/regions", tags=["admin"], dependencies=[require_roles(Role.admin)]
)

County = Annotated[str, Path(pattern=r"^\d{6}$", description="GB/T 2260 division code")]
Amount = Decimal


class RegionSettingsUpdate(StrictModel):
    """The values to change; an omitted field is left as it is, null returns it to the
    default of RULES.md."""

    major_worker_count: int | None = Field(default=None, ge=2, le=1000)
    major_amount_threshold: Amount | None = Field(default=None, gt=0, max_digits=14)
    order_to_pay_days: int | None = Field(default=None, ge=1, le=60)
    # WA-10, WA-11 (SPC 2013 Art.3): the province's amount, set within 5 000-20 000, and its
    # cumulative amount for 10+ workers, set within 30 000-100 000.
    police_threshold_individual: Amount | None = Field(default=None, ge=5000, le=20000)
    police_threshold_group: Amount | None = Field(default=None, ge=30000, le=100000)
    # MA-8: the local monthly minimum wage.
    monthly_minimum_wage: Amount | None = Field(
        default=None, gt=0, le=100000, max_digits=10, decimal_places=2
    )
    medical_waiting_period_months: int | None = Field(default=None, ge=0, le=6)


@router.get("/{county_code}", response_model=RegionSettings)
async def get_region_settings(county_code: County, engine: EngineDep) -> RegionSettings:
    return await run_in_threadpool(store.load, engine, county_code)


@router.put("/{county_code}", response_model=RegionSettings)
async def put_region_settings(
    county_code: County, body: RegionSettingsUpdate, engine: EngineDep
) -> RegionSettings:
    changes = body.model_dump(exclude_unset=True)
    settings = await run_in_threadpool(store.save, engine, county_code, changes)
    log.info("region settings changed", county_code=county_code, fields=sorted(changes))
    return settings
