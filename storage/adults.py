"""Queries about adult students' word on their parents' access to the diary (§1.6)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Membership, ParentAccessChoice, Person, Role, Student


@dataclass(frozen=True)
class StudentAge:
    student_id: int
    org_id: int
    first_name: str
    birth_date: date | None
    allowed: bool | None  # None: not decided yet


async def ages(session: AsyncSession, student_ids: Collection[int]) -> Sequence[StudentAge]:
    if not student_ids:
        return []
    rows = await session.execute(
        select(
            Student.id,
            Student.org_id,
            Person.first_name,
            Person.birth_date,
            ParentAccessChoice.allowed,
        )
        .join(Person, Person.id == Student.person_id)
        .outerjoin(ParentAccessChoice, ParentAccessChoice.student_id == Student.id)
        .where(Student.id.in_(list(student_ids)))
    )
    return [StudentAge(*row) for row in rows.all()]


async def students_born_by(session: AsyncSession, born_by: date) -> Sequence[int]:
    """Students with a parent on file who were born on or before ``born_by``."""
    with_parents = select(Membership.student_id).where(
        Membership.role == Role.PARENT, Membership.active.is_(True)
    )
    rows = await session.scalars(
        select(Student.id)
        .join(Person, Person.id == Student.person_id)
        .where(Person.birth_date <= born_by, Student.id.in_(with_parents))
    )
    return rows.all()


async def parents_of(session: AsyncSession, student_id: int) -> Sequence[int]:
    rows = await session.scalars(
        select(Membership.person_id).where(
            Membership.role == Role.PARENT,
            Membership.active.is_(True),
            Membership.student_id == student_id,
        )
    )
    return rows.all()


async def choice_of(session: AsyncSession, student_id: int) -> ParentAccessChoice | None:
    return await session.get(ParentAccessChoice, student_id)
