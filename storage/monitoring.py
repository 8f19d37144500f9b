"""What monitoring (§IV) reads: a college's lessons of a span of dates with the times their
journal was kept, and per lesson the size of its register, its absences and its grades.

One query per kind of row, grouped in the store, so a semester of a large college is read in
a few round trips; the rules (what is on time) are applied by services/monitoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.bulk import no_collection
from storage.models import (
    Attendance,
    Discipline,
    Grade,
    GradeKind,
    Group,
    Lesson,
    Mark,
    Person,
    Student,
    StudentStatus,
    SubgroupMember,
)


class LessonRow(NamedTuple):
    """A lesson held (a tuple: a semester of a large college is tens of thousands of them)."""

    lesson_id: int
    day: date
    pair_no: int
    group_id: int
    subgroup_id: int | None
    group: str
    discipline_id: int
    discipline: str
    teacher_id: int
    teacher: str
    register_done_at: datetime | None
    topic_entered_at: datetime | None
    distance: dict[str, Any] | None
    distance_entered_at: datetime | None


class LessonCounts(NamedTuple):
    """A lesson's absences, absences without a reason and current grades. Only marks that
    were tapped have a row, so who was present is worked out from the register's size."""

    absent: int = 0
    unexplained: int = 0
    grades: int = 0


def _short(person: Person) -> str:
    initials = " ".join(f"{p[0]}." for p in (person.first_name, person.middle_name) if p)
    return f"{person.last_name} {initials}".strip()


async def lessons(
    session: AsyncSession,
    org_id: int,
    first: date,
    last: date,
    *,
    teacher_id: int | None = None,
    lesson_id: int | None = None,
) -> list[LessonRow]:
    """The college's lessons held (not cancelled) from ``first`` to ``last``."""
    query = (
        select(
            Lesson.id,
            Lesson.date,
            Lesson.pair_no,
            Lesson.group_id,
            Lesson.subgroup_id,
            Lesson.discipline_id,
            Lesson.teacher_id,
            Lesson.register_done_at,
            Lesson.topic_entered_at,
            Lesson.distance,
            Lesson.distance_entered_at,
        )
        .where(
            Lesson.org_id == org_id,
            Lesson.date >= first,
            Lesson.date <= last,
            Lesson.cancelled.is_(False),
        )
        .order_by(Lesson.date, Lesson.pair_no, Lesson.group_id)
    )
    if teacher_id is not None:
        query = query.where(Lesson.teacher_id == teacher_id)
    if lesson_id is not None:
        query = query.where(Lesson.id == lesson_id)
    # Columns, not entities, and names from the few groups, disciplines and teachers: a
    # semester of a large college is tens of thousands of lessons.
    # Core, not the ORM's loading: plain rows are all this needs, and it is most of the time.
    result = await (await session.connection()).execute(query)
    with no_collection():
        rows = result.all()
    names = await _teacher_names(session, {row[6] for row in rows})
    groups = await _names(session, Group, org_id)
    disciplines = await _names(session, Discipline, org_id)
    with no_collection():
        return _rows(rows, names, groups, disciplines)


def _rows(
    rows: Sequence[Any],  # the query's rows, in its columns' order
    names: dict[int, str],
    groups: dict[int, str],
    disciplines: dict[int, str],
) -> list[LessonRow]:
    found = [
        LessonRow(
            lid, day, pair_no, group_id, subgroup_id, groups.get(group_id, ""), discipline_id,
            disciplines.get(discipline_id, ""), teacher, names.get(teacher, ""), register_at,
            topic_at, distance, distance_at,
        )
        for (
            lid, day, pair_no, group_id, subgroup_id, discipline_id, teacher, register_at,
            topic_at, distance, distance_at,
        ) in rows
    ]  # fmt: skip
    found.sort(key=lambda row: (row.day, row.pair_no, row.group))
    return found


async def _names(
    session: AsyncSession, model: type[Group] | type[Discipline], org_id: int
) -> dict[int, str]:
    rows = await session.execute(select(model.id, model.name).where(model.org_id == org_id))
    return {key: name for key, name in rows.all()}


