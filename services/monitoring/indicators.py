"""The indicators of monitoring (§IV, docs/monitoring.md) for a college, a teacher, a lesson.

Each lesson held in the span is judged by the rules that fall on it, with
``deadlines.timeliness`` against the recorded time it was first done:

* R1 the register (``register_done_at``): due the working day after the lesson;
* R2 the topic (``topic_entered_at``): due on the lesson's day;
* R9 the distance format (``distance_entered_at``): due on the lesson's day, for a lesson with a
  format and for every lesson of a group's declared distance day; an incomplete format is
  missing.

Beside them: the share of absences left without a reason, and current grades per student
present at a lesson. Items not due yet are counted apart and left out of the shares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.bulk import no_collection
from core.errors import Denied
from core.i18n import _
from services import policy
from services.access import Actor
from services.calendar.workdays import WorkCalendar
from services.monitoring import span
from services.monitoring.span import Preset, Span
from services.policy import Action
from services.reminders import deadlines
from services.reminders.deadlines import Done
from storage import distance
from storage import monitoring as q
from storage.models import Lesson, Organisation, Period
from storage.monitoring import Combo, LessonCounts, LessonRow

BEHIND_SHOWN = 5


class Rule(StrEnum):
    """The rules monitoring judges (PRODUCT.md): R1, R2 and R9 lesson by lesson, the others
    item by item (services/monitoring/items.py)."""

    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"
    R6 = "R6"
    R7 = "R7"
    R8 = "R8"
    R9 = "R9"


LESSON_RULES = (Rule.R1, Rule.R2, Rule.R9)
# The rules whose items are a teacher's own (items.py gives R3 and R8 a teacher; R4–R7 are
# the curator's and the office's): what "furthest behind" counts.
TEACHER_RULES = (Rule.R1, Rule.R2, Rule.R3, Rule.R8, Rule.R9)


@dataclass
class Tally:
    """Items of one rule by how they were kept."""

    on_time: int = 0
    late: int = 0
    missing: int = 0
    not_due: int = 0

    def add(self, done: Done) -> None:
        if done is Done.ON_TIME:
            self.on_time += 1
        elif done is Done.LATE:
            self.late += 1
        elif done is Done.MISSING:
            self.missing += 1
        else:
            self.not_due += 1

    @property
    def due(self) -> int:
        return self.on_time + self.late + self.missing

    def share(self, part: int) -> float | None:
        """``part`` of the items due, 0–1; None when nothing was due."""
        return part / self.due if self.due else None


@dataclass
class Line:
    """The indicators of one teacher, group, discipline, or the whole college."""

    key: int
    name: str
    rules: dict[Rule, Tally] = field(default_factory=lambda: {rule: Tally() for rule in Rule})
    lessons: int = 0
    present: int = 0
    absent: int = 0
    unexplained: int = 0
    grades: int = 0

    @property
    def behind(self) -> int:
        """Items missing or late of the teacher's rules: how far behind the journal is."""
        return sum(self.rules[rule].missing + self.rules[rule].late for rule in TEACHER_RULES)

    @property
    def unexplained_share(self) -> float | None:
        return self.unexplained / self.absent if self.absent else None

    @property
    def grades_per_student(self) -> float | None:
        return self.grades / self.present if self.present else None


class LessonJudged(NamedTuple):
    """A lesson's verdicts (a tuple: a semester holds tens of thousands)."""

    row: LessonRow
    counts: LessonCounts
    done: dict[Rule, Done]
    register: int = 0  # students on the register (the group's or subgroup's list)

    @property
    def behind(self) -> bool:
        return any(d in (Done.LATE, Done.MISSING) for d in self.done.values())


@dataclass(frozen=True)
class Monitoring:
    span: Span
    college: Line
    teachers: list[Line]
    groups: list[Line]
    disciplines: list[Line]
    lessons: list[LessonJudged]

    @property
    def furthest_behind(self) -> list[Line]:
        behind = [line for line in self.teachers if line.behind]
        return sorted(behind, key=lambda line: (-line.behind, line.name))[:BEHIND_SHOWN]


def _refusal() -> Denied:
    return Denied(_("Monitoring is for the deputy director and the director."))


def require(actor: Actor) -> None:
    if not policy.can(actor, Action.SEE_MONITORING):
        raise _refusal()


Sizes = tuple[dict[int, int], dict[int, int]]  # students per group, per subgroup


