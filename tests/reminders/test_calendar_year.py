"""Deadlines that hold all year: the clock moves day by day through the New Year holidays, a
Monday holiday and a summer vacation, and the bot's digests, deadlines and edit window follow
the staff's working days (PRODUCT.md "Working days: whose days?").

Real dates of the production calendar: 31 December 2026 – 10 January 2027 are days off,
11 January 2027 is the first working day; Saturday 20 February 2027 is a working day and
Monday 22 February (its day off moved there) and Tuesday 23 February 2027 are days off.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise

import pytest
from sqlalchemy import select

from core.config import Settings
from core.errors import Denied
from keyboards.journal import LessonCb
from services.access import load_actor
from services.calendar.workdays import WorkCalendar, load_work_calendar
from services.journal import register
from services.reminders import deadlines as rules
from services.reminders.rules import WEEKLY
from services.reminders.scan import ScanMemo
from storage.models import (
    AbsenceJustification,
    Attendance,
    CalendarEntry,
    CalendarKind,
    DigestRange,
    Lesson,
    Mark,
    MovementOrder,
    OrderKind,
    OrderStudent,
    Role,
    SentReminder,
)
from tests.factories import College, add_lesson, add_member, add_person, add_student
from tests.reminders.kit import Factory, at, callbacks, link, messages, scan

COLLEGE_MONDAY_OFF = date(2027, 1, 25)  # the college's own day off, a Monday
SUMMER = (date(2027, 7, 1), date(2027, 8, 31))  # the students' vacation


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


async def walk(factory: Factory, settings: Settings, first: date, last: date) -> None:
    """Scan every day at the digests' hours; every other day the bot restarts between two
    scans of the same hour (a fresh memo), which must send nothing twice."""
    memo = ScanMemo()
    for n, day in enumerate(days(first, last)):
        for hour, minute in ((8, 0), (8, 30), (9, 0)):
            await scan(factory, settings, at(day, hour, minute), memo)
            if n % 2:
                await scan(factory, settings, at(day, hour, minute + 5), ScanMemo())


async def sent_on(factory: Factory, rule: str, person_id: int) -> list[date]:
    async with factory() as session:
        rows = await session.scalars(
            select(SentReminder.for_date)
            .where(SentReminder.rule == rule, SentReminder.person_id == person_id)
            .order_by(SentReminder.for_date)
        )
        return list(rows)


async def weekly_ranges(factory: Factory, college: College) -> list[tuple[date, date, date]]:
    async with factory() as session:
        rows = await session.execute(
            select(DigestRange.first_day, DigestRange.last_day, DigestRange.sent_at)
            .where(DigestRange.org_id == college.org.id, DigestRange.digest == WEEKLY)
            .order_by(DigestRange.first_day)
        )
        return [(a, b, (at_ + timedelta(hours=11)).date()) for a, b, at_ in rows]


def assert_continuous(ranges: list[tuple[date, date, date]]) -> None:
    for (_, last, _), (first, _, _) in pairwise(ranges):
        assert first == last + timedelta(days=1), ranges


async def _unexplained_absence(factory: Factory, college: College) -> None:
    """An absence without a reason: the curator hears of it every working day."""
    async with factory.begin() as session:
        session.add(
            Attendance(
                lesson_id=college.lessons.today.id,
                student_id=college.students[0].id,
                mark=Mark.ABSENT,
            )
        )


async def test_new_year_holidays_and_a_monday_holiday(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    curator = await link(session_factory, college.curator)
    teacher = await link(session_factory, college.teacher)
    await link(session_factory, college.deputy)
    await _unexplained_absence(session_factory, college)
    async with session_factory.begin() as session:
        session.add(
            CalendarEntry(
                org_id=college.org.id,
                kind=CalendarKind.HOLIDAY,
                name="День колледжа",
                starts_on=COLLEGE_MONDAY_OFF,
                ends_on=COLLEGE_MONDAY_OFF,
            )
        )
        before_holidays = await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=date(2026, 12, 30), pair_no=2,
        )  # fmt: skip
    first, last = date(2026, 12, 14), date(2027, 1, 31)
    await walk(session_factory, settings, first, last)

    # Every staff working day exactly one curator's digest: none in the holidays, none on the
    # college's Monday off, none twice after a restart.
    async with session_factory() as session:
        cal = await load_work_calendar(session, college.org.id)
    working = [d for d in days(first, last) if cal.is_working_day(d)]
    assert await sent_on(session_factory, "ABS", college.curator.id) == working
    assert date(2027, 1, 11) in working and COLLEGE_MONDAY_OFF not in working
    assert not any(date(2026, 12, 31) <= d <= date(2027, 1, 10) for d in working)
    assert len(await messages(session_factory, curator)) == len(working)

    # R1: the lesson of 30 December is due on 11 January, and the teacher is told so then.
    mine = await messages(session_factory, teacher)
    told = [m for m in mine if "30 Dec, pair 2 · ИС-21 · Математика — due today" in m.text]
    assert len(told) == 1
    assert (told[0].created_at + timedelta(hours=11)).date() == date(2027, 1, 11)
    assert LessonCb(id=before_holidays.id, do="new").pack() in callbacks(told[0])

    # The weekly digest moves to Tuesday after the Monday off; the week of the holidays has
    # no working day and no digest; the ranges follow each other without a gap.
    ranges = await weekly_ranges(session_factory, college)
    assert [sent for *_, sent in ranges] == [
        date(2026, 12, 14),
        date(2026, 12, 21),
        date(2026, 12, 28),
        date(2027, 1, 11),
        date(2027, 1, 18),
        date(2027, 1, 26),
    ]
    assert ranges[3][:2] == (date(2026, 12, 28), date(2027, 1, 10))
    assert ranges[5][:2] == (date(2027, 1, 18), date(2027, 1, 25))
    assert_continuous(ranges)


async def test_the_edit_window_covers_r1_after_the_holidays(
    session_factory: Factory, college: College
) -> None:
    """A lesson of 30 December: due 11 January (R1), still the teacher's on 12 January (late,
    and the store says when), closed after 7 working days (20 January)."""
    async with session_factory.begin() as session:
        lesson = await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=date(2026, 12, 30), pair_no=2,
        )  # fmt: skip
        late = await add_lesson(
            session, period=college.autumn, group=college.group, discipline=college.math,
            teacher=college.teacher, day=date(2026, 12, 30), pair_no=3,
        )  # fmt: skip
    async with session_factory.begin() as session:
        actor = await load_actor(session, college.teacher.id)
        await register.finalise_register(session, actor, lesson.id, at(date(2027, 1, 12), 10))
    async with session_factory.begin() as session:
        with pytest.raises(Denied, match="edit window of 7 working days has passed"):
            await register.finalise_register(session, actor, late.id, at(date(2027, 1, 21), 10))
    async with session_factory() as session:
        done_at = await session.scalar(
            select(Lesson.register_done_at).where(Lesson.id == lesson.id)
        )
        assert (
            await session.scalar(select(Lesson.register_done_at).where(Lesson.id == late.id))
            is None
        )
    assert done_at is not None
    deadline = rules.register_deadline(date(2026, 12, 30), actor.calendar)
    assert deadline == date(2027, 1, 11)
    assert rules.timeliness(deadline, (done_at + timedelta(hours=11)).date()) is rules.Done.LATE


async def test_a_summer_vacation_is_a_working_time_for_the_staff(
    session_factory: Factory, college: College, settings: Settings
) -> None:
    curator = await link(session_factory, college.curator)
    await link(session_factory, college.deputy)
    await _unexplained_absence(session_factory, college)
    async with session_factory.begin() as session:
        session.add(
            CalendarEntry(
                org_id=college.org.id,
                kind=CalendarKind.VACATION,
                name="Летние каникулы",
                starts_on=SUMMER[0],
                ends_on=SUMMER[1],
            )
        )
        student = college.students[0]
        session.add(
            AbsenceJustification(
                org_id=college.org.id, student_id=student.id,
                submitted_by=college.parents[student.id].id,
                date_from=date(2027, 6, 28), date_to=date(2027, 6, 30),
                submitted_at=at(date(2027, 6, 30), 12),
            )
        )  # fmt: skip
        admin = await add_person(session, college.org, "Зуева", "Нина")
        await add_member(session, admin, Role.ADMIN)
        newcomer = await add_student(session, college.group, "Новикова", "Вера")
        order = MovementOrder(
            org_id=college.org.id, number="41-к", year=2027, kind=OrderKind.ENROLMENT,
            decided_on=date(2027, 8, 25), effective_on=date(2027, 9, 1),
        )  # fmt: skip
        session.add(order)
        await session.flush()
        session.add(
            OrderStudent(order_id=order.id, student_id=newcomer.id, to_group_id=college.group.id)
        )
    office = await link(session_factory, admin)
    first, last = date(2027, 6, 21), date(2027, 9, 10)
    await walk(session_factory, settings, first, last)

    cal = WorkCalendar.from_entries(
        [CalendarEntry(kind=CalendarKind.VACATION, starts_on=SUMMER[0], ends_on=SUMMER[1])]
    )
    working = [d for d in days(first, last) if cal.is_working_day(d)]
    assert await sent_on(session_factory, "ABS", college.curator.id) == working
    assert sum(1 for d in working if SUMMER[0] <= d <= SUMMER[1]) == 44  # July and August

    # R4: a certificate sent on 30 June is due on 2 July, not after the vacation.
    texts = [m.text for m in await messages(session_factory, curator)]
    assert any("due 2 July" in text for text in texts)
    # R5: the enrolment order of 25 August: invites due on 30 August.
    office_texts = [m.text for m in await messages(session_factory, office)]
    assert any("order No. 41-к) — due 30 August" in text for text in office_texts)

    ranges = await weekly_ranges(session_factory, college)
    assert [sent.weekday() for *_, sent in ranges] == [0] * len(ranges)  # every Monday
    assert len(ranges) == 12
    assert_continuous(ranges)


def test_every_deadline_on_its_working_day() -> None:
    """R1–R9 on a college calendar with a summer vacation and a Monday off of its own."""

    cal = WorkCalendar.from_entries(
        [
            CalendarEntry(kind=CalendarKind.VACATION, starts_on=SUMMER[0], ends_on=SUMMER[1]),
            CalendarEntry(
                kind=CalendarKind.HOLIDAY, starts_on=COLLEGE_MONDAY_OFF, ends_on=COLLEGE_MONDAY_OFF
            ),
        ]
    )
    # R1: the next working day, over the New Year, a college day off and 22–23 February.
    assert rules.register_deadline(date(2026, 12, 30), cal) == date(2027, 1, 11)
    assert rules.register_deadline(date(2027, 1, 22), cal) == date(2027, 1, 26)
    assert rules.register_deadline(date(2027, 2, 19), cal) == date(2027, 2, 20)  # a working Sat
    assert rules.register_deadline(date(2027, 2, 20), cal) == date(2027, 2, 24)
    # The edit window reaches past R1 by at least a working day, whatever the setting.
    for lesson_day in (date(2026, 12, 30), date(2027, 1, 22), date(2027, 2, 20)):
        due = rules.register_deadline(lesson_day, cal)
        first = rules.editable_since(cal.add_working_days(due, 1), 0, cal)
        assert first <= lesson_day
    # R2, R9: on the lesson's day (a vacation day may hold an exam retake).
    assert rules.due_status(date(2027, 7, 5), date(2027, 7, 5)) is rules.Due.TODAY
    remote = {(1, date(2027, 2, 19))}  # a declared distance day on a working Saturday
    assert rules.distance_missing(1, date(2027, 2, 19), None, remote)
    # R3: reminded from 5 working days before the period's last day to 5 after.
    assert rules.attestation_window(date(2026, 12, 30), cal) == (
        date(2026, 12, 23),
        date(2027, 1, 15),
    )
    # R4: two working days from the document, through the vacation.
    assert rules.justification_deadline(date(2027, 6, 30), cal) == date(2027, 7, 2)
    # R5, R6: three working days from the order, through the vacation.
    assert rules.accounts_deadline(date(2027, 8, 25), cal) == date(2027, 8, 30)
    assert not rules.entered_late(date(2027, 8, 25), date(2027, 8, 30), cal)
    assert rules.entered_late(date(2027, 8, 25), date(2027, 8, 31), cal)
    # R7, R8: 1 and 2 September of the academic year being prepared from August.
    assert rules.curriculum_deadline(date(2027, 8, 18)) == date(2027, 9, 1)
    assert rules.documents_deadline(date(2027, 8, 20)) == date(2027, 9, 2)
    assert rules.documents_deadline(date(2028, 3, 1)) == date(2027, 9, 2)
