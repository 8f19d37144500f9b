"""Queries of the journal grid: a discipline's lessons in a period, the group's students over
it, and every mark and grade of those lessons, each in one statement (a 30 × 60 grid is four
queries, whatever its size)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.journal import name_key
from storage.models import (
    AbsenceReason,
    Attendance,
    Discipline,
    Grade,
    Group,
    GroupEnrolment,
    Lesson,
    Mark,
    Period,
    Person,
    Student,
    Subgroup,
    SubgroupMember,
)
from storage.models.people import short_name


@dataclass(frozen=True)
class Stay:
    """A student's stay in a group: on the group's registers from ``since`` (or from the start,
    when the import made it) until the day before ``until``."""

    student_id: int
    name: str
    sort_key: tuple[str, ...]
    since: date | None
    until: date | None

    def covers(self, day: date) -> bool:
        return (self.since is None or self.since <= day) and (
            self.until is None or self.until > day
        )


@dataclass(frozen=True)
class JournalKey:
    """A journal one may open: a group (or subgroup) and a discipline with lessons in a
    period."""

    group_id: int
    group_name: str
    subgroup_id: int | None
    subgroup_name: str | None
    discipline_id: int
    discipline_name: str


async def org_periods(session: AsyncSession, org_id: int) -> list[Period]:
    rows = await session.scalars(
        select(Period).where(Period.org_id == org_id).order_by(Period.starts_on)
    )
    return list(rows)


async def journal_lessons(
    session: AsyncSession,
    group_id: int,
    discipline_id: int,
    period_id: int,
    subgroup_id: int | None,
) -> list[Lesson]:
    """The lessons of the journal, by date and pair: with a subgroup, its own and the whole
    group's; without one, all of the group's."""
    query = select(Lesson).where(
        Lesson.group_id == group_id,
        Lesson.discipline_id == discipline_id,
        Lesson.period_id == period_id,
    )
    if subgroup_id is not None:
        query = query.where(Lesson.subgroup_id.is_(None) | (Lesson.subgroup_id == subgroup_id))
    rows = await session.scalars(query.order_by(Lesson.date, Lesson.pair_no, Lesson.id))
    return list(rows)


async def group_stays(
    session: AsyncSession, group_id: int, subgroup_id: int | None, first: date, last: date
) -> list[Stay]:
    """The stays in the group (and the subgroup) that overlap ``first``…``last``."""
    stay = GroupEnrolment
    query = (
        select(
            Student.id,
            Person.last_name,
            Person.first_name,
            Person.middle_name,
            stay.since,
            stay.until,
            stay.order_id,
        )
        .join(Student, Student.id == stay.student_id)
        .join(Person, Person.id == Student.person_id)
        .where(
            stay.group_id == group_id,
            (stay.since <= last) | stay.order_id.is_(None),
            stay.until.is_(None) | (stay.until > first),
        )
    )
    if subgroup_id is not None:
        query = query.join(
            SubgroupMember,
            (SubgroupMember.student_id == Student.id) & (SubgroupMember.subgroup_id == subgroup_id),
        )
    rows = (await session.execute(query)).all()
    return [
        Stay(
            sid,
            short_name(last_name, first_name, middle),
            name_key(last_name, first_name, middle),
            since if order_id is not None else None,
            until,
        )
        for sid, last_name, first_name, middle, since, until, order_id in rows
    ]


async def lesson_marks(
    session: AsyncSession, lesson_ids: Sequence[int]
) -> dict[tuple[int, int], tuple[Mark, AbsenceReason | None]]:
    """(lesson, student) → (mark, reason) of the stored marks; no row means present."""
    if not lesson_ids:
        return {}
    rows = await session.execute(
        select(Attendance.lesson_id, Attendance.student_id, Attendance.mark, Attendance.reason)
        .where(Attendance.lesson_id.in_(list(lesson_ids)))
    )  # fmt: skip
    return {(lid, sid): (mark, reason) for lid, sid, mark, reason in rows}


async def lesson_grades(session: AsyncSession, lesson_ids: Sequence[int]) -> list[Grade]:
    if not lesson_ids:
        return []
    rows = await session.scalars(
        select(Grade).where(Grade.lesson_id.in_(list(lesson_ids))).order_by(Grade.id)
    )
    return list(rows)


async def hold_lesson(session: AsyncSession, lesson_id: int) -> None:
    """Hold the lesson row until commit (a write that changes nothing, so SQLite's write
    lock is taken too): edits of its cells wait for one another instead of each reading a
    cell the other is changing."""
    await session.execute(
        update(Lesson)
        .where(Lesson.id == lesson_id)
        .values(updated_at=Lesson.updated_at)
        .execution_options(synchronize_session=False)
    )


async def cell_grades(session: AsyncSession, lesson_id: int, student_id: int) -> list[Grade]:
    rows = await session.scalars(
        select(Grade)
        .where(Grade.lesson_id == lesson_id, Grade.student_id == student_id)
        .order_by(Grade.id)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def journals_in_period(
    session: AsyncSession,
    org_id: int,
    period_id: int,
    *,
    group_ids: Sequence[int] | None = None,
) -> list[JournalKey]:
    """The (group, discipline) pairs with lessons in the period, optionally of some groups."""
    query = (
        select(Group.id, Group.name, Discipline.id, Discipline.name)
        .join(Lesson, Lesson.group_id == Group.id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .where(Lesson.org_id == org_id, Lesson.period_id == period_id)
        .distinct()
    )
    if group_ids is not None:
        query = query.where(Group.id.in_(list(group_ids)))
    rows = (await session.execute(query)).all()
    keys = [JournalKey(gid, gname, None, None, did, dname) for gid, gname, did, dname in rows]
    keys.sort(key=lambda k: (k.group_name, k.discipline_name))
    return keys


async def subgroup_members(session: AsyncSession, ids: Sequence[int]) -> dict[int, set[int]]:
    """Subgroup → its students."""
    if not ids:
        return {}
    rows = await session.execute(
        select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(
            SubgroupMember.subgroup_id.in_(list(ids))
        )
    )
    found: dict[int, set[int]] = {}
    for subgroup_id, student_id in rows:
        found.setdefault(subgroup_id, set()).add(student_id)
    return found


async def subgroup_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await session.execute(select(Subgroup.id, Subgroup.name).where(Subgroup.id.in_(ids)))
    return {sid: name for sid, name in rows}
