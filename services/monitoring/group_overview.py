"""The curator's group overview (issue 10, point 4) and the monthly group statement: per
student of the group, for a span of dates, the hours missed (with a valid reason, unexcused,
not yet explained), the average current grade per discipline and overall, and failing and
missing period grades; students at risk first.

A student is *at risk* when any of these holds in the span: a failing period grade (2 or
fail), a period grade missing after its period ended, an average current grade below
``RISK_AVERAGE``, or at least ``RISK_HOURS`` hours missed without a valid reason (unexcused or
not yet explained).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from core.i18n import _
from services import policy
from services.access import Actor
from services.journal.attestation import curriculum_semester
from services.monitoring.span import Span
from services.policy import Action, Target
from storage import group_overview as q
from storage import teaching
from storage.models import AbsenceReason, AttestationForm, Group

RISK_HOURS = 12
RISK_AVERAGE = 3.0
FAILING = frozenset({"2", "fail"})
NUMERIC = {"2": 2, "3": 3, "4": 4, "5": 5}
VALID = frozenset({AbsenceReason.ILLNESS, AbsenceReason.EXCUSED})


class Risk(StrEnum):
    """Why a student is at risk."""

    FAILING = "failing"
    MISSING = "missing"
    AVERAGE = "average"
    ABSENCES = "absences"


@dataclass(frozen=True)
class StudentOverview:
    student_id: int
    name: str
    absent_hours: int
    valid_hours: int  # illness, excused
    unexcused_hours: int  # a reason set: unexcused
    unexplained_hours: int  # no reason yet
    averages: dict[int, float]  # discipline → average current grade
    average: float | None
    grades: int
    failing: tuple[str, ...]  # disciplines with a failing period grade
    missing: tuple[str, ...]  # disciplines without a period grade, their period ended

    @property
    def risks(self) -> list[Risk]:
        found = []
        if self.failing:
            found.append(Risk.FAILING)
        if self.missing:
            found.append(Risk.MISSING)
        if self.average is not None and self.average < RISK_AVERAGE:
            found.append(Risk.AVERAGE)
        if self.unexcused_hours + self.unexplained_hours >= RISK_HOURS:
            found.append(Risk.ABSENCES)
        return found


@dataclass(frozen=True)
class GroupOverview:
    group_id: int
    group: str
    span: Span
    students: list[StudentOverview]  # at risk first, then by name
    disciplines: dict[int, str]  # with current grades in the span, by name


def _refusal() -> Denied:
    return Denied(_("This group is not one of yours."))


async def group_of(session: AsyncSession, actor: Actor, group_id: int) -> Group:
    group = await session.get(Group, group_id)
    if group is None or not policy.can(
        actor, Action.READ_GROUP_OVERVIEW, Target(group.org_id, group_id=group.id)
    ):
        raise _refusal()
    return group


async def overview(session: AsyncSession, actor: Actor, group_id: int, span: Span) -> GroupOverview:
    group = await group_of(session, actor, group_id)
    people = await q.students(session, group.id)
    hours = await q.absence_hours(session, group.id, span.first, span.last)
    grades = await q.current_grades(session, group.id, span.first, span.last)
    periods = await q.periods_overlapping(session, group.org_id, span.first, span.last)
    given = await q.period_grades(session, group.id, [p.id for p in periods])
    forms = (
        await teaching.attestation_forms(session, [group.curriculum_id])
        if group.curriculum_id
        else {}
    )
    needed: dict[int, set[int]] = {}  # period → disciplines with an attestation in it
    for period in periods:
        semester = curriculum_semester(group.course_year, period.semester)
        needed[period.id] = {
            discipline
            for (curriculum, discipline, sem), form in forms.items()
            if curriculum == group.curriculum_id
            and sem == semester
            and form is not AttestationForm.NONE
        }
    names = await q.discipline_names(
        session, set().union(*needed.values()) | {d for _s, d, _n, _v in grades}
    )
    marks: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    counted: dict[int, int] = defaultdict(int)
    for sid, discipline, _name, value in grades:
        counted[sid] += 1
        if value in NUMERIC:
            marks[sid][discipline].append(NUMERIC[value])
    found = []
    for s in people:
        by_reason = {r: hours.get((s.student_id, r), 0) for r in (*AbsenceReason, None)}
        failing: list[str] = []
        missing: list[str] = []
        for period in periods:
            for discipline in sorted(needed[period.id], key=lambda d: names.get(d, "")):
                found_value = given.get((s.student_id, discipline, period.id))
                if found_value in FAILING:
                    failing.append(names[discipline])
                elif found_value is None and period.ends_on <= span.last:
                    missing.append(names[discipline])
        own = marks.get(s.student_id, {})
        every = [v for values in own.values() for v in values]
        found.append(
            StudentOverview(
                s.student_id,
                s.name,
                absent_hours=sum(by_reason.values()),
                valid_hours=sum(by_reason[r] for r in VALID),
                unexcused_hours=by_reason[AbsenceReason.UNEXCUSED],
                unexplained_hours=by_reason[None],
                averages={d: sum(v) / len(v) for d, v in own.items()},
                average=sum(every) / len(every) if every else None,
                grades=counted.get(s.student_id, 0),
                failing=tuple(failing),
                missing=tuple(missing),
            )
        )
    order = {s.student_id: n for n, s in enumerate(people)}
    found.sort(key=lambda s: (not s.risks, order[s.student_id]))
    graded = {d for _s, d, _n, _v in grades}
    disciplines = {d: names[d] for d in sorted(graded, key=lambda d: names[d])}
    return GroupOverview(group.id, group.name, span, found, disciplines)


async def curated(session: AsyncSession, actor: Actor) -> list[Group]:
    """The groups the actor may see the overview of: those they curate."""
    groups = [await session.get(Group, gid) for gid in sorted(actor.curator_group_ids)]
    return sorted((g for g in groups if g is not None and g.active), key=lambda g: g.name)


def month_span(today: date, previous: bool) -> Span:
    """This month up to today, or the whole previous month (the monthly statement)."""
    first = today.replace(day=1)
    if not previous:
        return Span(first, today)
    last = first.fromordinal(first.toordinal() - 1)
    return Span(last.replace(day=1), last)
