"""Queries of movement orders: finding students, their group history, orders to apply."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.journal import name_key, surname_starts
from storage.models import (
    Grade,
    Group,
    GroupEnrolment,
    Membership,
    MovementOrder,
    OrderStudent,
    Organisation,
    OutboxMessage,
    OutboxStatus,
    Person,
    Role,
    Student,
    Subgroup,
)

FOUND_AT_MOST = 10  # students listed for a few letters of a surname


@dataclass(frozen=True)
class FoundStudent:
    student_id: int
    full_name: str
    short_name: str
    group_name: str
    status: str


async def find_students(
    session: AsyncSession, org_id: int, letters: str, limit: int = FOUND_AT_MOST
) -> list[FoundStudent]:
    """Students of the college whose surname starts with ``letters`` (case and ё ignored),
    by name. Compared in Python: SQLite folds only Latin letters."""
    if not letters.strip():
        return []
    rows = await session.execute(
        select(Student, Person, Group.name)
        .join(Person, Person.id == Student.person_id)
        .outerjoin(Group, Group.id == Student.group_id)
        .where(Student.org_id == org_id)
    )
    found = [
        (name_key(p.last_name, p.first_name, p.middle_name), s, p, g)
        for s, p, g in rows.all()
        if surname_starts(p.last_name, letters)
    ]
    found.sort(key=lambda r: (r[0], r[1].id))
    return [
        FoundStudent(s.id, p.full_name, p.short_name, g or "", s.status.value)
        for _, s, p, g in found[:limit]
    ]


async def student(session: AsyncSession, org_id: int, student_id: int) -> Student | None:
    """The student if they belong to the college; anything else is None."""
    found = await session.get(Student, student_id, populate_existing=True)
    return found if found is not None and found.org_id == org_id else None


async def stays(session: AsyncSession, student_id: int) -> list[GroupEnrolment]:
    """The student's stays in groups, oldest first."""
    rows = await session.scalars(
        select(GroupEnrolment)
        .where(GroupEnrolment.student_id == student_id)
        .order_by(GroupEnrolment.since, GroupEnrolment.id)
    )
    return list(rows)


async def current_students(session: AsyncSession, group_id: int) -> list[Student]:
    """Students with an open stay in the group (on leave and those who left are not)."""
    rows = await session.scalars(
        select(Student)
        .join(GroupEnrolment, GroupEnrolment.student_id == Student.id)
        .where(GroupEnrolment.group_id == group_id, GroupEnrolment.until.is_(None))
        .order_by(Student.id)
    )
    return list(rows.unique())


async def number_taken(session: AsyncSession, org_id: int, year: int, number: str) -> bool:
    found = await session.scalar(
        select(MovementOrder.id).where(
            MovementOrder.org_id == org_id,
            MovementOrder.year == year,
            func.lower(MovementOrder.number) == number.lower(),
        )
    )
    return found is not None


async def groups(session: AsyncSession, org_id: int) -> list[Group]:
    rows = await session.scalars(
        select(Group).where(Group.org_id == org_id, Group.active.is_(True)).order_by(Group.name)
    )
    return list(rows)


async def group(session: AsyncSession, org_id: int, group_id: int) -> Group | None:
    found = await session.get(Group, group_id)
    return found if found is not None and found.org_id == org_id else None


async def subgroups(session: AsyncSession, group_id: int) -> list[Subgroup]:
    rows = await session.scalars(
        select(Subgroup).where(Subgroup.group_id == group_id).order_by(Subgroup.name)
    )
    return list(rows)


async def subgroup(session: AsyncSession, subgroup_id: int) -> Subgroup | None:
    return await session.get(Subgroup, subgroup_id)


async def family_memberships(session: AsyncSession, student_id: int) -> list[Membership]:
    """The student's own role and their parents' roles for them."""
    rows = await session.scalars(
        select(Membership)
        .where(
            Membership.student_id == student_id,
            Membership.role.in_([Role.STUDENT, Role.PARENT]),
        )
        .order_by(Membership.id)
    )
    return list(rows)


async def still_active_people(session: AsyncSession, person_ids: Collection[int]) -> set[int]:
    """Of these people, those who still hold some active role."""
    if not person_ids:
        return set()
    rows = await session.scalars(
        select(Membership.person_id).where(
            Membership.person_id.in_(list(person_ids)), Membership.active.is_(True)
        )
    )
    return set(rows)


@dataclass(frozen=True)
class HistoryRow:
    order: MovementOrder
    line: OrderStudent
    from_group: str
    to_group: str


