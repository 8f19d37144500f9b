"""Finding, in the imported sample college, a family the end-to-end scenarios can follow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Lesson, Membership, Person, Role, Student


@dataclass(frozen=True)
class Family:
    """A whole-group lesson of the day, a student of the group whose parent has this one child
    (so a certificate is for that child), the lesson's teacher and the group's curator."""

    lesson: Lesson
    student: Student
    parent: Person
    teacher: Person
    curator: Person


async def family_with_a_lesson(
    session: AsyncSession, day: date, *, leave_out: Callable[[Student], bool] | None = None
) -> Family | None:
    """The first such family of a curated group (a parent only: ``P…`` ids), skipping the
    students ``leave_out`` names; None when the day has none."""
    counts = dict(
        (
            await session.execute(
                select(Membership.person_id, func.count())
                .where(Membership.role == Role.PARENT)
                .group_by(Membership.person_id)
            )
        ).all()
    )
    curated = select(Membership.group_id).where(Membership.role == Role.CURATOR)
    pairs = (
        await session.execute(
            select(Student, Person)
            .join(Membership, Membership.student_id == Student.id)
            .join(Person, Person.id == Membership.person_id)
            .where(Student.group_id.in_(curated), Membership.role == Role.PARENT)
            .order_by(Student.id)
        )
    ).all()
    for student, parent in pairs:
        if counts[parent.id] != 1 or not parent.external_id.startswith("P"):
            continue
        if leave_out is not None and leave_out(student):
            continue
        lesson = await session.scalar(
            select(Lesson)
            .where(
                Lesson.date == day,
                Lesson.subgroup_id.is_(None),
                Lesson.cancelled.is_(False),
                Lesson.group_id == student.group_id,
            )
            .order_by(Lesson.pair_no, Lesson.id)
        )
        if lesson is None:
            continue
        teacher = await session.get(Person, lesson.teacher_id)
        curator = await session.scalar(
            select(Person)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.role == Role.CURATOR, Membership.group_id == lesson.group_id)
        )
        assert teacher is not None and curator is not None
        student.person.short_name  # loaded while the session is open  # noqa: B018
        return Family(lesson, student, parent, teacher, curator)
    return None
