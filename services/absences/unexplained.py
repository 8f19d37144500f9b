"""Absence reasons (§3.3.5, R4): the curator's list of unexplained absences, by student and
by day, and setting a reason for one lesson, a whole day or a date range.

Who may set a reason: a curator of the student's current group, and the deputy director of
the student's college. Every call re-checks it on the server, since callback data can be
forged; a student of another group or college is refused with one and the same message, so
ids cannot be probed. Only unexplained absences get a reason here; each one set is audited
(old → new) and emits ``absence.reason_set`` in the same transaction, one event per lesson,
in the payload services/notifications/facts.py reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _
from services import policy
from services.absences.dates import DateRange, check_range
from services.access import Actor
from storage import absences as q
from storage import audit, events
from storage.absences import AbsenceRow, StudentInfo
from storage.models import AbsenceReason, Group

MAX_RANGE_DAYS = 92  # a certificate for a long illness; more is surely a typing slip


@dataclass(frozen=True)
class StudentAbsences:
    student_id: int
    name: str
    absences: tuple[AbsenceRow, ...]

    @property
    def days(self) -> list[date]:
        return sorted({a.day for a in self.absences})

    def on(self, day: date) -> list[AbsenceRow]:
        return [a for a in self.absences if a.day == day]


@dataclass(frozen=True)
class DayAbsences:
    day: date
    students: tuple[StudentAbsences, ...]

    @property
    def count(self) -> int:
        return sum(len(s.absences) for s in self.students)


@dataclass(frozen=True)
class ReasonResult:
    student: StudentInfo
    reason: AbsenceReason
    lessons: tuple[AbsenceRow, ...]  # the absences that got the reason now

    @property
    def count(self) -> int:
        return len(self.lessons)


def not_your_student() -> str:
    return _("This student is not in your groups.")


def may_set_reasons(actor: Actor, student: StudentInfo) -> bool:
    return policy.can(actor, policy.Action.SET_ABSENCE_REASON, policy.Target.student(student))


async def student_for_reasons(session: AsyncSession, actor: Actor, student_id: int) -> StudentInfo:
    """The student if the actor may set their absence reasons, else Denied."""
    student = await q.student_info(session, student_id)
    if student is None or not may_set_reasons(actor, student):
        raise Denied(not_your_student())
    return student


async def curated_groups(session: AsyncSession, actor: Actor) -> list[Group]:
    return [g for g in await q.groups_named(session, actor.curator_group_ids) if g.active]


def _by_student(rows: Iterable[AbsenceRow]) -> list[StudentAbsences]:
    grouped: dict[int, list[AbsenceRow]] = {}
    for row in rows:
        grouped.setdefault(row.student_id, []).append(row)
    found = [StudentAbsences(sid, rs[0].student_name, tuple(rs)) for sid, rs in grouped.items()]
    found.sort(key=lambda s: (s.absences[0].sort_key, s.student_id))
    return found


async def by_student(session: AsyncSession, actor: Actor, today: date) -> list[StudentAbsences]:
    """Unexplained absences in the actor's groups up to today, per student in name order."""
    rows = await q.unexplained_in_groups(session, actor.org_id, actor.curator_group_ids, today)
    return _by_student(rows)


async def by_day(session: AsyncSession, actor: Actor, today: date) -> list[DayAbsences]:
    """The same, per day, the latest day first (the one most likely still to be sorted out)."""
    rows = await q.unexplained_in_groups(session, actor.org_id, actor.curator_group_ids, today)
    days: dict[date, list[AbsenceRow]] = {}
    for row in rows:
        days.setdefault(row.day, []).append(row)
    return [DayAbsences(d, tuple(_by_student(days[d]))) for d in sorted(days, reverse=True)]


async def of_day(session: AsyncSession, actor: Actor, day: date, today: date) -> DayAbsences:
    rows = await q.unexplained_in_groups(
        session, actor.org_id, actor.curator_group_ids, today, day=day
    )
    return DayAbsences(day, tuple(_by_student(rows)))