async def history(session: AsyncSession, student_id: int) -> list[HistoryRow]:
    """The orders naming the student, by effective date."""
    rows = await session.execute(
        select(MovementOrder, OrderStudent)
        .join(OrderStudent, OrderStudent.order_id == MovementOrder.id)
        .where(OrderStudent.student_id == student_id)
        .order_by(MovementOrder.effective_on, MovementOrder.id)
    )
    pairs = list(rows.all())
    ids = {g for _, line in pairs for g in (line.from_group_id, line.to_group_id) if g}
    names: dict[int, str] = {}
    if ids:
        found = await session.execute(select(Group.id, Group.name).where(Group.id.in_(ids)))
        names = dict(found.all())
    return [
        HistoryRow(
            order,
            line,
            names.get(line.from_group_id or 0, ""),
            names.get(line.to_group_id or 0, ""),
        )
        for order, line in pairs
    ]


async def lines(session: AsyncSession, order_id: int) -> list[OrderStudent]:
    rows = await session.scalars(
        select(OrderStudent).where(OrderStudent.order_id == order_id).order_by(OrderStudent.id)
    )
    return list(rows)


async def unapplied(session: AsyncSession) -> Sequence[tuple[MovementOrder, str]]:
    """Orders whose effects are not made yet, with their college's time zone."""
    rows = await session.execute(
        select(MovementOrder, Organisation.timezone)
        .join(Organisation, Organisation.id == MovementOrder.org_id)
        .where(MovementOrder.applied_on.is_(None), MovementOrder.annulled_at.is_(None))
        .order_by(MovementOrder.effective_on, MovementOrder.id)
    )
    return list(rows.all())


async def claim(session: AsyncSession, order_id: int, today: date) -> bool:
    """Mark the order applied; False when another process did it first."""
    result = await session.execute(
        update(MovementOrder)
        .where(MovementOrder.id == order_id, MovementOrder.applied_on.is_(None))
        .values(applied_on=today)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def later_naming(session: AsyncSession, order: MovementOrder) -> bool:
    """Whether an order in force after ``order`` names one of its students."""
    students = select(OrderStudent.student_id).where(OrderStudent.order_id == order.id)
    found = await session.scalar(
        select(MovementOrder.id)
        .join(OrderStudent, OrderStudent.order_id == MovementOrder.id)
        .where(
            OrderStudent.student_id.in_(students),
            MovementOrder.id != order.id,
            MovementOrder.annulled_at.is_(None),
            (MovementOrder.effective_on > order.effective_on)
            | ((MovementOrder.effective_on == order.effective_on) & (MovementOrder.id > order.id)),
        )
        .limit(1)
    )
    return found is not None


async def order(session: AsyncSession, order_id: int) -> MovementOrder | None:
    return await session.get(MovementOrder, order_id, populate_existing=True)


async def withdraw_notices(
    session: AsyncSession, student_id: int, person_ids: Collection[int]
) -> int:
    """Notices about the student still waiting (merge window, quiet hours) for these people
    are given up: once a student has left, nothing more about them goes out. Returns how
    many."""
    if not person_ids:
        return 0
    grades = select(literal("grade:") + cast(Grade.id, String)).where(
        Grade.student_id == student_id
    )
    about = (
        OutboxMessage.subject.like(f"mark:%:{student_id}")
        | OutboxMessage.subject.like(f"reason:%:{student_id}")
        | OutboxMessage.subject.in_(grades)
    )
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.person_id.in_(list(person_ids)),
            about,
        )
        .values(status=OutboxStatus.FAILED, last_error="the student left the college")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def recent(session: AsyncSession, org_id: int, limit: int) -> Sequence[MovementOrder]:
    """The college's latest orders in force, the newest entered first."""
    rows = await session.scalars(
        select(MovementOrder)
        .where(MovementOrder.org_id == org_id, MovementOrder.annulled_at.is_(None))
        .order_by(MovementOrder.entered_at.desc(), MovementOrder.id.desc())
        .limit(limit)
    )
    return rows.all()


async def people_named(session: AsyncSession, order_id: int) -> list[int]:
    """The people an order names: its students and their parents."""
    students = select(OrderStudent.student_id).where(OrderStudent.order_id == order_id)
    own = await session.scalars(select(Student.person_id).where(Student.id.in_(students)))
    parents = await session.scalars(
        select(Membership.person_id).where(
            Membership.role == Role.PARENT, Membership.student_id.in_(students)
        )
    )
    return sorted(set(own) | set(parents))
