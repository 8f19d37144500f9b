"""Dated lessons from the weekly timetable: dates, times, holidays, idempotent re-runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.journal.lessons import generate_lessons, sync_lessons
from storage.models import (
    Attendance,
    AuditEntry,
    Bell,
    CalendarEntry,
    CalendarKind,
    Discipline,
    Group,
    Lesson,
    Mark,
    Organisation,
    Period,
    Person,
    Student,
    Subgroup,
    TimetableEntry,
    WeekParity,
)


@dataclass
class College:
    org: Organisation
    group: Group
    other: Group
    subgroup: Subgroup
    period: Period
    teacher: Person
    substitute: Person
    maths: Discipline


@pytest.fixture
async def college(session: AsyncSession) -> College:
    org = Organisation(code="c1", name="College", timezone="Asia/Sakhalin")
    session.add(org)
    await session.flush()
    group = Group(org_id=org.id, name="ИС-21")
    other = Group(org_id=org.id, name="ТМ-31")
    teacher = Person(org_id=org.id, external_id="T001", last_name="Иванова", first_name="Анна")
    substitute = Person(org_id=org.id, external_id="T002", last_name="Петров", first_name="Олег")
    maths = Discipline(org_id=org.id, code="ЕН.01", name="Математика")
    # Two weeks: 2 Nov 2026 (ISO week 45, odd) .. 15 Nov 2026; 4 Nov is Unity Day.
    period = Period(
        org_id=org.id, name="Осень", starts_on=date(2026, 11, 2), ends_on=date(2026, 11, 15)
    )
    session.add_all([group, other, teacher, substitute, maths, period])
    session.add_all(
        [
            Bell(org_id=org.id, pair_no=1, starts=time(8, 30), ends=time(10, 0)),
            Bell(org_id=org.id, pair_no=2, starts=time(10, 10), ends=time(11, 40)),
        ]
    )
    await session.flush()
    subgroup = Subgroup(group_id=group.id, name="1")
    session.add(subgroup)
    await session.flush()
    return College(org, group, other, subgroup, period, teacher, substitute, maths)


def line(c: College, weekday: int, pair: int, **kw: object) -> TimetableEntry:
    values: dict[str, object] = {
        "org_id": c.org.id,
        "period_id": c.period.id,
        "group_id": c.group.id,
        "weekday": weekday,
        "pair_no": pair,
        "discipline_id": c.maths.id,
        "teacher_id": c.teacher.id,
        "room": "101",
    }
    values.update(kw)
    return TimetableEntry(**values)


async def lesson_dates(session: AsyncSession, entry: TimetableEntry) -> list[date]:
    rows = await session.scalars(
        select(Lesson.date).where(Lesson.timetable_entry_id == entry.id).order_by(Lesson.date)
    )
    return list(rows)


async def test_dates_parity_holidays_and_times(session: AsyncSession, college: College) -> None:
    c = college
    monday = line(c, 0, 1)
    wednesday_odd = line(c, 2, 2, parity=WeekParity.ODD)
    thursday_even = line(c, 3, 1, parity=WeekParity.EVEN, subgroup_id=c.subgroup.id)
    friday_other_group = line(c, 4, 1, group_id=c.other.id)
    session.add_all([monday, wednesday_odd, thursday_even, friday_other_group])
    await session.flush()

    created = await generate_lessons(session, c.org.id, c.period.id)

    assert await lesson_dates(session, monday) == [date(2026, 11, 2), date(2026, 11, 9)]
    assert await lesson_dates(session, wednesday_odd) == []  # 4 Nov: Unity Day
    assert await lesson_dates(session, thursday_even) == [date(2026, 11, 12)]
    assert await lesson_dates(session, friday_other_group) == [
        date(2026, 11, 6),
        date(2026, 11, 13),
    ]
    assert created == 5
    first = (
        await session.scalars(
            select(Lesson).where(Lesson.timetable_entry_id == monday.id).order_by(Lesson.date)
        )
    ).first()
    assert first is not None
    # 08:30 on Sakhalin (UTC+11) is 21:30 UTC the evening before.
    assert first.starts_at == datetime(2026, 11, 1, 21, 30, tzinfo=UTC)
    assert first.ends_at == datetime(2026, 11, 1, 23, 0, tzinfo=UTC)
    assert (first.group_id, first.teacher_id, first.room, first.hours) == (
        c.group.id,
        c.teacher.id,
        "101",
        2,
    )
    audit = (await session.scalars(select(AuditEntry).where(AuditEntry.entity == "lesson"))).all()
    assert [(a.action, a.changes["count"]) for a in audit] == [("create", [None, 5])]


async def test_rerun_updates_and_never_duplicates(session: AsyncSession, college: College) -> None:
    c = college
    monday = line(c, 0, 1)
    tuesday = line(c, 1, 1)
    session.add_all([monday, tuesday])
    await session.flush()
    assert await generate_lessons(session, c.org.id, c.period.id) == 4
    again = await sync_lessons(session, c.org.id, c.period.id)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)

    monday.teacher_id = c.substitute.id
    monday.room = "202"
    monday.pair_no = 2
    await session.flush()
    changed = await sync_lessons(session, c.org.id, c.period.id, source="import")
    assert (changed.created, changed.updated, changed.removed) == (0, 2, 0)
    substitute_id, monday_id = c.substitute.id, monday.id
    session.expire_all()
    lessons = (
        await session.scalars(select(Lesson).where(Lesson.timetable_entry_id == monday_id))
    ).all()
    assert {(x.teacher_id, x.room, x.pair_no) for x in lessons} == {(substitute_id, "202", 2)}
    assert lessons[0].starts_at.astimezone(UTC).time() == time(23, 10)
    total = len((await session.scalars(select(Lesson.id))).all())
    assert total == 4
    updates = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "update"))).all()
    assert len(updates) == 2
    assert updates[0].source == "import"
    assert updates[0].changes["room"] == ["101", "202"]


async def test_removed_line_keeps_lessons_with_journal_data(
    session: AsyncSession, college: College
) -> None:
    c = college
    monday = line(c, 0, 1)
    session.add(monday)
    await session.flush()
    await generate_lessons(session, c.org.id, c.period.id)
    first, _second = (
        await session.scalars(
            select(Lesson).where(Lesson.timetable_entry_id == monday.id).order_by(Lesson.date)
        )
    ).all()
    student_person = Person(org_id=c.org.id, external_id="S1", last_name="А", first_name="Б")
    session.add(student_person)
    await session.flush()
    student = Student(org_id=c.org.id, person_id=student_person.id, group_id=c.group.id)
    session.add(student)
    await session.flush()
    session.add(Attendance(lesson_id=first.id, student_id=student.id, mark=Mark.ABSENT))
    await session.execute(delete(TimetableEntry).where(TimetableEntry.id == monday.id))
    await session.flush()
    org_id, period_id, first_id = c.org.id, c.period.id, first.id
    session.expire_all()

    changes = await sync_lessons(session, org_id, period_id)

    assert (changes.removed, changes.kept) == (1, 1)
    left = (await session.scalars(select(Lesson.id))).all()
    assert left == [first_id]


async def test_group_vacation_and_working_saturday(session: AsyncSession, college: College) -> None:
    c = college
    # A vacation of one group only: the other group keeps its lessons.
    session.add(
        CalendarEntry(
            org_id=c.org.id,
            kind=CalendarKind.VACATION,
            name="Практика на предприятии",
            starts_on=date(2026, 11, 9),
            ends_on=date(2026, 11, 15),
            group_id=c.group.id,
        )
    )
    mine = line(c, 0, 1)
    theirs = line(c, 0, 1, group_id=c.other.id, teacher_id=c.substitute.id)
    saturday = line(c, 5, 1)
    session.add_all([mine, theirs, saturday])
    await session.flush()
    await generate_lessons(session, c.org.id, c.period.id)
    assert await lesson_dates(session, mine) == [date(2026, 11, 2)]
    assert await lesson_dates(session, theirs) == [date(2026, 11, 2), date(2026, 11, 9)]
    assert await lesson_dates(session, saturday) == [date(2026, 11, 7)]

    # A working Saturday (20 Feb 2027) takes the Saturday lines; Monday 22 Feb is a day off.
    spring = Period(
        org_id=c.org.id, name="Весна", starts_on=date(2027, 2, 15), ends_on=date(2027, 2, 28)
    )
    session.add(spring)
    await session.flush()
    spring_saturday = line(c, 5, 1, period_id=spring.id)
    spring_monday = line(c, 0, 1, period_id=spring.id)
    session.add_all([spring_saturday, spring_monday])
    await session.flush()
    await generate_lessons(session, c.org.id, spring.id)
    assert await lesson_dates(session, spring_saturday) == [date(2027, 2, 20), date(2027, 2, 27)]
    assert await lesson_dates(session, spring_monday) == [date(2027, 2, 15)]


async def test_wrong_period_is_refused(session: AsyncSession, college: College) -> None:
    with pytest.raises(ValueError):
        await generate_lessons(session, college.org.id + 1, college.period.id)


async def test_since_leaves_the_past_alone(session: AsyncSession, college: College) -> None:
    c = college
    monday = line(c, 0, 1)
    session.add(monday)
    await session.flush()
    await generate_lessons(session, c.org.id, c.period.id)
    monday.teacher_id = c.substitute.id
    await session.flush()
    changes = await sync_lessons(session, c.org.id, c.period.id, since=date(2026, 11, 9))
    assert (changes.created, changes.updated, changes.removed) == (0, 1, 0)
    rows = await session.execute(
        select(Lesson.date, Lesson.teacher_id)
        .order_by(Lesson.date)
        .execution_options(populate_existing=True)
    )
    assert list(rows) == [
        (date(2026, 11, 2), c.teacher.id),
        (date(2026, 11, 9), c.substitute.id),
    ]


async def test_resync_keeps_hours_the_teacher_recorded(
    session: AsyncSession, college: College
) -> None:
    """A changed timetable updates a lesson's hours only until its teacher recorded them."""
    c = college
    monday = line(c, 0, 1)
    session.add(monday)
    await session.flush()
    await generate_lessons(session, c.org.id, c.period.id)
    recorded, _untouched = (await session.scalars(select(Lesson).order_by(Lesson.date))).all()
    recorded.hours, recorded.topic = 3, "Дроби"
    recorded.topic_entered_at = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    monday.hours = 4
    await session.flush()
    await sync_lessons(session, c.org.id, c.period.id)
    session.expire_all()
    hours = (await session.scalars(select(Lesson.hours).order_by(Lesson.date))).all()
    assert hours == [3, 4]
