"""Queries of the diary: one student's lessons, grades and attendance.

A week of one student is four index lookups whatever its size: the student with group and
college zone, the group's lessons of the dates (``ix_lessons_group_date``), then the student's
grades and marks on exactly those lessons (``ix_grades_lesson``, the attendance unique key).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Select, bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AbsenceReason,
    Attendance,
    CalendarEntry,
    CalendarKind,
    Discipline,
    Grade,
    Group,
    Lesson,
    Mark,
    Organisation,
    Period,
    PeriodGrade,
    Student,
    SubgroupMember,
)


@dataclass(frozen=True)
class StudentRow:
    student: Student  # with its person
    group_name: str
    timezone: str


@dataclass(frozen=True)
class LessonRow:
    lesson: Lesson
    discipline_name: str


@dataclass(frozen=True)
class GradeRow:
    grade: Grade
    lesson_date: date
    discipline_id: int
    discipline_name: str


@dataclass(frozen=True)
class MissRow:
    """An absence or a lateness of the student on a lesson."""

    mark: Mark
    reason: AbsenceReason | None
    lesson_date: date
    hours: int
    discipline_name: str


# The statements every diary screen runs are built once, with their values bound per call:
# building a statement (its comparisons, joins, coercions) cost more than SQLite running it.
_STUDENT_ROW = (
    select(Student, Group.name, Organisation.timezone)
    .join(Organisation, Organisation.id == Student.org_id)
    .outerjoin(Group, Group.id == Student.group_id)
    .where(Student.id == bindparam("student_id"))
)


async def student_row(session: AsyncSession, student_id: int) -> StudentRow | None:
    row = (await session.execute(_STUDENT_ROW, {"student_id": student_id})).first()
    if row is None:
        return None
    student, group_name, timezone = row
    return StudentRow(student, group_name or "", timezone)


def _lessons_of(student_id: int, group_id: int) -> ColumnElement[bool]:
    """The group's lessons for everyone plus those of the student's subgroups."""
    mine = select(SubgroupMember.subgroup_id).where(SubgroupMember.student_id == student_id)
    return (Lesson.group_id == group_id) & or_(
        Lesson.subgroup_id.is_(None), Lesson.subgroup_id.in_(mine)
    )


_LESSONS_BETWEEN = (
    select(Lesson, Discipline.name)
    .join(Discipline, Discipline.id == Lesson.discipline_id)
    .where(
        (Lesson.group_id == bindparam("group_id"))
        & or_(
            Lesson.subgroup_id.is_(None),
            Lesson.subgroup_id.in_(
                select(SubgroupMember.subgroup_id).where(
                    SubgroupMember.student_id == bindparam("student_id")
                )
            ),
        ),
        Lesson.date >= bindparam("first"),
        Lesson.date <= bindparam("last"),
    )
    .order_by(Lesson.date, Lesson.starts_at, Lesson.pair_no, Lesson.id)
)


async def lessons_between(
    session: AsyncSession, student_id: int, group_id: int, first: date, last: date
) -> list[LessonRow]:
    rows = await session.execute(
        _LESSONS_BETWEEN,
        {"student_id": student_id, "group_id": group_id, "first": first, "last": last},
    )
    return [LessonRow(lesson, name) for lesson, name in rows]


async def lesson_of_student(
    session: AsyncSession, student_id: int, group_id: int, lesson_id: int
) -> LessonRow | None:
    row = (
        await session.execute(
            select(Lesson, Discipline.name)
            .join(Discipline, Discipline.id == Lesson.discipline_id)
            .where(Lesson.id == lesson_id, _lessons_of(student_id, group_id))
        )
    ).first()
    return LessonRow(row[0], row[1]) if row else None


_GRADES_ON = (
    select(Grade)
    .where(
        Grade.lesson_id.in_(bindparam("lesson_ids", expanding=True)),
        Grade.student_id == bindparam("student_id"),
    )
    .order_by(Grade.lesson_id, Grade.id)
)
_ATTENDANCE_ON = select(Attendance).where(
    Attendance.lesson_id.in_(bindparam("lesson_ids", expanding=True)),
    Attendance.student_id == bindparam("student_id"),
)


async def grades_on(
    session: AsyncSession, student_id: int, lesson_ids: Sequence[int]
) -> Sequence[Grade]:
    if not lesson_ids:
        return []
    values = {"lesson_ids": list(lesson_ids), "student_id": student_id}
    return (await session.scalars(_GRADES_ON, values)).all()


async def attendance_on(
    session: AsyncSession, student_id: int, lesson_ids: Sequence[int]
) -> Sequence[Attendance]:
    if not lesson_ids:
        return []
    values = {"lesson_ids": list(lesson_ids), "student_id": student_id}
    return (await session.scalars(_ATTENDANCE_ON, values)).all()


def _days_off(for_group: ColumnElement[bool]) -> Select[CalendarEntry]:
    return (
        select(CalendarEntry)
        .where(
            CalendarEntry.org_id == bindparam("org_id"),
            CalendarEntry.starts_on <= bindparam("last"),
            CalendarEntry.ends_on >= bindparam("first"),
            CalendarEntry.kind.in_([CalendarKind.HOLIDAY, CalendarKind.VACATION]),
            for_group,
        )
        .order_by(CalendarEntry.starts_on, CalendarEntry.id)
    )


_DAYS_OFF_OF_COLLEGE = _days_off(CalendarEntry.group_id.is_(None))
_DAYS_OFF_OF_GROUP = _days_off(
    or_(CalendarEntry.group_id.is_(None), CalendarEntry.group_id == bindparam("group_id"))
)


async def days_off(
    session: AsyncSession, org_id: int, group_id: int | None, first: date, last: date
) -> Sequence[CalendarEntry]:
    """Holidays and vacations of the college (or of the group) overlapping the dates."""
    values: dict[str, object] = {"org_id": org_id, "first": first, "last": last}
    statement = _DAYS_OFF_OF_COLLEGE
    if group_id is not None:
        statement, values["group_id"] = _DAYS_OFF_OF_GROUP, group_id
    return (await session.scalars(statement, values)).all()


async def period_on(session: AsyncSession, org_id: int, day: date) -> Period | None:
    """The period holding ``day``; between periods, the last one begun before it."""
    rows = await session.scalars(
        select(Period)
        .where(Period.org_id == org_id, Period.starts_on <= day)
        .order_by(Period.starts_on.desc(), Period.id.desc())
        .limit(2)
    )
    begun = rows.all()
    holding = [p for p in begun if p.ends_on >= day]
    return holding[0] if holding else (begun[0] if begun else None)


async def grades_in_period(
    session: AsyncSession, student_id: int, period_id: int
) -> list[GradeRow]:
    """The student's current grades on lessons of the period, in lesson order. Grades given
    in an earlier group count too: they are the student's."""
    rows = await session.execute(
        select(Grade, Lesson.date, Discipline.id, Discipline.name)
        .join(Lesson, Lesson.id == Grade.lesson_id)
        .join(Discipline, Discipline.id == Grade.discipline_id)
        .where(Grade.student_id == student_id, Lesson.period_id == period_id)
        .order_by(Lesson.date, Lesson.starts_at, Grade.id)
    )
    return [GradeRow(*row) for row in rows]


