"""What monitoring reads for the rules judged item by item rather than lesson by lesson (R3–R8):
period grades with the time each was given, documents on absences and their decisions,
enrolment orders and the first invites of the people they name, movement orders as entered,
curricula and teaching documents with their times. Rows only; services/monitoring judges."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AbsenceJustification,
    Curriculum,
    Invite,
    MovementOrder,
    OrderKind,
    OrderStudent,
    PeriodGrade,
    Student,
    TeachingDocument,
)


async def period_grades(
    session: AsyncSession, org_id: int, period_ids: Collection[int]
) -> dict[tuple[int, int, int], datetime]:
    """(student, discipline, period) → when its period grade was given."""
    if not period_ids:
        return {}
    rows = await session.execute(
        select(
            PeriodGrade.student_id,
            PeriodGrade.discipline_id,
            PeriodGrade.period_id,
            PeriodGrade.created_at,
        ).where(PeriodGrade.org_id == org_id, PeriodGrade.period_id.in_(list(period_ids)))
    )
    return {(s, d, p): at for s, d, p, at in rows}


async def justifications(
    session: AsyncSession, org_id: int, since: datetime, received_since: date
) -> list[tuple[int | None, datetime, date | None, datetime | None]]:
    """(the student's group, sent at, received on paper, decided at) of documents sent or
    received since then."""
    rows = await session.execute(
        select(
            Student.group_id,
            AbsenceJustification.submitted_at,
            AbsenceJustification.received_on,
            AbsenceJustification.decided_at,
        )
        .join(Student, Student.id == AbsenceJustification.student_id)
        .where(
            AbsenceJustification.org_id == org_id,
            (AbsenceJustification.submitted_at >= since)
            | (AbsenceJustification.received_on >= received_since),
        )
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def enrolments(
    session: AsyncSession, org_id: int, first: date, last: date
) -> list[tuple[int | None, date, datetime | None]]:
    """(group, order decided on, the student's first invite) of students enrolled by orders
    decided between the dates."""
    first_invite = (
        select(Invite.person_id, func.min(Invite.created_at).label("at"))
        .group_by(Invite.person_id)
        .subquery()
    )
    rows = await session.execute(
        select(Student.group_id, MovementOrder.decided_on, first_invite.c.at)
        .select_from(OrderStudent)
        .join(MovementOrder, MovementOrder.id == OrderStudent.order_id)
        .join(Student, Student.id == OrderStudent.student_id)
        .outerjoin(first_invite, first_invite.c.person_id == Student.person_id)
        .where(
            MovementOrder.org_id == org_id,
            MovementOrder.kind == OrderKind.ENROLMENT,
            MovementOrder.decided_on.between(first, last),
        )
    )
    return [tuple(row) for row in rows]


async def orders(
    session: AsyncSession, org_id: int, first: date, last: date
) -> list[tuple[int | None, date, datetime]]:
    """(group, decided on, entered at) of the orders decided between the dates."""
    rows = await session.execute(
        select(MovementOrder.group_id, MovementOrder.decided_on, MovementOrder.entered_at).where(
            MovementOrder.org_id == org_id, MovementOrder.decided_on.between(first, last)
        )
    )
    return [tuple(row) for row in rows]  # type: ignore[misc]


async def curriculum_entered(session: AsyncSession, org_id: int, year: int) -> datetime | None:
    """When the first curriculum of the intake year starting in ``year`` was entered."""
    found: datetime | None = await session.scalar(
        select(func.min(Curriculum.entered_at)).where(
            Curriculum.org_id == org_id, Curriculum.academic_year.like(f"{year}%")
        )
    )
    return found


async def documents(
    session: AsyncSession, org_id: int, academic_year: int
) -> dict[tuple[int, int, str], datetime]:
    """(group, discipline, kind) → when the first document of the academic year came."""
    rows = await session.execute(
        select(
            TeachingDocument.group_id,
            TeachingDocument.discipline_id,
            TeachingDocument.kind,
            func.min(TeachingDocument.uploaded_at),
        )
        .where(TeachingDocument.org_id == org_id, TeachingDocument.academic_year == academic_year)
        .group_by(TeachingDocument.group_id, TeachingDocument.discipline_id, TeachingDocument.kind)
    )
    return {(g, d, str(k)): at for g, d, k, at in rows}
