"""Queries of the deadline scheduler (services/reminders/scan.py).

Every query is bounded by dates or by the college's current groups and goes through an index,
so a scan costs what is due, not what the store has gathered over the years: lessons by
(org, date), attendance by (student, mark), justifications and invites by their person or
student, orders by (org, decided_on), assignments by (group, discipline).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert, not_null
from storage.journal import name_key
from storage.models import (
    AbsenceJustification,
    Attendance,
    Curriculum,
    DigestRange,
    Discipline,
    DocumentKind,
    Group,
    Invite,
    JustificationStatus,
    Lesson,
    Mark,
    Membership,
    MovementOrder,
    OrderKind,
    OrderStudent,
    OutboxMessage,
    Period,
    PeriodGrade,
    Person,
    Role,
    SentReminder,
    Student,
    StudentStatus,
    Subgroup,
    SubgroupMember,
    TeachingAssignment,
    TeachingDocument,
    TelegramAccount,
)
from storage.models.people import short_name
from storage.people import short_names

CHUNK = 5000  # ids per IN (…): PostgreSQL takes at most 32767 parameters a statement
STAFF_ROLES = (Role.TEACHER, Role.CURATOR, Role.DEPUTY, Role.SECRETARY, Role.ADMIN, Role.DIRECTOR)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    items = sorted(set(ids))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


# --- who ------------------------------------------------------------------------------------


async def people_with_role(session: AsyncSession, org_id: int, role: Role) -> set[int]:
    rows = await session.scalars(
        select(Membership.person_id).where(
            Membership.org_id == org_id, Membership.role == role, Membership.active.is_(True)
        )
    )
    return set(rows)


async def curators(session: AsyncSession, org_id: int) -> dict[int, set[int]]:
    """Curator → the active groups they curate."""
    rows = await session.execute(
        select(Membership.person_id, Group.id)
        .join(Group, Group.id == Membership.group_id)
        .where(
            Membership.org_id == org_id,
            Membership.role == Role.CURATOR,
            Membership.active.is_(True),
            Group.active.is_(True),
        )
    )
    found: dict[int, set[int]] = {}
    for person_id, group_id in rows:
        found.setdefault(person_id, set()).add(group_id)
    return found


async def active_groups(session: AsyncSession, org_id: int) -> dict[int, Group]:
    rows = await session.scalars(
        select(Group).where(Group.org_id == org_id, Group.active.is_(True))
    )
    return {group.id: group for group in rows}


# --- R1, R2, R9: lessons ------------------------------------------------------------------


@dataclass(frozen=True)
class LessonRow:
    lesson_id: int
    teacher_id: int
    group_id: int
    group_name: str
    subgroup_name: str | None
    discipline_name: str
    day: date
    pair_no: int
    ends_at: datetime
    register_done: bool
    has_topic: bool
    distance: dict[str, Any] | None


async def lessons_between(
    session: AsyncSession, org_id: int, first: date, last: date
) -> list[LessonRow]:
    """The college's lessons dated ``first``…``last`` that took place (not cancelled)."""
    rows = await session.execute(
        select(
            Lesson.id,
            Lesson.teacher_id,
            Lesson.group_id,
            Group.name,
            Subgroup.name,
            Discipline.name,
            Lesson.date,
            Lesson.pair_no,
            Lesson.ends_at,
            Lesson.register_done_at,
            Lesson.topic,
            Lesson.distance,
        )
        .join(Group, Group.id == Lesson.group_id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .outerjoin(Subgroup, Subgroup.id == Lesson.subgroup_id)
        .where(
            Lesson.org_id == org_id,
            Lesson.date >= first,
            Lesson.date <= last,
            Lesson.cancelled.is_(False),
        )
        .order_by(Lesson.date, Lesson.pair_no, Lesson.id)
    )
    return [
        LessonRow(
            lid,
            tid,
            gid,
            gname,
            sname,
            dname,
            day,
            pair_no,
            ends_at,
            done is not None,
            bool(topic.strip()),
            distance or None,
        )
        for lid, tid, gid, gname, sname, dname, day, pair_no, ends_at, done, topic, distance in rows
    ]


# --- R3: period grades --------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    teacher_id: int
    group_id: int
    subgroup_id: int | None
    subgroup_name: str | None
    discipline_id: int
    discipline_name: str
    period_id: int | None


async def open_periods_ending(
    session: AsyncSession, org_id: int, first: date, last: date
) -> list[Period]:
    rows = await session.scalars(
        select(Period)
        .where(
            Period.org_id == org_id,
            Period.closed.is_(False),
            Period.ends_on >= first,
            Period.ends_on <= last,
        )
        .order_by(Period.ends_on, Period.id)
    )
    return list(rows)


async def periods_overlapping(
    session: AsyncSession, org_id: int, first: date, last: date
) -> list[Period]:
    rows = await session.scalars(
        select(Period).where(
            Period.org_id == org_id, Period.starts_on <= last, Period.ends_on >= first
        )
    )
    return list(rows)


async def assignments(
    session: AsyncSession, group_ids: Collection[int], period_ids: Collection[int]
) -> list[Assignment]:
    """Assignments to the groups in the periods, or in no particular period."""
    found: list[Assignment] = []
    for ids in _chunks(group_ids):
        rows = await session.execute(
            select(
                TeachingAssignment.teacher_id,
                TeachingAssignment.group_id,
                TeachingAssignment.subgroup_id,
                Subgroup.name,
                TeachingAssignment.discipline_id,
                Discipline.name,
                TeachingAssignment.period_id,
            )
            .join(Discipline, Discipline.id == TeachingAssignment.discipline_id)
            .outerjoin(Subgroup, Subgroup.id == TeachingAssignment.subgroup_id)
            .where(TeachingAssignment.group_id.in_(ids))
        )
        found.extend(Assignment(*row) for row in rows if row[6] is None or row[6] in period_ids)
    return found


async def rosters(
    session: AsyncSession, group_ids: Collection[int], subgroup_ids: Collection[int]
) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """Students now studying, by group, and the subgroups' members among them."""
    by_group: dict[int, set[int]] = {}
    for ids in _chunks(group_ids):
        rows = await session.execute(
            select(Student.id, not_null(Student.group_id)).where(
                Student.group_id.in_(ids), Student.status == StudentStatus.STUDYING
            )
        )
        for student_id, group_id in rows:
            by_group.setdefault(group_id, set()).add(student_id)
    by_subgroup: dict[int, set[int]] = {}
    for ids in _chunks(subgroup_ids):
        members = await session.execute(
            select(SubgroupMember.subgroup_id, SubgroupMember.student_id).where(
                SubgroupMember.subgroup_id.in_(ids)
            )
        )
        for subgroup_id, member_id in members:
            by_subgroup.setdefault(subgroup_id, set()).add(member_id)
    return by_group, by_subgroup


async def graded(
    session: AsyncSession, student_ids: Collection[int], period_ids: Collection[int]
) -> set[tuple[int, int, int]]:
    """(student, discipline, period) holding a period grade."""
    found: set[tuple[int, int, int]] = set()
    if not period_ids:
        return found
    for ids in _chunks(student_ids):
        rows = await session.execute(
            select(PeriodGrade.student_id, PeriodGrade.discipline_id, PeriodGrade.period_id).where(
                PeriodGrade.student_id.in_(ids), PeriodGrade.period_id.in_(list(period_ids))
            )
        )
        found.update((s, d, p) for s, d, p in rows)
    return found


# --- R8: teaching documents ---------------------------------------------------------------


async def document_kinds(
    session: AsyncSession, group_ids: Collection[int], academic_year: int
) -> set[tuple[int, int, DocumentKind]]:
    """(group, discipline, kind) uploaded at least once for the groups and the academic year."""
    found: set[tuple[int, int, DocumentKind]] = set()
    for ids in _chunks(group_ids):
        rows = await session.execute(
            select(TeachingDocument.group_id, TeachingDocument.discipline_id, TeachingDocument.kind)
            .where(
                TeachingDocument.group_id.in_(ids),
                TeachingDocument.academic_year == academic_year,
            )
            .distinct()
        )
        found.update((g, d, k) for g, d, k in rows)
    return found


# --- curators: unexplained absences and R4 ------------------------------------------------


@dataclass(frozen=True)
class UnexplainedRow:
    group_id: int
    student_id: int
    student_name: str
    sort_key: tuple[str, ...]
    lessons: int
    first: date
    last: date


async def unexplained_absences(
    session: AsyncSession, org_id: int, group_ids: Collection[int], upto: date
) -> list[UnexplainedRow]:
    """Per student now studying in the groups: their absences without a reason on lessons of
    open periods up to ``upto`` (what the curator's absence screen lists)."""
    found: list[UnexplainedRow] = []
    for ids in _chunks(group_ids):
        rows = await session.execute(
            select(
                not_null(Student.group_id),
                Student.id,
                Person.last_name,
                Person.first_name,
                Person.middle_name,
                func.count(Attendance.id),
                func.min(Lesson.date),
                func.max(Lesson.date),
            )
            .select_from(Student)
            .join(Person, Person.id == Student.person_id)
            .join(Attendance, Attendance.student_id == Student.id)
            .join(Lesson, Lesson.id == Attendance.lesson_id)
            .join(Period, Period.id == Lesson.period_id)
            .where(
                Student.org_id == org_id,
                Student.group_id.in_(ids),
                Student.status == StudentStatus.STUDYING,
                Attendance.mark == Mark.ABSENT,
                Attendance.reason.is_(None),
                Lesson.cancelled.is_(False),
                Lesson.date <= upto,
                Period.closed.is_(False),
            )
            .group_by(
                Student.group_id,
                Student.id,
                Person.last_name,
                Person.first_name,
                Person.middle_name,
            )
        )
        found.extend(
            UnexplainedRow(
                gid, sid, short_name(last, first, mid), name_key(last, first, mid), n, lo, hi
            )
            for gid, sid, last, first, mid, n, lo, hi in rows
        )
    found.sort(key=lambda r: (r.group_id, r.sort_key, r.student_id))
    return found


@dataclass(frozen=True)
class PendingRow:
    justification_id: int
    student_id: int
    student_name: str
    group_id: int
    date_from: date
    date_to: date
    submitted_at: datetime
    received_on: date | None  # a paper certificate: R4 counts from this day


async def pending_justifications(
    session: AsyncSession, org_id: int, group_ids: Collection[int]
) -> list[PendingRow]:
    """Documents still waiting for a decision, of students now in the groups, oldest first."""
    found: list[PendingRow] = []
    for ids in _chunks(group_ids):
        rows = await session.execute(
            select(
                AbsenceJustification.id,
                Student.id,
                Person.last_name,
                Person.first_name,
                Person.middle_name,
                not_null(Student.group_id),
                AbsenceJustification.date_from,
                AbsenceJustification.date_to,
                AbsenceJustification.submitted_at,
                AbsenceJustification.received_on,
            )
            .select_from(Student)
            .join(AbsenceJustification, AbsenceJustification.student_id == Student.id)
            .join(Person, Person.id == Student.person_id)
            .where(
                Student.org_id == org_id,
                Student.group_id.in_(ids),
                AbsenceJustification.status == JustificationStatus.PENDING,
            )
        )
        found.extend(
            PendingRow(jid, sid, short_name(last, first, mid), gid, d1, d2, at, received)
            for jid, sid, last, first, mid, gid, d1, d2, at, received in rows
        )
    found.sort(key=lambda r: (r.submitted_at, r.justification_id))
    return found


# --- R5, R6: accounts and movement orders --------------------------------------------------


@dataclass(frozen=True)
class Newcomer:
    """Someone who should have been given an invite: a student enrolled by an order, a parent
    of one, a new member of staff. ``since`` is the order's date or the staff role's start."""

    person_id: int
    name: str
    role: Role
    since: date
    order_number: str  # empty for staff
    student_name: str  # a parent's child; empty otherwise


async def enrolment_orders(
    session: AsyncSession, org_id: int, since: date
) -> dict[int, MovementOrder]:
    """The enrolment orders decided since ``since``, by the student each names."""
    rows = await session.execute(
        select(OrderStudent.student_id, MovementOrder)
        .join(MovementOrder, MovementOrder.id == OrderStudent.order_id)
        .where(
            MovementOrder.org_id == org_id,
            MovementOrder.decided_on >= since,
            MovementOrder.kind == OrderKind.ENROLMENT,
        )
        .order_by(MovementOrder.decided_on, MovementOrder.id)
    )
    return {sid: order for sid, order in rows.all()}


async def newcomers_without_invites(
    session: AsyncSession, org_id: int, since: date
) -> list[Newcomer]:
    """People enrolled by orders decided since ``since`` (still studying), their parents, and
    staff whose role started since then, who have neither an invite (used or not, not
    revoked) nor a linked Telegram account."""
    orders = await enrolment_orders(session, org_id, since)
    students: dict[int, tuple[int, str]] = {}  # student → (person, name)
    for ids in _chunks(orders):
        rows = await session.execute(
            select(Student.id, Person.id, Person.last_name, Person.first_name, Person.middle_name)
            .join(Person, Person.id == Student.person_id)
            .where(Student.id.in_(ids), Student.status == StudentStatus.STUDYING)
        )
        students.update(
            {sid: (pid, short_name(last, first, mid)) for sid, pid, last, first, mid in rows}
        )
    people: dict[int, Newcomer] = {}
    for sid, (pid, name) in students.items():
        order = orders[sid]
        people[pid] = Newcomer(pid, name, Role.STUDENT, order.decided_on, order.number, "")
    parents: list[tuple[int, int]] = []
    for ids in _chunks(students):
        links = await session.execute(
            select(not_null(Membership.student_id), Membership.person_id).where(
                Membership.student_id.in_(ids),
                Membership.role == Role.PARENT,
                Membership.active.is_(True),
            )
        )
        parents.extend((sid, pid) for sid, pid in links)
    staff = await session.execute(
        select(Membership.person_id, Membership.role, not_null(Membership.since)).where(
            Membership.org_id == org_id,
            Membership.role.in_(STAFF_ROLES),
            Membership.active.is_(True),
            Membership.since >= since,
        )
    )
    staff_rows = list(staff)
    names = await short_names(session, {p for _, p in parents} | {p for p, _, _ in staff_rows})
    for sid, pid in parents:
        order = orders[sid]
        people.setdefault(
            pid,
            Newcomer(
                pid,
                names.get(pid, ""),
                Role.PARENT,
                order.decided_on,
                order.number,
                students[sid][1],
            ),
        )
    for pid, role, started in sorted(staff_rows, key=lambda r: (r[2], r[0])):
        people.setdefault(pid, Newcomer(pid, names.get(pid, ""), role, started, "", ""))
    covered = await _with_invite_or_account(session, people)
    return sorted(
        (p for p in people.values() if p.person_id not in covered),
        key=lambda p: (p.since, p.order_number, p.name, p.person_id),
    )


async def _with_invite_or_account(session: AsyncSession, person_ids: Collection[int]) -> set[int]:
    covered: set[int] = set()
    for ids in _chunks(person_ids):
        covered.update(
            await session.scalars(
                select(Invite.person_id).where(
                    Invite.person_id.in_(ids), Invite.revoked_at.is_(None)
                )
            )
        )
        covered.update(
            await session.scalars(
                select(TelegramAccount.person_id).where(TelegramAccount.person_id.in_(ids))
            )
        )
    return covered


@dataclass(frozen=True)
class OrderRow:
    order_id: int
    number: str
    kind: str
    decided_on: date
    entered_at: datetime


async def orders_entered_between(
    session: AsyncSession, org_id: int, decided_since: date, start: datetime, end: datetime
) -> list[OrderRow]:
    """Orders decided since ``decided_since`` and entered in [start, end)."""
    rows = await session.execute(
        select(
            MovementOrder.id,
            MovementOrder.number,
            MovementOrder.kind,
            MovementOrder.decided_on,
            MovementOrder.entered_at,
        )
        .where(
            MovementOrder.org_id == org_id,
            MovementOrder.decided_on >= decided_since,
            MovementOrder.entered_at >= start,
            MovementOrder.entered_at < end,
        )
        .order_by(MovementOrder.decided_on, MovementOrder.id)
    )
    return [OrderRow(*row) for row in rows]


# --- R7: curriculum -----------------------------------------------------------------------


async def has_curriculum_for(session: AsyncSession, org_id: int, year: int) -> bool:
    """A curriculum whose academic year (the intake year, ``2026/2027``) starts in ``year``."""
    found = await session.scalar(
        select(Curriculum.id)
        .where(Curriculum.org_id == org_id, Curriculum.academic_year.like(f"{year}%"))
        .limit(1)
    )
    return found is not None


# --- digest ranges -------------------------------------------------------------------------


async def latest_digest_range(
    session: AsyncSession, org_id: int, digest: str
) -> tuple[date, date] | None:
    """The (first, last) day the college's latest digest of the kind covered."""
    row = (
        await session.execute(
            select(DigestRange.first_day, DigestRange.last_day)
            .where(DigestRange.org_id == org_id, DigestRange.digest == digest)
            .order_by(DigestRange.last_day.desc())
            .limit(1)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def record_digest_range(
    session: AsyncSession, org_id: int, digest: str, first: date, last: date, now: datetime
) -> None:
    """Record that the digest covered first…last; a second record of the same range (another
    scan, a restart) is skipped."""
    stmt = (
        dialect_insert(session, DigestRange)
        .values(org_id=org_id, digest=digest, first_day=first, last_day=last, sent_at=now)
        .on_conflict_do_nothing(index_elements=["org_id", "digest", "last_day"])
    )
    await session.execute(stmt)


# --- sent reminders -----------------------------------------------------------------------


async def sent_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    found: set[str] = set()
    items = sorted(set(keys))
    for start in range(0, len(items), CHUNK):
        rows = await session.scalars(
            select(SentReminder.key).where(SentReminder.key.in_(items[start : start + CHUNK]))
        )
        found.update(rows)
    return found


async def record_sent(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert the reminders; a key already there (another scan sent it) is skipped. Returns
    the keys inserted now: only those may be sent. The insert waits for a concurrent scan's
    uncommitted rows with the same keys, so of two scans exactly one gets each key."""
    if not rows:
        return set()
    fresh: set[str] = set()
    per_statement = CHUNK // 5  # five columns a row
    for start in range(0, len(rows), per_statement):
        stmt = (
            dialect_insert(session, SentReminder)
            .values(list(rows[start : start + per_statement]))
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(SentReminder.key)
        )
        fresh.update((await session.scalars(stmt)).all())
    return fresh


async def queue_messages(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> int:
    """Outbox rows (``OutboxMessage`` columns, the same in every row) in a few statements; a
    row whose ``dedup_key`` is queued already is skipped. Returns how many went in."""
    if not rows:
        return 0
    per_statement = CHUNK // (2 * len(rows[0]))
    queued = 0
    for start in range(0, len(rows), per_statement):
        stmt = (
            dialect_insert(session, OutboxMessage)
            .values(list(rows[start : start + per_statement]))
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(OutboxMessage.id)
        )
        queued += len((await session.scalars(stmt)).all())
    return queued
