"""Due times on the official calendar (CAL-1 to CAL-4), and the campaign dates (WA-4).

The only place holiday data and the lunar calendar are read, so a package upgrade or a newly
loaded schedule never changes what a replayed workflow sees.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar
import lunardate
from sqlalchemy.engine import Engine
from temporalio import activity

from domain.calendar import due_for, end_of_day
from domain.campaign import CampaignDue, CampaignRequest, add_months
from domain.common import cst_date, utc
from domain.deadlines import DueRequest, DueResult
from store.calendar import Stamp, YearSchedule, load_schedules, stamp_of, stored_stamp


@cache
def package_version() -> str:
    # Read once: the package this process imported is the one it computes with, whatever an
    # upgrade on disk says until the process restarts.
    try:
        return f"chinesecalendar-{version('chinesecalendar')}"
    except PackageNotFoundError:
        return "chinesecalendar-unknown"


def calendar_version(schedules: dict[int, YearSchedule]) -> str:
    loaded = "".join(f"+{year}:{schedules[year].digest[:10]}" for year in sorted(schedules))
    return package_version() + loaded


class OfficialCalendar:
    """The package's schedule, overridden by schedules operators loaded.

    CAL-2: a year neither knows is counted with weekends only, and a result that touched such
    a year is provisional.
    """

    def __init__(
        self, schedules: dict[int, YearSchedule] | None = None, version: str | None = None
    ) -> None:
        self.schedules = schedules or {}
        self.version = version if version is not None else calendar_version(self.schedules)
        self.touched_unknown_year = False

    def is_workday(self, day: date) -> bool:
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            return schedule.is_workday(day)
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            self.touched_unknown_year = True
            return day.weekday() < 5


def spring_festival_eve(year: int) -> date:
    """The lunar new year's eve before the Spring Festival of `year` (known for any year)."""
    new_year: date = lunardate.LunarDate(year, 1, 1).to_solar_date()
    return new_year - timedelta(days=1)


class CalendarActivities:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # The schedules last loaded, with the stamp of exactly what they hold.
        self._loaded: tuple[Stamp, dict[int, YearSchedule], str] | None = None

    def calendar(self) -> OfficialCalendar:
        """The official calendar as stored now. Each call reads the stored years' digests (one
        small query) and loads the schedules again only when they differ from those held, so
        a year the sweep or an operator loads is seen by the next computation."""
        loaded = self._loaded
        if loaded is None or loaded[0] != stored_stamp(self._engine):
            schedules = load_schedules(self._engine)
            loaded = (stamp_of(schedules), schedules, calendar_version(schedules))
            # One assignment: the activity threads each see the old or the new triple whole.
            self._loaded = loaded
        return OfficialCalendar(loaded[1], version=loaded[2])

    @activity.defn
    def compute_due(self, request: DueRequest) -> DueResult:
        calendar = self.calendar()
        due = due_for(request, calendar.is_workday)
        return DueResult(
            due_at=utc(due),
            calendar_version=calendar.version,
            provisional=calendar.touched_unknown_year,
        )

    @activity.defn
    def campaign_dues(self, request: CampaignRequest) -> list[CampaignDue]:
        """WA-4: 3 months from opening, 31 December, and the Spring Festival eve after it."""
        opened = cst_date(request.opened_at)
        eve = spring_festival_eve(opened.year + 1)
        return [
            CampaignDue(name="campaign_3_months", due_at=utc(end_of_day(add_months(opened, 3)))),
            CampaignDue(
                name="campaign_year_end", due_at=utc(end_of_day(date(opened.year, 12, 31)))
            ),
            # Cleared before the eve begins: the day workers travel home.
            CampaignDue(
                name="campaign_spring_festival", due_at=utc(end_of_day(eve - timedelta(days=1)))
            ),
        ]