async def disciplines_in_period(
    session: AsyncSession, student_id: int, group_id: int, period_id: int
) -> list[tuple[int, str]]:
    """Disciplines the student has lessons of in the period, by name."""
    rows = await session.execute(
        select(Discipline.id, Discipline.name)
        .where(
            Discipline.id.in_(
                select(Lesson.discipline_id).where(
                    _lessons_of(student_id, group_id), Lesson.period_id == period_id
                )
            )
        )
        .order_by(Discipline.name, Discipline.id)
    )
    return [(i, n) for i, n in rows]


async def period_grades(
    session: AsyncSession, student_id: int, period_id: int
) -> Sequence[PeriodGrade]:
    rows = await session.scalars(
        select(PeriodGrade).where(
            PeriodGrade.student_id == student_id, PeriodGrade.period_id == period_id
        )
    )
    return rows.all()


async def misses_in_period(session: AsyncSession, student_id: int, period_id: int) -> list[MissRow]:
    """Absences and latenesses of the student on held lessons of the period, oldest first."""
    rows = await session.execute(
        select(Attendance.mark, Attendance.reason, Lesson.date, Lesson.hours, Discipline.name)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .where(
            Attendance.student_id == student_id,
            Attendance.mark != Mark.PRESENT,
            Lesson.period_id == period_id,
            Lesson.cancelled.is_(False),
        )
        .order_by(Lesson.date, Lesson.starts_at)
    )
    return [MissRow(*row) for row in rows]
