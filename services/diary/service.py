"""The diary: a student's lessons with topics, homework, grades and marks, their grades by
discipline and their attendance in the current period, as the student and their parents see it.

Who may see whom: a student only themself (their STUDENT membership's ``student_id``), a parent
only their children (PARENT memberships, the same ``child_ids`` the Actor carries): the
``READ_DIARY`` right of services/policy.py. Callback data names the student, so
``open_student`` re-checks it on every press; a student one may not see is refused with one
message whether or not it exists, so ids cannot be probed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _
from services import policy
from services.access import make_actor
from services.diary import adults
from services.policy import Action, Target
from storage import adults as adults_q
from storage import diary as q
from storage.diary import GradeRow, LessonRow, MissRow
from storage.models import (
    AbsenceReason,
    Attendance,
    CalendarEntry,
    CalendarKind,
    Grade,
    GradeKind,
    Mark,
    Membership,
    Period,
    Person,
    Role,
)

NUMERIC_GRADES = ("2", "3", "4", "5")
SATURDAY, SUNDAY = 5, 6


# --- who may see whom ------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """A person looking at diaries: themself if a student, their children if a parent."""

    person_id: int
    org_id: int
    own_student_id: int | None
    child_ids: frozenset[int]
    rights: frozenset[Action] = frozenset()

    @property
    def student_id(self) -> int | None:
        return self.own_student_id

    @property
    def curator_group_ids(self) -> frozenset[int]:
        return frozenset()

    def may_see(self, student_id: int) -> bool:
        return policy.can(self, Action.READ_DIARY, Target(self.org_id, student_id=student_id))


def viewer_of(person: Person, memberships: Iterable[Membership]) -> Viewer:
    actor = make_actor(person, memberships)
    return Viewer(person.id, person.org_id, actor.student_id, actor.child_ids, actor.rights)


def default_student(viewer: Viewer, role: Role | None, child_id: int | None) -> int | None:
    """Whose diary the menu opens: one's own in the student role, the child in use in the
    parent role; otherwise whichever the person has."""
    child = child_id if child_id in viewer.child_ids else None
    if role is Role.STUDENT and viewer.own_student_id is not None:
        return viewer.own_student_id
    if role is Role.PARENT and child is not None:
        return child
    if viewer.own_student_id is not None:
        return viewer.own_student_id
    return child if child is not None else min(viewer.child_ids, default=None)


def not_yours() -> str:
    return _("Sorry, this diary is not available to you.")


def nobody() -> str:
    return _("There is no diary to show: no student is linked to your account.")


@dataclass(frozen=True)
class StudentCard:
    """The student whose diary is open, as far as the screens need to know them."""

    student_id: int
    org_id: int
    group_id: int | None
    name: str
    group_name: str
    timezone: str
    # A parent's view of an adult student who has not allowed it: nothing after this day
    # (services/diary/adults.py).
    seen_until: date | None = None

    def hides(self, day: date) -> bool:
        return self.seen_until is not None and day > self.seen_until

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime) -> date:
        """The college's date at ``now``: lesson dates are local dates."""
        return now.astimezone(self.tz).date()


async def open_student(
    session: AsyncSession,
    viewer: Viewer,
    student_id: int | None,
    *,
    adults_default: str = adults.STUDENT_DECIDES,
    today: date | None = None,
) -> StudentCard:
    """The student if the viewer may see their diary, else Denied. ``adults_default`` is the
    deployment's setting for parents of adult students; the student's college's wins."""
    if student_id is None:
        raise Denied(nobody())
    if not viewer.may_see(student_id):
        raise Denied(not_yours())
    row = await q.student_row(session, student_id)
    if row is None or row.student.org_id != viewer.org_id:
        raise Denied(not_yours())
    seen_until = None
    if student_id != viewer.own_student_id and today is not None:
        choice = await adults_q.choice_of(session, student_id)
        mode = await adults.mode_of(session, row.student.org_id, adults_default)
        seen_until = adults.parents_see_until(
            row.student.person.birth_date, choice.allowed if choice else None, mode, today
        )
    return StudentCard(
        student_id=row.student.id,
        org_id=row.student.org_id,
        group_id=row.student.group_id,
        name=row.student.person.short_name,
        group_name=row.group_name,
        timezone=row.timezone,
        seen_until=seen_until,
    )


# --- days and weeks --------------------------------------------------------------------


@dataclass(frozen=True)
class GradeMark:
    value: str  # "2".."5", "pass", "fail"
    kind: GradeKind
    comment: str


@dataclass(frozen=True)
class DiaryLesson:
    lesson_id: int
    date: date
    pair_no: int
    starts: time  # local
    ends: time  # local
    discipline: str
    room: str
    cancelled: bool
    topic: str
    homework: str
    homework_file: bool
    distance: dict[str, Any] | None
    grades: tuple[GradeMark, ...]
    mark: Mark | None  # absent or late; None: present or not marked yet
    reason: AbsenceReason | None


