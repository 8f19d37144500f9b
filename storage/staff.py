"""Queries for people who leave the staff and for handing a teaching load to another teacher."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.journal import surname_starts
from storage.models import (
    Discipline,
    Group,
    Lesson,
    Membership,
    Person,
    Role,
    TeachingAssignment,
    TimetableEntry,
)
from storage.people import STAFF_ROLES


async def staff_memberships(session: AsyncSession, person_id: int) -> Sequence[Membership]:
    """The person's staff roles not ended yet (active, or ending on a later date)."""
    rows = await session.scalars(
        select(Membership)
        .where(
            Membership.person_id == person_id,
            Membership.active.is_(True),
            Membership.role.in_(list(STAFF_ROLES)),
        )
        .order_by(Membership.id)
    )
    return rows.all()


async def due_to_end(session: AsyncSession, today: date) -> Sequence[Membership]:
    """Active roles whose end has come (``until``: the first day without the role)."""
    rows = await session.scalars(
        select(Membership).where(Membership.active.is_(True), Membership.until <= today)
    )
    return rows.all()


async def has_active_role(session: AsyncSession, person_id: int) -> bool:
    found = await session.scalar(
        select(Membership.id)
        .where(Membership.person_id == person_id, Membership.active.is_(True))
        .limit(1)
    )
    return found is not None


async def teaches_in_college(session: AsyncSession, org_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(Membership.id)
        .where(
            Membership.org_id == org_id,
            Membership.person_id == person_id,
            Membership.role == Role.TEACHER,
            Membership.active.is_(True),
        )
        .limit(1)
    )
    return found is not None


async def assignments_of(
    session: AsyncSession, teacher_id: int, group_id: int, discipline_id: int
) -> Sequence[TeachingAssignment]:
    rows = await session.scalars(
        select(TeachingAssignment).where(
            TeachingAssignment.teacher_id == teacher_id,
            TeachingAssignment.group_id == group_id,
            TeachingAssignment.discipline_id == discipline_id,
        )
    )
    return rows.all()


async def hand_over_lessons(
    session: AsyncSession,
    old_teacher_id: int,
    new_teacher_id: int,
    group_id: int,
    discipline_id: int,
    since: date,
) -> int:
    """The lessons of the pair from ``since`` on and the timetable go to the new teacher;
    earlier lessons keep who taught them. Returns the lessons moved."""
    moved = await session.execute(
        update(Lesson)
        .where(
            Lesson.teacher_id == old_teacher_id,
            Lesson.group_id == group_id,
            Lesson.discipline_id == discipline_id,
            Lesson.date >= since,
        )
        .values(teacher_id=new_teacher_id)
    )
    await session.execute(
        update(TimetableEntry)
        .where(
            TimetableEntry.teacher_id == old_teacher_id,
            TimetableEntry.group_id == group_id,
            TimetableEntry.discipline_id == discipline_id,
        )
        .values(teacher_id=new_teacher_id)
    )
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]


async def college_teachers(session: AsyncSession, org_id: int) -> Sequence[Person]:
    """The college's active teachers, by surname."""
    rows = await session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(
            Membership.org_id == org_id,
            Membership.role == Role.TEACHER,
            Membership.active.is_(True),
        )
        .distinct()
        .order_by(Person.last_name, Person.first_name, Person.id)
    )
    return rows.all()


async def teachers_by_letters(
    session: AsyncSession, org_id: int, letters: str, limit: int
) -> list[Person]:
    """The college's active teachers whose surname starts with ``letters``."""
    found = await college_teachers(session, org_id)
    return [p for p in found if surname_starts(p.last_name, letters)][:limit]


async def loads_of(
    session: AsyncSession, org_id: int, teacher_id: int
) -> list[tuple[Group, Discipline]]:
    """The teacher's groups and disciplines (subgroups and periods taken together)."""
    rows = await session.execute(
        select(Group, Discipline)
        .join(TeachingAssignment, TeachingAssignment.group_id == Group.id)
        .join(Discipline, Discipline.id == TeachingAssignment.discipline_id)
        .where(TeachingAssignment.org_id == org_id, TeachingAssignment.teacher_id == teacher_id)
        .distinct()
        .order_by(Group.name, Discipline.name)
    )
    return [(group, discipline) for group, discipline in rows.all()]