def judge(
    rows: Iterable[LessonRow],
    counts: dict[int, LessonCounts],
    timezone: str,
    cal: WorkCalendar,
    today: date,
    sizes: Sizes = ({}, {}),
    at_distance: Collection[tuple[int, date]] = frozenset(),
) -> list[LessonJudged]:
    """Each lesson's verdict by rule, in its college's time zone and working days;
    ``at_distance``: the declared distance days, (group, day). ``counts`` per lesson may be
    left empty when the lines get theirs per teacher, group and discipline (``summarise``)."""
    tz = ZoneInfo(timezone)
    due: dict[date, date] = {}  # R1's deadline by lesson day: few days, many lessons
    ends: dict[date, datetime] = {}  # the first instant after a college day, in UTC

    def register_due(day: date) -> date:
        if day not in due:
            due[day] = deadlines.register_deadline(day, cal)
        return due[day]

    def done_by(deadline: date, done_at: datetime | None) -> Done:
        """``deadlines.timeliness`` of the time itself: done on the deadline's day or before
        is done before the next day starts in the college's zone (one conversion per day,
        not per item)."""
        if done_at is None:
            return Done.NOT_DUE if today <= deadline else Done.MISSING
        end = ends.get(deadline)
        if end is None:
            local = datetime.combine(deadline + timedelta(days=1), time(), tz)
            end = ends[deadline] = local.astimezone(UTC)
        return Done.ON_TIME if done_at < end else Done.LATE

    by_group, by_subgroup = sizes
    empty = LessonCounts()
    judged = []
    for row in rows:
        done = {
            Rule.R1: done_by(register_due(row.day), row.register_done_at),
            Rule.R2: done_by(row.day, row.topic_entered_at),
        }
        if row.distance or (row.group_id, row.day) in at_distance:
            complete = row.distance and not deadlines.distance_incomplete(row.distance)
            done[Rule.R9] = done_by(row.day, row.distance_entered_at if complete else None)
        register = (
            by_subgroup.get(row.subgroup_id, 0)
            if row.subgroup_id is not None
            else by_group.get(row.group_id, 0)
        )
        judged.append(LessonJudged(row, counts.get(row.lesson_id, empty), done, register))
    return judged


def merge(lines: Iterable[Line], key: int, name: str) -> Line:
    """One line of several (a teacher's of their groups and disciplines, a region's of its
    colleges)."""
    total = Line(key, name)
    for line in lines:
        total.lessons += line.lessons
        total.present += line.present
        total.absent += line.absent
        total.unexplained += line.unexplained
        total.grades += line.grades
        for rule, tally in line.rules.items():
            mine = total.rules[rule]
            mine.on_time += tally.on_time
            mine.late += tally.late
            mine.missing += tally.missing
            mine.not_due += tally.not_due
    return total


def summarise(
    span: Span,
    lessons: list[LessonJudged],
    name: str,
    combos: dict[Combo, LessonCounts] | None = None,
    *,
    lines: bool = True,
) -> Monitoring:
    """The lines of the lessons judged: each lesson is added once, to the line of its teacher,
    group and discipline, and those few hundred lines make the teachers', groups',
    disciplines' and the college's. ``combos``: the absences and grades per teacher, group
    and discipline (``storage.monitoring.combo_counts``); without them each lesson's own.
    ``lines=False``: the college's line only (the region's side-by-side figures)."""
    per: dict[Combo, Line] = {}
    names: dict[Combo, tuple[str, str, str]] = {}
    for lesson in lessons:
        r = lesson.row
        key = (r.teacher_id, r.group_id, r.discipline_id)
        line = per.get(key)
        if line is None:
            line = per[key] = Line(0, "")
            names[key] = (r.teacher, r.group, r.discipline)
        line.lessons += 1
        line.present += lesson.register
        for rule, done in lesson.done.items():
            line.rules[rule].add(done)
        if combos is None:
            c = lesson.counts
            line.present -= min(c.absent, lesson.register)
            line.absent += c.absent
            line.unexplained += c.unexplained
            line.grades += c.grades
    for key, c in (combos or {}).items():
        line = per.get(key)
        if line is not None:
            line.present = max(line.present - c.absent, 0)
            line.absent += c.absent
            line.unexplained += c.unexplained
            line.grades += c.grades

    def lines_of(part: int) -> list[Line]:
        if not lines:
            return []
        grouped: dict[int, list[Combo]] = defaultdict(list)
        for key in per:
            grouped[key[part]].append(key)
        found = [
            merge((per[k] for k in keys), key, names[keys[0]][part])
            for key, keys in grouped.items()
        ]
        return sorted(found, key=lambda line: line.name)

    return Monitoring(
        span=span,
        college=merge(per.values(), 0, name),
        teachers=lines_of(0),
        groups=lines_of(1),
        disciplines=lines_of(2),
        lessons=lessons,
    )


async def college(session: AsyncSession, actor: Actor, span: Span, today: date) -> Monitoring:
    """The college's indicators for the span (the deputy director's and the director's)."""
    require(actor)
    org = await session.get(Organisation, actor.org_id)
    name = org.name if org else ""
    return await of_college(session, actor, actor.org_id, span, today, name)


async def of_college(
    session: AsyncSession, actor: Actor, org_id: int, span: Span, today: date, name: str = ""
) -> Monitoring:
    """The indicators of the actor's college, whose reach the caller has checked."""
    return await of_org(session, org_id, actor.timezone, actor.calendar, span, today, name)