@dataclass(frozen=True)
class DayOff:
    kind: CalendarKind
    name: str


@dataclass(frozen=True)
class DiaryDay:
    date: date
    lessons: tuple[DiaryLesson, ...]
    day_off: DayOff | None = None


@dataclass(frozen=True)
class DiaryWeek:
    monday: date
    days: tuple[DiaryDay, ...]  # Monday to Saturday, and Sunday when it has lessons


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build_days(
    first: date,
    last: date,
    lessons: Sequence[LessonRow],
    grades: Iterable[Grade],
    marks: Iterable[Attendance],
    offs: Iterable[CalendarEntry],
    tz: ZoneInfo,
) -> list[DiaryDay]:
    """Every date from ``first`` to ``last`` with its lessons and what the student got."""
    by_lesson: dict[int, list[GradeMark]] = defaultdict(list)
    for grade in grades:
        by_lesson[grade.lesson_id].append(GradeMark(grade.value, grade.kind, grade.comment))
    marked = {a.lesson_id: a for a in marks if a.mark is not Mark.PRESENT}
    on_day: dict[date, list[DiaryLesson]] = defaultdict(list)
    for row in lessons:
        lesson, mark = row.lesson, marked.get(row.lesson.id)
        on_day[lesson.date].append(
            DiaryLesson(
                lesson_id=lesson.id,
                date=lesson.date,
                pair_no=lesson.pair_no,
                starts=lesson.starts_at.astimezone(tz).time(),
                ends=lesson.ends_at.astimezone(tz).time(),
                discipline=row.discipline_name,
                room=lesson.room,
                cancelled=lesson.cancelled,
                topic=lesson.topic,
                homework=lesson.homework,
                homework_file=bool(lesson.homework_file_id),
                distance=lesson.distance,
                grades=tuple(by_lesson.get(lesson.id, ())),
                mark=mark.mark if mark else None,
                reason=mark.reason if mark else None,
            )
        )
    offs = list(offs)
    days = []
    day = first
    while day <= last:
        off = next((e for e in offs if e.starts_on <= day <= e.ends_on), None)
        days.append(
            DiaryDay(day, tuple(on_day.get(day, ())), DayOff(off.kind, off.name) if off else None)
        )
        day += timedelta(days=1)
    return days


async def diary_days(
    session: AsyncSession, card: StudentCard, first: date, last: date
) -> list[DiaryDay]:
    """The student's days from ``first`` to ``last``: four queries whatever the range."""
    lessons: list[LessonRow] = []
    if card.group_id is not None:
        lessons = await q.lessons_between(session, card.student_id, card.group_id, first, last)
    lessons = [row for row in lessons if not card.hides(row.lesson.date)]
    ids = [row.lesson.id for row in lessons]
    grades = await q.grades_on(session, card.student_id, ids)
    marks = await q.attendance_on(session, card.student_id, ids)
    offs = await q.days_off(session, card.org_id, card.group_id, first, last)
    return build_days(first, last, lessons, grades, marks, offs, card.tz)


async def diary_day(session: AsyncSession, card: StudentCard, day: date) -> DiaryDay:
    [found] = await diary_days(session, card, day, day)
    return found


async def diary_week(session: AsyncSession, card: StudentCard, day: date) -> DiaryWeek:
    """The week (Monday to Sunday) holding ``day``; Sunday is left out when it has no
    lessons, colleges teach six days at most."""
    monday = week_start(day)
    days = await diary_days(session, card, monday, monday + timedelta(days=SUNDAY))
    if not days[SUNDAY].lessons:
        days = days[:SUNDAY]
    return DiaryWeek(monday, tuple(days))


def not_your_lesson() -> str:
    return _("This lesson is not in the diary.")


async def diary_lesson(session: AsyncSession, card: StudentCard, lesson_id: int) -> DiaryLesson:
    """One of the student's lessons with what they got on it, else Denied."""
    row = None
    if card.group_id is not None:
        row = await q.lesson_of_student(session, card.student_id, card.group_id, lesson_id)
    if row is None or card.hides(row.lesson.date):
        raise Denied(not_your_lesson())
    grades = await q.grades_on(session, card.student_id, [lesson_id])
    marks = await q.attendance_on(session, card.student_id, [lesson_id])
    day = row.lesson.date
    [found] = build_days(day, day, [row], grades, marks, [], card.tz)
    return found.lessons[0]


@dataclass(frozen=True)
class HomeworkFile:
    file_id: str
    file_name: str
    discipline: str
    date: date


def no_file() -> str:
    return _("There is no homework file here.")


async def homework_file(session: AsyncSession, card: StudentCard, lesson_id: int) -> HomeworkFile:
    """The homework file of one of the student's lessons, else Denied (the same for a lesson
    that is not theirs, so lesson ids cannot be probed)."""
    row = None
    if card.group_id is not None:
        row = await q.lesson_of_student(session, card.student_id, card.group_id, lesson_id)
    if row is None or not row.lesson.homework_file_id or card.hides(row.lesson.date):
        raise Denied(no_file())
    lesson = row.lesson
    return HomeworkFile(
        file_id=lesson.homework_file_id,  # type: ignore[arg-type]
        file_name=lesson.homework_file_name or "",
        discipline=row.discipline_name,
        date=lesson.date,
    )


