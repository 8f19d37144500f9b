"""A teacher's day ("My lessons") and their attestation tasks.

A card says what is done and what is missing: the register taken, the topic entered, how
many grades the lesson holds. Times are the college's local times; the day is a local date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _
from services import policy
from services.access import Actor
from services.journal.attestation import sheet_form
from storage import journal as q
from storage import teaching
from storage.models import AttestationForm, Period


@dataclass(frozen=True)
class LessonCard:
    lesson_id: int
    date: date
    pair_no: int
    starts: time  # local
    ends: time  # local
    group_name: str
    subgroup_name: str | None
    discipline_name: str
    room: str
    cancelled: bool
    register_done: bool
    topic_entered: bool
    homework_set: bool
    distance: bool
    grades_count: int


@dataclass(frozen=True)
class AttestationTask:
    group_id: int
    group_name: str
    subgroup_id: int | None
    subgroup_name: str | None
    discipline_id: int
    discipline_name: str
    period: Period
    form: AttestationForm


async def lessons_of_day(session: AsyncSession, actor: Actor, day: date) -> list[LessonCard]:
    """The actor's own lessons on ``day`` (a local date), in bell order."""
    rows = await q.teacher_lessons_on(session, actor.org_id, actor.person_id, day)
    return _cards(rows, actor.tz)


async def overseen_groups(session: AsyncSession, actor: Actor) -> list[tuple[int, str]]:
    """The groups whose journal the deputy director or the director may open: the college's."""
    policy.require(
        actor,
        policy.Action.READ_GROUP_JOURNALS,
        None,
        _("Only the deputy director and the director open other teachers' journals."),
    )
    return await q.college_groups(session, actor.org_id)


async def group_lessons_of_day(
    session: AsyncSession, actor: Actor, group_id: int, day: date
) -> list[LessonCard]:
    """A group's lessons on ``day`` for the deputy director or the director of its college
    (the lesson card then lets the deputy correct a lesson past the teacher's edit window)."""
    groups = dict(await overseen_groups(session, actor))
    if group_id not in groups:
        raise Denied(_("This group is not in your college."))
    rows = await q.group_lessons_on(session, actor.org_id, group_id, day)
    return _cards(rows, actor.tz)


def _cards(rows: list[q.DayRow], tz: ZoneInfo) -> list[LessonCard]:
    return [
        LessonCard(
            lesson_id=row.lesson.id,
            date=row.lesson.date,
            pair_no=row.lesson.pair_no,
            starts=row.lesson.starts_at.astimezone(tz).time(),
            ends=row.lesson.ends_at.astimezone(tz).time(),
            group_name=row.group_name,
            subgroup_name=row.subgroup_name,
            discipline_name=row.discipline_name,
            room=row.lesson.room,
            cancelled=row.lesson.cancelled,
            register_done=row.lesson.register_done_at is not None,
            topic_entered=bool(row.lesson.topic),
            homework_set=bool(row.lesson.homework or row.lesson.homework_file_id),
            distance=row.lesson.distance is not None,
            grades_count=row.grades_count,
        )
        for row in rows
    ]


async def lessons_today(session: AsyncSession, actor: Actor, now: datetime) -> list[LessonCard]:
    return await lessons_of_day(session, actor, actor.today(now))


async def attestation_tasks(
    session: AsyncSession, actor: Actor, now: datetime
) -> list[AttestationTask]:
    """(group or subgroup, discipline, period) the teacher owes period grades for: their
    assignments in periods that have begun and are not closed, where the curriculum names a
    form of attestation. An assignment without a period counts for every such period."""
    rows = await teaching.teacher_assignments(session, actor.org_id, actor.person_id)
    periods = await teaching.begun_open_periods(session, actor.org_id, actor.today(now))
    curricula = [row.group.curriculum_id for row in rows if row.group.curriculum_id]
    forms = await teaching.attestation_forms(session, curricula)
    tasks: list[AttestationTask] = []
    seen: set[tuple[int, int | None, int, int]] = set()
    for row in rows:
        a, group = row.assignment, row.group
        for period in periods:
            key = (group.id, a.subgroup_id, a.discipline_id, period.id)
            if a.period_id not in (None, period.id) or key in seen:
                continue
            form = sheet_form(group, a.discipline_id, period, forms)
            if form is None:
                continue
            seen.add(key)
            tasks.append(
                AttestationTask(
                    group.id,
                    group.name,
                    a.subgroup_id,
                    row.subgroup_name,
                    a.discipline_id,
                    row.discipline.name,
                    period,
                    form,
                )
            )
    return tasks
