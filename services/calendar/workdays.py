"""Working days: the Russian production calendar plus the college's own calendar.

Whose day is it? Two kinds of days off are kept apart (PRODUCT.md, "Working days: whose days?"):

* **no one works**: weekends, public holidays and the days off transferred by government decree
  (the ``holidays`` package, ``holidays.RU``; its ``weekend_workdays`` are the Saturdays and
  Sundays the same decrees turn into working days), and the college's own HOLIDAY entries.
  A WORKDAY entry wins over all of these (the college decided to work that day). Staff
  deadlines (R1–R8), the reminders about them and the digests count these **staff working
  days** (``is_working_day``, ``add_working_days``).
* **no classes**: student vacations (VACATION), practice weeks (PRACTICE) and session weeks
  (SESSION). Teachers, curators and the office work on them; only lessons of the timetable
  stop. A calendar built for a group also takes that group's own entries (a group's HOLIDAY is
  a day without its classes, not a day off for the staff); the college-wide calendar ignores
  group rows.

``is_holiday`` answers "is this date free of work whatever its weekday" and ``has_classes``
"may the timetable put a lesson on this date" (weekdays are the timetable's business, so a
six-day college's Saturday has classes). Lesson generation asks ``has_classes``.
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

NO_CLASSES_KINDS = frozenset({CalendarKind.VACATION, CalendarKind.PRACTICE, CalendarKind.SESSION})


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

    def __init__(
        self,
        days_off: Iterable[date] = (),
        workdays: Iterable[date] = (),
        no_classes: Iterable[date] = (),
    ) -> None:
        self._days_off = frozenset(days_off)
        self._workdays = frozenset(workdays)
        self._no_classes = frozenset(no_classes)

    @classmethod
    def from_entries(
        cls, entries: Iterable[CalendarSpan], group_id: int | None = None
    ) -> WorkCalendar:
        """College-wide entries plus, when ``group_id`` is given, that group's own entries."""
        days_off: set[date] = set()
        workdays: set[date] = set()
        no_classes: set[date] = set()
        for entry in entries:
            if entry.group_id is not None and entry.group_id != group_id:
                continue
            days = _days(entry.starts_on, entry.ends_on)
            if entry.kind in NO_CLASSES_KINDS:
                no_classes.update(days)
            elif entry.kind == CalendarKind.HOLIDAY and entry.group_id is not None:
                no_classes.update(days)  # the group's own day without classes
            elif entry.kind == CalendarKind.HOLIDAY:
                days_off.update(days)
            elif entry.kind == CalendarKind.WORKDAY:
                workdays.update(days)
        return cls(days_off, workdays, no_classes)

    def is_public_holiday(self, d: date) -> bool:
        """A public holiday or a transferred day off of the production calendar."""
        return d in production_year(d.year)[0]

    def is_holiday(self, d: date) -> bool:
        """No one works whatever the weekday: a public or college holiday (not a vacation)."""
        if d in self._workdays:
            return False
        return d in self._days_off or self.is_public_holiday(d)

    def has_classes(self, d: date) -> bool:
        """The timetable may hold lessons on ``d``: not a holiday, not in a vacation, practice
        or session (an extra working day inside a vacation stays without classes)."""
        return not self.is_holiday(d) and d not in self._no_classes

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
