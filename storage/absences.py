"""Queries of the curator's work: unexplained absences, absence reasons and the justifications
parents send.

"Unexplained" is an absent mark with no reason, on a lesson that took place (not cancelled)
in a period still open: a closed period is the journal's final lock, for reasons too.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Row, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.journal import name_key
from storage.models import (
    AbsenceJustification,
    AbsenceReason,
    Attendance,
    Discipline,
    Group,
    JustificationStatus,
    Lesson,
    Mark,
    Membership,
    Organisation,
    Period,
    Person,
    Role,
    Student,
    StudentStatus,
)
from storage.models.people import short_name


@dataclass(frozen=True)
class AbsenceRow:
    """One absence of a student from one lesson, with the names a screen shows."""

    attendance_id: int
    lesson_id: int
    student_id: int
    student_name: str
    sort_key: tuple[str, ...]
    day: date
    pair_no: int
    discipline: str
    reason: AbsenceReason | None


@dataclass(frozen=True)
class StudentInfo:
    """A student as the curator's rules need them: where they study and who they are."""

    student_id: int
    person_id: int
    org_id: int
    group_id: int | None
    group_name: str
    short_name: str
    first_name: str
    birth_date: date | None
    status: StudentStatus
    timezone: str


def _open_absences() -> list[ColumnElement[bool]]:
    return [
        Attendance.mark == Mark.ABSENT,
        Lesson.cancelled.is_(False),
        Period.closed.is_(False),
    ]


# The columns of ``_absence_query``, in order.
AbsenceColumns = tuple[int, int, int, str, str, str, date, int, str, AbsenceReason | None]