async def of_student(
    session: AsyncSession, actor: Actor, student_id: int, today: date
) -> tuple[StudentInfo, StudentAbsences]:
    student = await student_for_reasons(session, actor, student_id)
    rows = await q.absences_of_student(session, student_id, date.min, today)
    return student, StudentAbsences(student_id, student.short_name, tuple(rows))


def _scope(first: date | None, last: date | None, lesson_id: int | None) -> DateRange:
    if lesson_id is not None:
        return DateRange(date.min, date.max)
    if first is None or last is None:
        raise ValueError("a date range or a lesson is needed")
    found = DateRange(first, last) if first <= last else DateRange(last, first)
    check_range(found, max_days=MAX_RANGE_DAYS)
    return found


async def unexplained_in(
    session: AsyncSession,
    actor: Actor,
    student_id: int,
    *,
    first: date | None = None,
    last: date | None = None,
    lesson_id: int | None = None,
) -> tuple[StudentInfo, list[AbsenceRow]]:
    """What a reason would be set on: the student's unexplained absences of one lesson or in
    a date range, after checking the actor may set them."""
    student = await student_for_reasons(session, actor, student_id)
    scope = _scope(first, last, lesson_id)
    rows = await q.absences_of_student(
        session, student_id, scope.first, scope.last, lesson_id=lesson_id
    )
    return student, rows


async def set_reason(
    session: AsyncSession,
    actor: Actor,
    student_id: int,
    reason: AbsenceReason,
    now: datetime,
    *,
    first: date | None = None,
    last: date | None = None,
    lesson_id: int | None = None,
) -> ReasonResult:
    """Set ``reason`` on the student's unexplained absences of one lesson (``lesson_id``) or
    of every lesson from ``first`` to ``last`` (one day: both the same). The caller commits."""
    student = await student_for_reasons(session, actor, student_id)
    scope = _scope(first, last, lesson_id)
    done = await apply_reason(
        session,
        student,
        reason,
        actor.person_id,
        now,
        scope.first,
        scope.last,
        lesson_id=lesson_id,
    )
    return ReasonResult(student, reason, tuple(done))


async def apply_reason(
    session: AsyncSession,
    student: StudentInfo,
    reason: AbsenceReason,
    actor_id: int,
    now: datetime,
    first: date,
    last: date,
    *,
    lesson_id: int | None = None,
    justification_id: int | None = None,
    source: str = "bot",
) -> list[AbsenceRow]:
    """Set the reason without checking who asks (the callers have): audit and events for
    every absence that was still unexplained when its row was locked."""
    rows = await q.absences_of_student(
        session, student.student_id, first, last, lesson_id=lesson_id, lock=True
    )
    done: list[AbsenceRow] = []
    for row in rows:
        if not await q.set_reason(session, row.attendance_id, reason, actor_id, now):
            continue
        done.append(row)
        _record(session, student, row, reason, actor_id, justification_id, source)
    return done


def _record(
    session: AsyncSession,
    student: StudentInfo,
    row: AbsenceRow,
    reason: AbsenceReason,
    actor_id: int,
    justification_id: int | None,
    source: str,
) -> None:
    new: dict[str, object] = {"reason": reason}
    if justification_id is not None:
        new["justification_id"] = justification_id  # which document the reason rests on
    audit.record(
        session,
        org_id=student.org_id,
        actor_id=actor_id,
        action="update",
        entity="attendance",
        entity_id=row.attendance_id,
        old={"reason": row.reason},
        new=new,
        source=source,
    )
    events.emit(
        session,
        org_id=student.org_id,
        kind=events.ABSENCE_REASON_SET,
        subject=f"reason:{row.lesson_id}:{row.student_id}",
        payload={
            "attendance_id": row.attendance_id,
            "student_id": row.student_id,
            "lesson_id": row.lesson_id,
            "lesson_date": row.day.isoformat(),
            "pair_no": row.pair_no,
            "discipline": row.discipline,
            "reason": reason.value,
            "old_reason": row.reason.value if row.reason else None,
            "justification_id": justification_id,
        },
        actor_id=actor_id,
    )


def count_days(rows: Sequence[AbsenceRow]) -> int:
    return len({r.day for r in rows})
