"""Clearance statistics for supervisors: per county, per week, and the WA-4 campaign dates."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query

from activities.calendar import spring_festival_eve
from api.access import visible_kinds
from api.deps import CurrentUser, SessionDep
from api.schemas import CampaignProgressPublic, CountyStatsPublic, StatsPage, WeekCountPublic
from domain import kinds
from store import stats as stats_store
from store.stats import CountyStats, StatsFilter


def _county(row: CountyStats) -> CountyStatsPublic:
    return CountyStatsPublic.model_validate(row, from_attributes=True)


router = APIRouter(prefix="/api/v1/stats", tags=["stats"])


@router.get("", response_model=StatsPage)
def get_clearance_stats(
    session: SessionDep,
    user: CurrentUser,
    county_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
    kind: kinds.KindName | None = None,
    weeks: Annotated[int, Query(ge=1, le=52, description="weeks in the weekly series")] = 12,
) -> StatsPage:
    """Open cases, amounts owed and recovered, the share settled within the case's own
    deadline, days to settle, overdue cases per county; cases opened and cleared per week;
    the cases left before 31 December and before the coming Spring Festival (WA-4). Only the
    caller's counties are counted; another county's code counts nothing."""
    now = datetime.now(UTC)
    flt = StatsFilter(
        now=now,
        counties=user.counties,
        county_code=county_code,
        kind=kind,
        kinds=visible_kinds(user),
        weeks=weeks,
    )
    result = stats_store.clearance_stats(session.connection(), flt, spring_festival_eve)
    return StatsPage(
        generated_at=now,
        counties=[_county(row) for row in result.counties],
        totals=_county(result.totals),
        weekly=[WeekCountPublic.model_validate(w, from_attributes=True) for w in result.weekly],
        campaign=[
            CampaignProgressPublic.model_validate(c, from_attributes=True) for c in result.campaign
        ],
    )