def _absence_query() -> Select[*AbsenceColumns]:
    return (
        select(
            Attendance.id,
            Attendance.lesson_id,
            Attendance.student_id,
            Person.last_name,
            Person.first_name,
            Person.middle_name,
            Lesson.date,
            Lesson.pair_no,
            Discipline.name,
            Attendance.reason,
        )
        .join(Lesson, Lesson.id == Attendance.lesson_id)
        .join(Period, Period.id == Lesson.period_id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .join(Student, Student.id == Attendance.student_id)
        .join(Person, Person.id == Student.person_id)
        .where(*_open_absences())
        .order_by(Lesson.date, Lesson.pair_no, Lesson.id)
    )


def _rows(result: Sequence[Row[*AbsenceColumns]]) -> list[AbsenceRow]:
    rows = []
    for aid, lid, sid, last, first, middle, day, pair_no, discipline, reason in result:
        rows.append(
            AbsenceRow(
                attendance_id=aid,
                lesson_id=lid,
                student_id=sid,
                student_name=short_name(last, first, middle),
                sort_key=name_key(last, first, middle),
                day=day,
                pair_no=pair_no,
                discipline=discipline,
                reason=reason,
            )
        )
    return rows


async def unexplained_in_groups(
    session: AsyncSession,
    org_id: int,
    group_ids: Collection[int],
    upto: date,
    *,
    student_id: int | None = None,
    day: date | None = None,
) -> list[AbsenceRow]:
    """Unexplained absences of the students now studying in the groups, up to ``upto``,
    oldest first; only one student's or one day's when asked."""
    if not group_ids:
        return []
    query = _absence_query().where(
        Student.org_id == org_id,
        Student.group_id.in_(list(group_ids)),
        Student.status == StudentStatus.STUDYING,
        Attendance.reason.is_(None),
        Lesson.date <= upto,
    )
    if student_id is not None:
        query = query.where(Attendance.student_id == student_id)
    if day is not None:
        query = query.where(Lesson.date == day)
    return _rows((await session.execute(query)).all())


async def absences_of_student(
    session: AsyncSession,
    student_id: int,
    first: date,
    last: date,
    *,
    lesson_id: int | None = None,
    unexplained_only: bool = True,
    lock: bool = False,
) -> list[AbsenceRow]:
    """A student's absences between two dates (or from one lesson). ``lock`` holds the rows
    until commit (PostgreSQL), so two curators setting reasons at once do not both write."""
    query = _absence_query().where(
        Attendance.student_id == student_id, Lesson.date >= first, Lesson.date <= last
    )
    if lesson_id is not None:
        query = query.where(Attendance.lesson_id == lesson_id)
    if unexplained_only:
        query = query.where(Attendance.reason.is_(None))
    if lock:
        query = query.with_for_update(of=Attendance)
    return _rows((await session.execute(query)).all())


async def set_reason(
    session: AsyncSession,
    attendance_id: int,
    reason: AbsenceReason,
    actor_id: int,
    now: datetime,
    *,
    only_if_unexplained: bool = True,
) -> bool:
    """Set the reason of one absence; False when it is no longer an unexplained absence
    (changed meanwhile by someone else)."""
    query = (
        update(Attendance)
        .where(Attendance.id == attendance_id, Attendance.mark == Mark.ABSENT)
        .values(reason=reason, reason_set_at=now, reason_set_by=actor_id)
        .execution_options(synchronize_session=False)
    )
    if only_if_unexplained:
        query = query.where(Attendance.reason.is_(None))
    result = await session.execute(query)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def student_info(session: AsyncSession, student_id: int) -> StudentInfo | None:
    row = (
        await session.execute(
            select(Student, Person, Group.name, Organisation.timezone)
            .join(Person, Person.id == Student.person_id)
            .join(Organisation, Organisation.id == Student.org_id)
            .outerjoin(Group, Group.id == Student.group_id)
            .where(Student.id == student_id)
        )
    ).first()
    if row is None:
        return None
    student, person, group_name, timezone = row
    return StudentInfo(
        student_id=student.id,
        person_id=person.id,
        org_id=student.org_id,
        group_id=student.group_id,
        group_name=group_name or "",
        short_name=person.short_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        status=student.status,
        timezone=timezone,
    )


async def student_of_person(session: AsyncSession, person_id: int) -> int | None:
    """The student record of a person, if they study (a person is one student at most)."""
    return await session.scalar(select(Student.id).where(Student.person_id == person_id))


async def curators_of(session: AsyncSession, group_id: int) -> list[int]:
    """Person ids of the group's active curators."""
    rows = await session.scalars(
        select(Membership.person_id)
        .where(
            Membership.role == Role.CURATOR,
            Membership.group_id == group_id,
            Membership.active.is_(True),
        )
        .order_by(Membership.person_id)
        .distinct()
    )
    return list(rows.all())


async def groups_named(session: AsyncSession, group_ids: Collection[int]) -> list[Group]:
    if not group_ids:
        return []
    rows = await session.scalars(
        select(Group).where(Group.id.in_(list(group_ids))).order_by(Group.name)
    )
    return list(rows.all())


# --- justifications --------------------------------------------------------------------


def add_justification(session: AsyncSession, **fields: object) -> AbsenceJustification:
    row = AbsenceJustification(**fields)
    session.add(row)
    return row


async def justification(
    session: AsyncSession, justification_id: int
) -> AbsenceJustification | None:
    return await session.get(AbsenceJustification, justification_id, populate_existing=True)


async def claim_decision(
    session: AsyncSession,
    justification_id: int,
    status: JustificationStatus,
    reason: AbsenceReason | None,
    actor_id: int,
    now: datetime,
) -> bool:
    """Decide a pending justification; False when someone decided it first. The condition
    is in the UPDATE itself, so of two presses at once exactly one wins."""
    result = await session.execute(
        update(AbsenceJustification)
        .where(
            AbsenceJustification.id == justification_id,
            AbsenceJustification.status == JustificationStatus.PENDING,
        )
        .values(status=status, reason=reason, decided_by=actor_id, decided_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def pending_justifications(
    session: AsyncSession, org_id: int, group_ids: Collection[int]
) -> list[AbsenceJustification]:
    """Justifications still waiting for a decision for students now in the groups, oldest
    first."""
    if not group_ids:
        return []
    rows = await session.scalars(
        select(AbsenceJustification)
        .join(Student, Student.id == AbsenceJustification.student_id)
        .where(
            AbsenceJustification.org_id == org_id,
            AbsenceJustification.status == JustificationStatus.PENDING,
            Student.group_id.in_(list(group_ids)),
        )
        .order_by(AbsenceJustification.submitted_at, AbsenceJustification.id)
    )
    return list(rows.all())