async def _teacher_names(session: AsyncSession, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.scalars(select(Person).where(Person.id.in_(ids)))
    return {person.id: _short(person) for person in rows}


async def lesson_counts(
    session: AsyncSession, org_id: int, first: date, last: date, lesson_id: int | None = None
) -> dict[int, LessonCounts]:
    """Per lesson of the span: its marks, absences, unexplained absences and current grades."""
    absent = Attendance.mark == Mark.ABSENT
    span: list[ColumnElement[bool]] = [
        Lesson.org_id == org_id,
        Lesson.date >= first,
        Lesson.date <= last,
    ]
    if lesson_id is not None:
        span.append(Lesson.id == lesson_id)
    marks = await session.execute(
        select(
            Attendance.lesson_id,
            func.sum(case((absent, 1), else_=0)),
            func.sum(case((absent & Attendance.reason.is_(None), 1), else_=0)),
        )
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(*span)
        .group_by(Attendance.lesson_id)
    )
    grades = await session.execute(
        select(Grade.lesson_id, func.count())
        .join(Lesson, Lesson.id == Grade.lesson_id)
        .where(*span, Grade.kind == GradeKind.CURRENT)
        .group_by(Grade.lesson_id)
    )
    found: dict[int, LessonCounts] = {
        lesson: LessonCounts(int(a or 0), int(u or 0)) for lesson, a, u in marks
    }
    for lesson, n in grades:
        before = found.get(lesson, LessonCounts())
        found[lesson] = LessonCounts(before.absent, before.unexplained, int(n))
    return found


Combo = tuple[int, int, int]  # (teacher, group, discipline)


async def combo_counts(
    session: AsyncSession, org_id: int, first: date, last: date, teacher_id: int | None = None
) -> dict[Combo, LessonCounts]:
    """Absences, absences without a reason and current grades of the span's lessons held,
    summed per teacher, group and discipline in the store (a few hundred rows, not a row per
    lesson)."""
    found = await colleges_combo_counts(session, [org_id], first, last, teacher_id)
    return found.get(org_id, {})


async def colleges_combo_counts(
    session: AsyncSession,
    org_ids: Sequence[int],
    first: date,
    last: date,
    teacher_id: int | None = None,
) -> dict[int, dict[Combo, LessonCounts]]:
    """``combo_counts`` of several colleges at once, by college: a region reads its marks and
    grades in two queries rather than two per college."""
    absent = Attendance.mark == Mark.ABSENT
    span: list[ColumnElement[bool]] = [
        Lesson.org_id.in_(org_ids),
        Lesson.date >= first,
        Lesson.date <= last,
        Lesson.cancelled.is_(False),
    ]
    if teacher_id is not None:
        span.append(Lesson.teacher_id == teacher_id)
    combo = (Lesson.org_id, Lesson.teacher_id, Lesson.group_id, Lesson.discipline_id)
    connection = await session.connection()
    marks = await connection.execute(
        select(
            *combo,
            func.sum(case((absent, 1), else_=0)),
            func.sum(case((absent & Attendance.reason.is_(None), 1), else_=0)),
        )
        .select_from(Attendance)
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .where(*span)
        .group_by(*combo)
    )
    grades = await connection.execute(
        select(*combo, func.count())
        .select_from(Grade)
        .join(Lesson, Lesson.id == Grade.lesson_id)
        .where(*span, Grade.kind == GradeKind.CURRENT)
        .group_by(*combo)
    )
    found: dict[int, dict[Combo, LessonCounts]] = {org: {} for org in org_ids}
    for org, t, g, d, a, u in marks:
        found[org][(t, g, d)] = LessonCounts(int(a or 0), int(u or 0))
    for org, t, g, d, n in grades:
        before = found[org].get((t, g, d), LessonCounts())
        found[org][(t, g, d)] = LessonCounts(before.absent, before.unexplained, int(n))
    return found


async def register_sizes(
    session: AsyncSession, org_id: int
) -> tuple[dict[int, int], dict[int, int]]:
    """Students studying now per group and per subgroup: the size of a lesson's register
    (today's lists; a student who moved during the span is counted where they are now)."""
    studying = (Student.org_id == org_id, Student.status == StudentStatus.STUDYING)
    groups = await session.execute(
        select(Student.group_id, func.count()).where(*studying).group_by(Student.group_id)
    )
    subgroups = await session.execute(
        select(SubgroupMember.subgroup_id, func.count())
        .join(Student, Student.id == SubgroupMember.student_id)
        .where(*studying)
        .group_by(SubgroupMember.subgroup_id)
    )
    return (
        {gid: int(n) for gid, n in groups if gid is not None},
        {sid: int(n) for sid, n in subgroups},
    )


async def teacher_in_college(session: AsyncSession, org_id: int, teacher_id: int) -> str | None:
    """The teacher's short name, when they are a person of the college."""
    person = await session.get(Person, teacher_id)
    if person is None or person.org_id != org_id:
        return None
    return _short(person)
