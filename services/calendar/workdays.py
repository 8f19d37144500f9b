"""Working days: the Russian production calendar plus the college's own calendar.

The production calendar comes from the ``holidays`` package (``holidays.RU``): its public
holidays include the New Year holidays and the days off transferred by government decree
("Выходной (перенесено с …)"), and its ``weekend_workdays`` are the Saturdays and Sundays the
same decrees turn into working days. The college adds its own rows (``CalendarEntry``):
HOLIDAY and VACATION ranges are days off, WORKDAY ranges are extra working days and win over
everything else (the college decided to work that day). A calendar built for a group also
takes that group's own entries; the college-wide calendar ignores group-specific rows.

Two questions, two methods: ``is_working_day`` answers "does the working-day count of a
deadline include this date" (weekends count as days off); ``is_holiday`` answers "is this date
free of lessons whatever its weekday" (a public holiday, a transferred day off, a college
holiday or vacation), which is what lesson generation needs for six-day-week colleges.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Protocol

import holidays
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CalendarEntry, CalendarKind

DAYS_OFF_KINDS = frozenset({CalendarKind.HOLIDAY, CalendarKind.VACATION})


class CalendarSpan(Protocol):
    """What a calendar needs of a ``CalendarEntry`` (so plain rows and dataclasses do too)."""

    @property
    def kind(self) -> CalendarKind: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date: ...
    @property
    def group_id(self) -> int | None: ...


@lru_cache(maxsize=32)
def production_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off (holidays and transferred days off) and working weekend days of a year.

    Neighbouring years are populated too: a decree of one year may move a day of the next.
    """
    ru = holidays.country_holidays("RU", years=range(year - 1, year + 2))
    days_off = frozenset(d for d in ru if d.year == year)
    workdays = frozenset(d for d in ru.weekend_workdays if d.year == year)
    return days_off, workdays


def _days(start: date, end: date) -> Iterable[date]:
    for n in range((end - start).days + 1):
        yield start + timedelta(days=n)


class WorkCalendar:
    """The production calendar overlaid with a college's (and optionally a group's) calendar."""

    def __init__(self, days_off: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        self._days_off = frozenset(days_off)
        self._workdays = frozenset(workdays)

    @classmethod
    def from_entries(
        cls, entries: Iterable[CalendarSpan], group_id: int | None = None
    ) -> WorkCalendar:
        """College-wide entries plus, when ``group_id`` is given, that group's own entries."""
        days_off: set[date] = set()
        workdays: set[date] = set()
        for entry in entries:
            if entry.group_id is not None and entry.group_id != group_id:
                continue
            if entry.kind in DAYS_OFF_KINDS:
                days_off.update(_days(entry.starts_on, entry.ends_on))
            elif entry.kind == CalendarKind.WORKDAY:
                workdays.update(_days(entry.starts_on, entry.ends_on))
        return cls(days_off, workdays)

    def is_public_holiday(self, d: date) -> bool:
        """A public holiday or a transferred day off of the production calendar."""
        return d in production_year(d.year)[0]

    def is_holiday(self, d: date) -> bool:
        """No lessons whatever the weekday: a public or college holiday, a vacation day."""
        if d in self._workdays:
            return False
        return d in self._days_off or self.is_public_holiday(d)

    def is_working_day(self, d: date) -> bool:
        if d in self._workdays:
            return True
        if d in self._days_off:
            return False
        days_off, weekend_workdays = production_year(d.year)
        if d.weekday() >= 5:
            return d in weekend_workdays
        return d not in days_off

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (before it when n < 0); ``d`` itself when n = 0."""
        step = timedelta(days=1 if n >= 0 else -1)
        left = abs(n)
        while left:
            d += step
            if self.is_working_day(d):
                left -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with a < d <= b (negative when b is before a).

        The inverse of ``add_working_days``: ``working_days_between(a, add_working_days(a, n))
        == n`` for n >= 0.
        """
        if b < a:
            return -self.working_days_between(b, a)
        return sum(1 for d in _days(a + timedelta(days=1), b) if self.is_working_day(d))


async def load_work_calendar(
    session: AsyncSession, org_id: int, group_id: int | None = None
) -> WorkCalendar:
    """The calendar of a college, or of one of its groups."""
    scope: ColumnElement[bool] = CalendarEntry.group_id.is_(None)
    if group_id is not None:
        scope = or_(scope, CalendarEntry.group_id == group_id)
    rows = await session.execute(select(CalendarEntry).where(CalendarEntry.org_id == org_id, scope))
    return WorkCalendar.from_entries(rows.scalars(), group_id)
