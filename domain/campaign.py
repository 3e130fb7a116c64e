"""WA-4 campaign clearance dates (三个清零), on top of a case's own deadline."""

from __future__ import annotations

import calendar
import hashlib
from datetime import date, datetime, timedelta

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


# WA-4: a warning, not a legal time, so each case's campaign warnings come earlier by up to a
# day, by a hash of its id: a province's cases are warned over a day, not in one second. The
# due times (the breach records) stay where the rule puts them (docs/RULES-notes.md).
WARNING_SPREAD = timedelta(days=1)


def warning_spread_seconds(case_id: str) -> int:
    digest = hashlib.sha256(case_id.encode()).digest()
    return int.from_bytes(digest[:4], "big") % int(WARNING_SPREAD.total_seconds())


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
