"""The deadline rules as plain functions, on dates the Russian production calendar really has:
Monday 9 March 2026 is the day off for 8 March (a Sunday), Wednesday 4 November 2026 is Unity
Day, Thursday 31 December 2026 is a day off moved from 4 January."""

from __future__ import annotations

from datetime import date, datetime, time

from services.calendar.workdays import WorkCalendar
from services.reminders import deadlines as rules
from services.reminders.deadlines import Due, Hours, SlotKind
from storage.models import CalendarKind
from tests.factories import SAKHALIN

CAL = WorkCalendar()
HOURS = Hours(time(8), time(17), time(8, 30), time(9), time(9), deputy_weekday=0)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SAKHALIN)


def kinds(now: datetime, cal: WorkCalendar = CAL) -> set[SlotKind]:
    return {slot.kind for slot in rules.due_slots(now, HOURS, cal)}


def test_justification_deadline_skips_the_weekend_and_the_public_holiday() -> None:
    # Sent on Friday 6 March 2026: Saturday, Sunday and Monday 9 March (the day off for
    # 8 March) do not count, so the two working days are Tuesday 10 and Wednesday 11 March.
    deadline = rules.justification_deadline(date(2026, 3, 6), CAL)
    assert deadline == date(2026, 3, 11)
    assert not rules.justification_due(date(2026, 3, 6), deadline, CAL)
    assert rules.justification_due(date(2026, 3, 10), deadline, CAL)  # the day before
    assert rules.due_status(deadline, date(2026, 3, 11)) is Due.TODAY
    assert rules.due_status(deadline, date(2026, 3, 12)) is Due.OVERDUE


def test_register_is_due_the_next_working_day() -> None:
    assert rules.register_deadline(date(2026, 11, 16), CAL) == date(2026, 11, 17)
    assert rules.register_deadline(date(2026, 11, 20), CAL) == date(2026, 11, 23)  # Fri → Mon
    assert rules.register_deadline(date(2026, 11, 3), CAL) == date(2026, 11, 5)  # over 4 Nov


def test_digests_come_at_their_hour_on_working_days_only() -> None:
    tuesday = date(2026, 11, 17)
    assert kinds(local(tuesday, 7, 59)) == set()
    assert kinds(local(tuesday, 8, 0)) == {SlotKind.TEACHER}
    assert kinds(local(tuesday, 9, 5)) == {
        SlotKind.TEACHER,
        SlotKind.CURATOR,
        SlotKind.ADMIN,
        SlotKind.DEPUTY,
    }
    assert SlotKind.TEACHER not in kinds(local(tuesday, 12, 1))  # too late to catch up
    assert kinds(local(tuesday, 17, 30)) == {SlotKind.LESSON_DAY}
    # Open until midnight: it waits for each teacher's last lesson of the day.
    assert kinds(local(tuesday, 23, 55)) == {SlotKind.LESSON_DAY}
    assert kinds(local(date(2026, 11, 21), 9, 0)) == set()  # Saturday
    assert kinds(local(date(2026, 11, 4), 9, 0)) == set()  # Unity Day


def test_the_college_calendar_counts_too() -> None:
    class Entry:
        def __init__(self, kind: CalendarKind, day: date) -> None:
            self.kind, self.starts_on, self.ends_on, self.group_id = kind, day, day, None

    cal = WorkCalendar.from_entries(
        [
            Entry(CalendarKind.HOLIDAY, date(2026, 11, 18)),
            Entry(CalendarKind.WORKDAY, date(2026, 11, 21)),
        ]
    )
    assert kinds(local(date(2026, 11, 18), 8), cal) == set()
    assert kinds(local(date(2026, 11, 21), 8), cal) == {SlotKind.TEACHER}
    assert rules.register_deadline(date(2026, 11, 17), cal) == date(2026, 11, 19)


def test_the_weekly_digest_moves_off_a_holiday_monday() -> None:
    assert rules.weekly_day(date(2026, 11, 18), 0, CAL) == date(2026, 11, 16)
    assert rules.weekly_day(date(2026, 3, 12), 0, CAL) == date(2026, 3, 10)  # 9 March off
    assert SlotKind.WEEKLY in kinds(local(date(2026, 3, 10), 9))
    assert SlotKind.WEEKLY not in kinds(local(date(2026, 3, 11), 9))


def test_attestation_window_around_the_last_day_of_the_period() -> None:
    # 31 December 2026 is itself a day off; five working days before it begin on 24 December.
    first, last = rules.attestation_window(date(2026, 12, 31), CAL)
    assert first == date(2026, 12, 24)
    assert last == date(2027, 1, 15)  # the New Year holidays do not count
    assert not rules.attestation_due(date(2026, 12, 23), date(2026, 12, 31), CAL)


def test_new_year_preparations() -> None:
    assert rules.curriculum_reminder(date(2026, 8, 17)) is None
    assert rules.curriculum_reminder(date(2026, 8, 18)) is Due.SOON
    assert rules.curriculum_reminder(date(2026, 9, 1)) is Due.TODAY
    assert rules.curriculum_reminder(date(2026, 9, 14)) is Due.OVERDUE
    assert rules.curriculum_reminder(date(2026, 10, 1)) is None
    assert rules.documents_reminder(date(2026, 8, 19), weekly=True) is None
    assert rules.documents_reminder(date(2026, 8, 20), weekly=False) is Due.SOON
    assert rules.documents_reminder(date(2026, 9, 2), weekly=False) is Due.TODAY
    assert rules.documents_reminder(date(2026, 9, 3), weekly=False) is None
    assert rules.documents_reminder(date(2026, 9, 7), weekly=True) is Due.OVERDUE
    assert rules.documents_deadline(date(2027, 3, 1)) == date(2026, 9, 2)


def test_orders_entered_late() -> None:
    # Decided on Friday 30 October 2026: three working days are 2, 3 and 5 November.
    assert not rules.entered_late(date(2026, 10, 30), date(2026, 11, 5), CAL)
    assert rules.entered_late(date(2026, 10, 30), date(2026, 11, 6), CAL)
    assert rules.accounts_deadline(date(2026, 10, 30), CAL) == date(2026, 11, 5)


def test_distance_day_of_a_group() -> None:
    online = {"mode": "online", "platform": "Сферум", "time": "09:00"}
    day = date(2026, 11, 16)
    days = {(1, day)}  # declared for group 1
    assert rules.distance_missing(1, day, None, days)  # its group was at a distance
    assert not rules.distance_missing(2, day, None, days)
    assert not rules.distance_missing(1, day, online, days)
    assert rules.distance_missing(2, day, {"mode": "online", "platform": "", "time": "9:00"}, days)


def test_weekly_ranges_follow_each_other() -> None:
    monday, tuesday = date(2026, 11, 16), date(2026, 11, 17)
    first = rules.digest_range(monday, None)
    assert first == (date(2026, 11, 9), date(2026, 11, 15))
    assert rules.digest_range(monday, first) == first  # worked out again after a restart
    # Moved to Tuesday by a holiday: from the day after the previous one to Monday.
    assert rules.digest_range(date(2026, 11, 24), first) == (date(2026, 11, 16), date(2026, 11, 23))
    # After a long stop: at most a month back.
    assert rules.digest_range(date(2027, 3, 1), first) == (date(2027, 1, 29), date(2027, 2, 28))
    assert rules.digest_range(tuesday, None) == (date(2026, 11, 10), date(2026, 11, 16))
