"""What the curator's group overview and the monthly group statement read: the group's
students, their absences (hours by reason) and current grades of a span of dates, and their
period grades. Grouped in the store, one query each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AbsenceReason,
    Attendance,
    Discipline,
    Grade,
    GradeKind,
    Lesson,
    Mark,
    Period,
    PeriodGrade,
    Person,
    Student,
    StudentStatus,
)


@dataclass(frozen=True)
class StudentName:
    student_id: int
    name: str  # "Фамилия Имя Отчество"


async def students(session: AsyncSession, group_id: int) -> list[StudentName]:
    """The group's students studying now, in name order."""
    rows = await session.execute(
        select(Student.id, Person.last_name, Person.first_name, Person.middle_name)
        .join(Person, Person.id == Student.person_id)
        .where(Student.group_id == group_id, Student.status == StudentStatus.STUDYING)
    )
    found = [
        StudentName(sid, " ".join(p for p in (last, first, middle) if p))
        for sid, last, first, middle in rows
    ]
    return sorted(found, key=lambda s: (s.name.casefold().replace("ё", "е"), s.student_id))


async def absence_hours(
    session: AsyncSession, group_id: int, first: date, last: date
) -> dict[tuple[int, AbsenceReason | None], int]:
    """(student, reason) → hours absent at the group's lessons held in the span."""
    rows = await session.execute(
        select(Attendance.student_id, Attendance.reason, func.sum(Lesson.hours))
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(
            Lesson.group_id == group_id,
            Lesson.date >= first,
            Lesson.date <= last,
            Lesson.cancelled.is_(False),
            Attendance.mark == Mark.ABSENT,
        )
        .group_by(Attendance.student_id, Attendance.reason)
    )
    return {(sid, reason): int(hours or 0) for sid, reason, hours in rows}


async def current_grades(
    session: AsyncSession, group_id: int, first: date, last: date
) -> list[tuple[int, int, str, str]]:
    """(student, discipline id, discipline name, value) of current grades given at the group's
    lessons of the span."""
    rows = await session.execute(
        select(Grade.student_id, Discipline.id, Discipline.name, Grade.value)
        .join(Lesson, Lesson.id == Grade.lesson_id)
        .join(Discipline, Discipline.id == Grade.discipline_id)
        .where(
            Lesson.group_id == group_id,
            Lesson.date >= first,
            Lesson.date <= last,
            Grade.kind == GradeKind.CURRENT,
        )
    )
    return [(sid, did, name, value) for sid, did, name, value in rows]


async def periods_overlapping(
    session: AsyncSession, org_id: int, first: date, last: date
) -> list[Period]:
    """The college's periods with at least one day in the span."""
    rows = await session.scalars(
        select(Period).where(
            Period.org_id == org_id, Period.starts_on <= last, Period.ends_on >= first
        )
    )
    return list(rows)


async def period_grades(
    session: AsyncSession, group_id: int, period_ids: list[int]
) -> dict[tuple[int, int, int], str]:
    """(student, discipline, period) → the period grade, for the group's given periods."""
    if not period_ids:
        return {}
    rows = await session.execute(
        select(
            PeriodGrade.student_id,
            PeriodGrade.discipline_id,
            PeriodGrade.period_id,
            PeriodGrade.value,
        ).where(PeriodGrade.group_id == group_id, PeriodGrade.period_id.in_(period_ids))
    )
    return {(sid, did, pid): value for sid, did, pid, value in rows}


async def discipline_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    query = select(Discipline.id, Discipline.name).where(Discipline.id.in_(ids))
    return {did: name for did, name in await session.execute(query)}