# --- grades by discipline ---------------------------------------------------------------


def numeric(value: str) -> int | None:
    return int(value) if value in NUMERIC_GRADES else None


def average(values: Iterable[str]) -> float | None:
    """Mean of the 2–5 grades, to two places; pass/fail do not count. None without any."""
    numbers = [n for n in map(numeric, values) if n is not None]
    return round(sum(numbers) / len(numbers), 2) if numbers else None


@dataclass(frozen=True)
class DisciplineGrades:
    discipline_id: int
    name: str
    values: tuple[str, ...]  # in lesson order
    average: float | None
    attestation: str | None  # the period grade, once given


@dataclass(frozen=True)
class GradesSummary:
    period: Period | None
    disciplines: tuple[DisciplineGrades, ...]


def summarise_grades(
    disciplines: Iterable[tuple[int, str]],
    grades: Iterable[GradeRow],
    attestation: dict[int, str],
) -> tuple[DisciplineGrades, ...]:
    """One line per discipline the student has lessons or grades in, by name."""
    names = dict(disciplines)
    values: dict[int, list[str]] = defaultdict(list)
    for row in grades:
        names.setdefault(row.discipline_id, row.discipline_name)
        values[row.discipline_id].append(row.grade.value)
    lines = [
        DisciplineGrades(
            discipline_id=did,
            name=name,
            values=tuple(values.get(did, ())),
            average=average(values.get(did, ())),
            attestation=attestation.get(did),
        )
        for did, name in names.items()
    ]
    lines.sort(key=lambda d: (d.name.casefold(), d.discipline_id))
    return tuple(lines)


async def grades_summary(session: AsyncSession, card: StudentCard, today: date) -> GradesSummary:
    period = await q.period_on(session, card.org_id, today)
    if period is None:
        return GradesSummary(None, ())
    disciplines: list[tuple[int, str]] = []
    if card.group_id is not None:
        disciplines = await q.disciplines_in_period(
            session, card.student_id, card.group_id, period.id
        )
    grades = await q.grades_in_period(session, card.student_id, period.id)
    grades = [g for g in grades if not card.hides(g.lesson_date)]
    given = await q.period_grades(session, card.student_id, period.id)
    if card.hides(period.ends_on):  # period grades carry no date of their own
        given = []
    attestation = {g.discipline_id: g.value for g in given}
    return GradesSummary(period, summarise_grades(disciplines, grades, attestation))


# --- attendance -------------------------------------------------------------------------


@dataclass(frozen=True)
class Miss:
    date: date
    discipline: str


@dataclass(frozen=True)
class AttendanceSummary:
    period: Period | None
    illness: int = 0  # missed lessons, by reason
    excused: int = 0
    unexcused: int = 0
    unexplained: int = 0  # no reason yet
    absent_hours: int = 0
    late: int = 0
    unexplained_lessons: tuple[Miss, ...] = ()

    @property
    def absences(self) -> int:
        return self.illness + self.excused + self.unexcused + self.unexplained


def summarise_attendance(period: Period | None, misses: Iterable[MissRow]) -> AttendanceSummary:
    counts = {reason: 0 for reason in AbsenceReason}
    unexplained: list[Miss] = []
    hours = late = 0
    for miss in misses:
        if miss.mark is Mark.LATE:
            late += 1
            continue
        hours += miss.hours
        if miss.reason is None:
            unexplained.append(Miss(miss.lesson_date, miss.discipline_name))
        else:
            counts[miss.reason] += 1
    return AttendanceSummary(
        period=period,
        illness=counts[AbsenceReason.ILLNESS],
        excused=counts[AbsenceReason.EXCUSED],
        unexcused=counts[AbsenceReason.UNEXCUSED],
        unexplained=len(unexplained),
        absent_hours=hours,
        late=late,
        unexplained_lessons=tuple(unexplained),
    )


async def attendance_summary(
    session: AsyncSession, card: StudentCard, today: date
) -> AttendanceSummary:
    period = await q.period_on(session, card.org_id, today)
    if period is None:
        return AttendanceSummary(None)
    misses = await q.misses_in_period(session, card.student_id, period.id)
    return summarise_attendance(period, [m for m in misses if not card.hides(m.lesson_date)])


async def attendance_days(session: AsyncSession, card: StudentCard, today: date) -> list[MissRow]:
    """The student's absences and latenesses of the current period, oldest first: the
    attendance calendar of the journal grid."""
    period = await q.period_on(session, card.org_id, today)
    if period is None:
        return []
    misses = await q.misses_in_period(session, card.student_id, period.id)
    return [m for m in misses if not card.hides(m.lesson_date)]
