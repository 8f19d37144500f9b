"""The working-day calendar: production calendar of Russia plus the college's own days."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.calendar.workdays import WorkCalendar, load_work_calendar
from storage.models import CalendarEntry, CalendarKind, Group, Organisation

RU = WorkCalendar()


@dataclass
class Span:
    kind: CalendarKind
    starts_on: date
    ends_on: date
    group_id: int | None = None


def test_weekend_is_not_a_working_day() -> None:
    assert not RU.is_working_day(date(2026, 9, 5))  # Saturday
    assert not RU.is_working_day(date(2026, 9, 6))  # Sunday
    assert RU.is_working_day(date(2026, 9, 7))  # Monday
    assert not RU.is_holiday(date(2026, 9, 5))  # a weekend is not a holiday: lessons may run


def test_public_holidays_are_days_off() -> None:
    unity_day = date(2026, 11, 4)  # Wednesday
    assert not RU.is_working_day(unity_day)
    assert RU.is_holiday(unity_day)
    for day in range(1, 9):  # New Year holidays
        assert not RU.is_working_day(date(2027, 1, day))
    assert RU.is_working_day(date(2027, 1, 11))


def test_transferred_days_off() -> None:
    # Days off moved by decree from a weekend to a weekday.
    assert not RU.is_working_day(date(2025, 11, 3))  # Monday, from Saturday 1 November
    assert not RU.is_working_day(date(2026, 1, 9))  # Friday, from Saturday 3 January
    assert not RU.is_working_day(date(2026, 12, 31))  # Thursday, from Sunday 4 January
    assert not RU.is_working_day(date(2027, 2, 22))  # Monday, from Saturday 20 February
    assert RU.is_holiday(date(2027, 2, 22))


def test_working_saturdays() -> None:
    assert RU.is_working_day(date(2025, 11, 1))
    assert RU.is_working_day(date(2027, 2, 20))
    # 2026 has none: its moved days off came from days that were holidays already.
    assert not RU.is_working_day(date(2026, 1, 3))
    assert not any(
        RU.is_working_day(date.fromordinal(n))
        for n in range(date(2026, 1, 1).toordinal(), date(2027, 1, 1).toordinal())
        if date.fromordinal(n).weekday() >= 5
    )


def test_add_and_count_working_days() -> None:
    # Friday 30 October 2026 + 2 working days: Monday 2 Nov, Tuesday 3 Nov (4 Nov is a holiday).
    assert RU.add_working_days(date(2026, 10, 30), 2) == date(2026, 11, 3)
    assert RU.add_working_days(date(2026, 11, 3), 1) == date(2026, 11, 5)
    assert RU.add_working_days(date(2026, 11, 5), -1) == date(2026, 11, 3)
    assert RU.add_working_days(date(2026, 11, 4), 0) == date(2026, 11, 4)
    # 31 Dec 2026 .. 11 Jan 2027: the first working day of 2027 is Monday 11 January.
    assert RU.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 11)
    assert RU.working_days_between(date(2026, 12, 30), date(2027, 1, 11)) == 1
    assert RU.working_days_between(date(2027, 1, 11), date(2026, 12, 30)) == -1
    start = date(2026, 10, 28)
    for n in range(12):
        assert RU.working_days_between(start, RU.add_working_days(start, n)) == n


def test_college_vacation_holiday_and_extra_workday() -> None:
    cal = WorkCalendar.from_entries(
        [
            Span(CalendarKind.VACATION, date(2027, 1, 11), date(2027, 1, 17)),
            Span(CalendarKind.HOLIDAY, date(2026, 10, 15), date(2026, 10, 15)),
            Span(CalendarKind.WORKDAY, date(2026, 10, 17), date(2026, 10, 17)),  # Saturday
            Span(CalendarKind.SESSION, date(2026, 12, 21), date(2026, 12, 30)),
            Span(CalendarKind.VACATION, date(2026, 12, 1), date(2026, 12, 5), group_id=7),
        ]
    )
    # A student vacation is a working day for the staff, without classes.
    assert cal.is_working_day(date(2027, 1, 11))
    assert not cal.is_holiday(date(2027, 1, 11))
    assert not cal.has_classes(date(2027, 1, 11))
    assert cal.has_classes(date(2027, 1, 18))
    assert not cal.is_working_day(date(2026, 10, 15))
    assert not cal.has_classes(date(2026, 10, 15))
    assert cal.is_working_day(date(2026, 10, 17))
    assert cal.is_working_day(date(2026, 12, 21))  # a session: staff work, no timetable
    assert not cal.has_classes(date(2026, 12, 21))
    assert cal.has_classes(date(2026, 12, 2))  # another group's vacation
    assert cal.add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 11)

    group_cal = WorkCalendar.from_entries(
        [Span(CalendarKind.VACATION, date(2026, 12, 1), date(2026, 12, 5), group_id=7)], 7
    )
    assert group_cal.is_working_day(date(2026, 12, 2))
    assert not group_cal.has_classes(date(2026, 12, 2))


def test_deadlines_run_through_a_summer_vacation() -> None:
    """The issue's cases: a vacation does not stretch staff deadlines."""
    cal = WorkCalendar.from_entries(
        [Span(CalendarKind.VACATION, date(2027, 6, 28), date(2027, 8, 31))]
    )
    # A certificate sent on Wednesday 30 June 2027 is due two working days later, 2 July.
    assert cal.add_working_days(date(2027, 6, 30), 2) == date(2027, 7, 2)
    # An enrolment order of Wednesday 25 August 2027: three working days, Monday 30 August.
    assert cal.add_working_days(date(2027, 8, 25), 3) == date(2027, 8, 30)
    assert not cal.has_classes(date(2027, 7, 1))


async def test_load_work_calendar_from_the_store(session: AsyncSession) -> None:
    org = Organisation(code="c1", name="College")
    session.add(org)
    await session.flush()
    group = Group(org_id=org.id, name="ИС-21")
    session.add(group)
    await session.flush()
    session.add_all(
        [
            CalendarEntry(
                org_id=org.id,
                kind=CalendarKind.VACATION,
                name="Зимние каникулы",
                starts_on=date(2027, 1, 11),
                ends_on=date(2027, 1, 17),
            ),
            CalendarEntry(
                org_id=org.id,
                kind=CalendarKind.HOLIDAY,
                name="Практика",
                starts_on=date(2026, 12, 1),
                ends_on=date(2026, 12, 1),
                group_id=group.id,
            ),
        ]
    )
    await session.flush()
    college = await load_work_calendar(session, org.id)
    of_group = await load_work_calendar(session, org.id, group.id)
    assert college.is_working_day(date(2027, 1, 12))
    assert not college.has_classes(date(2027, 1, 12))
    assert college.has_classes(date(2026, 12, 1))
    assert of_group.is_working_day(date(2026, 12, 1))  # a group's day off is the group's only
    assert not of_group.has_classes(date(2026, 12, 1))
    assert not of_group.has_classes(date(2027, 1, 12))