async def of_org(
    session: AsyncSession,
    org_id: int,
    timezone: str,
    cal: WorkCalendar,
    span: Span,
    today: date,
    name: str = "",
    *,
    lines: bool = True,
    combos: dict[Combo, LessonCounts] | None = None,
) -> Monitoring:
    """The indicators of any college, in its own zone and calendar; the caller checked the
    reach (the actor's college, or a college of a specialist's region). ``lines=False``: the
    college's line only, no teacher's, group's or discipline's; ``combos``: its absences and
    grades already read (``storage.monitoring.colleges_combo_counts``, the region's)."""
    rows = await q.lessons(session, org_id, span.first, span.last)
    if combos is None:
        combos = await q.combo_counts(session, org_id, span.first, span.last)
    sizes = await q.register_sizes(session, org_id)
    remote = await distance.declared(session, [org_id], span.first, span.last)
    with no_collection():  # tens of thousands of verdicts: core/bulk.py
        judged = judge(rows, {}, timezone, cal, today, sizes, remote)
        return summarise(span, judged, name, combos, lines=lines)


async def teacher(
    session: AsyncSession, actor: Actor, teacher_id: int, span: Span, today: date
) -> tuple[str, Monitoring]:
    """One teacher's lessons of the span, judged. A teacher of another college is refused as
    if they did not exist (a forged press)."""
    require(actor)
    name = await q.teacher_in_college(session, actor.org_id, teacher_id)
    if name is None:
        raise Denied(_("This teacher is not found in your college."))
    return name, await of_teacher(session, actor, teacher_id, span, today, name)


async def of_teacher(
    session: AsyncSession, actor: Actor, teacher_id: int, span: Span, today: date, name: str
) -> Monitoring:
    """The lessons of a teacher of the actor's college, whose reach the caller has checked."""
    # R9 follows the declared distance days, so the teacher's own lessons are enough.
    first, last = span.first, span.last
    rows = await q.lessons(session, actor.org_id, first, last, teacher_id=teacher_id)
    combos = await q.combo_counts(session, actor.org_id, first, last, teacher_id)
    sizes = await q.register_sizes(session, actor.org_id)
    remote = await distance.declared(session, [actor.org_id], first, last)
    judged = judge(rows, {}, actor.timezone, actor.calendar, today, sizes, remote)
    return summarise(span, judged, name, combos)


async def lesson(session: AsyncSession, actor: Actor, lesson_id: int, today: date) -> LessonJudged:
    """One lesson of the college, judged; another college's is refused as not found."""
    require(actor)
    found = await session.get(Lesson, lesson_id)
    if found is None or found.org_id != actor.org_id or found.cancelled:
        raise Denied(_("This lesson is not found in your college."))
    rows = await q.lessons(session, actor.org_id, found.date, found.date)
    counts = await q.lesson_counts(session, actor.org_id, found.date, found.date, lesson_id)
    sizes = await q.register_sizes(session, actor.org_id)
    remote = await distance.declared(session, [actor.org_id], found.date, found.date)
    judged = judge(rows, counts, actor.timezone, actor.calendar, today, sizes, remote)
    return next(j for j in judged if j.row.lesson_id == lesson_id)


async def preset_span(session: AsyncSession, actor: Actor, kind: Preset, today: date) -> Span:
    """A preset period (the week, the month, the semester of the college's periods) as
    monitoring reads it."""
    semester = await semester_of(session, actor.org_id, today)
    return span.checked(span.preset(kind, today, semester), today, actor.calendar)


async def semester_of(session: AsyncSession, org_id: int, today: date) -> tuple[date, date] | None:
    """The first and last day of the period (semester) holding ``today``."""
    found = await session.scalar(
        select(Period).where(
            Period.org_id == org_id, Period.starts_on <= today, Period.ends_on >= today
        )
    )
    return (found.starts_on, found.ends_on) if found else None


@dataclass(frozen=True)
class Weekly:
    """R1 on time by teacher and week (Monday of the week), and the college's trend."""

    weeks: list[date]
    teachers: list[str]
    on_time: list[list[float | None]]  # [teacher][week]
    trend: list[float | None]  # [week]


def weekly(m: Monitoring, teachers_max: int = 30) -> Weekly:
    """The teachers furthest behind first (at most ``teachers_max``, so the chart stays
    readable), their R1 share on time for each week of the span."""

    def monday(day: date) -> date:
        return day - timedelta(days=day.weekday())

    weeks = sorted({monday(j.row.day) for j in m.lessons})
    tallies: dict[tuple[int, date], Tally] = {}
    college: dict[date, Tally] = {week: Tally() for week in weeks}
    for j in m.lessons:
        week = monday(j.row.day)
        tallies.setdefault((j.row.teacher_id, week), Tally()).add(j.done[Rule.R1])
        college[week].add(j.done[Rule.R1])
    chosen = sorted(m.teachers, key=lambda t: (-t.behind, t.name))[:teachers_max]
    on_time = [
        [(t := tallies.get((line.key, week), Tally())).share(t.on_time) for week in weeks]
        for line in chosen
    ]
    trend = [college[week].share(college[week].on_time) for week in weeks]
    return Weekly(weeks, [line.name for line in chosen], on_time, trend)
