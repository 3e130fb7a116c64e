"""WA-4 campaign clearance dates (三个清零), on top of a case's own deadline."""

from __future__ import annotations

import calendar
from datetime import date, datetime

from domain.common import StrictModel


class CampaignRequest(StrictModel):
    opened_at: datetime


class CampaignDue(StrictModel):
    name: str
    due_at: datetime


# Warn this many days before each campaign date.
CAMPAIGN_WARN_DAYS = {
    "campaign_3_months": 7,
    "campaign_year_end": 15,
    "campaign_spring_festival": 15,
}


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
