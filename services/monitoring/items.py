"""The rules monitoring judges item by item rather than lesson by lesson (R3–R8), for the
summary, a teacher's drill-down and the workbook. An item counts in a span when its deadline
falls in the span; it is on time, late, missing or not due yet like a lesson's items
(docs/monitoring.md, "The indicators"):

* R3 an attestation sheet (a teacher's group or subgroup, discipline and period whose
  curriculum names a form of attestation), due on the period's last day; done when every
  student studying in it has a period grade, at the last one given;
* R4 a document on an absence, due ``R4_DAYS`` working days after it was sent (or brought on
  paper); done when the curator decided;
* R5 a student enrolled by an order, due ``R5_DAYS`` working days after the order; done when
  their first invite was issued;
* R6 a movement order, due ``R6_DAYS`` working days after its decision; done when entered;
* R7 the curriculum of the new intake year, due 1 September; done when the first one of that
  year was entered;
* R8 a teacher's work programme and КТП of a group and discipline for the academic year, due
  2 September; done when both have come.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.access import Actor
from services.calendar.workdays import WorkCalendar
from services.journal.attestation import sheet_form
from services.monitoring import indicators
from services.monitoring.indicators import Line, Monitoring, Rule
from services.monitoring.span import Span
from services.reminders import deadlines
from services.reminders.deadlines import Done
from storage import deadlines as lessons_q
from storage import monitoring_items as q
from storage import teaching
from storage.models import DocumentKind, Group
from storage.people import short_names

LOOKBACK = timedelta(days=30)  # an order or a document this old may still fall due in a span

Named = tuple[int, str] | None


@dataclass(frozen=True)
class Item:
    rule: Rule
    done: Done
    teacher: Named = None
    group: Named = None
    discipline: Named = None


def _local(at: datetime | None, tz: ZoneInfo) -> date | None:
    return at.astimezone(tz).date() if at else None


class _Judge:
    def __init__(self, span: Span, today: date, tz: ZoneInfo) -> None:
        self.span, self.today, self.tz = span, today, tz
        self.items: list[Item] = []

    def add(self, rule: Rule, due: date, done: datetime | date | None, **by: Named) -> None:
        if not self.span.first <= due <= self.span.last:
            return
        done_on = _local(done, self.tz) if isinstance(done, datetime) else done
        self.items.append(Item(rule, deadlines.timeliness(due, done_on, self.today), **by))


def _group(groups: dict[int, Group], group_id: int | None) -> Named:
    group = groups.get(group_id) if group_id is not None else None
    return (group.id, group.name) if group else None


async def judged(
    session: AsyncSession, org_id: int, timezone: str, cal: WorkCalendar, span: Span, today: date
) -> list[Item]:
    tz = ZoneInfo(timezone)
    judge = _Judge(span, today, tz)
    groups = await lessons_q.active_groups(session, org_id)
    await _attestation(session, org_id, judge, groups)
    await _offices(session, org_id, judge, groups, cal)
    await _new_year(session, org_id, judge, groups)
    return judge.items


async def _attestation(
    session: AsyncSession, org_id: int, judge: _Judge, groups: dict[int, Group]
) -> None:
    span = judge.span
    periods = [
        p
        for p in await lessons_q.periods_overlapping(session, org_id, span.first, span.last)
        if span.first <= p.ends_on <= span.last
    ]
    if not periods:
        return
    by_id = {p.id: p for p in periods}
    assignments = await lessons_q.assignments(session, groups, by_id)
    forms = await teaching.attestation_forms(
        session, [g.curriculum_id for g in groups.values() if g.curriculum_id]
    )
    by_group, by_subgroup = await lessons_q.rosters(
        session,
        {a.group_id for a in assignments},
        {a.subgroup_id for a in assignments if a.subgroup_id},
    )
    given = await q.period_grades(session, org_id, by_id)
    names = await short_names(session, {a.teacher_id for a in assignments})
    seen: set[tuple[int, int, int | None, int, int]] = set()
    for a in assignments:
        group = groups[a.group_id]
        for period in periods:
            key = (a.teacher_id, a.group_id, a.subgroup_id, a.discipline_id, period.id)
            if key in seen or a.period_id not in (None, period.id):
                continue
            if sheet_form(group, a.discipline_id, period, forms) is None:
                continue
            seen.add(key)
            roster = by_group.get(a.group_id, set())
            if a.subgroup_id is not None:
                roster = roster & by_subgroup.get(a.subgroup_id, set())
            if not roster:
                continue
            times = [given.get((s, a.discipline_id, period.id)) for s in roster]
            done = None if None in times else max(t for t in times if t)
            judge.add(
                Rule.R3,
                period.ends_on,
                done,
                teacher=(a.teacher_id, names.get(a.teacher_id, "")),
                group=(group.id, group.name),
                discipline=(a.discipline_id, a.discipline_name),
            )


async def _offices(
    session: AsyncSession, org_id: int, judge: _Judge, groups: dict[int, Group], cal: WorkCalendar
) -> None:
    span, tz = judge.span, judge.tz
    since = span.first - LOOKBACK
    start = datetime.combine(since, datetime.min.time(), tz)
    for group_id, sent_at, received_on, decided_at in await q.justifications(
        session, org_id, start, since
    ):
        sent_on = received_on or sent_at.astimezone(tz).date()
        due = deadlines.justification_deadline(sent_on, cal)
        judge.add(Rule.R4, due, decided_at, group=_group(groups, group_id))
    for group_id, decided_on, invited_at in await q.enrolments(session, org_id, since, span.last):
        due = deadlines.accounts_deadline(decided_on, cal)
        judge.add(Rule.R5, due, invited_at, group=_group(groups, group_id))
    for group_id, decided_on, entered_at in await q.orders(session, org_id, since, span.last):
        due = cal.add_working_days(decided_on, deadlines.R6_DAYS)
        judge.add(Rule.R6, due, entered_at, group=_group(groups, group_id))


async def _new_year(
    session: AsyncSession, org_id: int, judge: _Judge, groups: dict[int, Group]
) -> None:
    span = judge.span
    for year in range(span.first.year, span.last.year + 1):
        curriculum_due = date(year, *deadlines.R7_DUE)
        if span.first <= curriculum_due <= span.last:
            judge.add(Rule.R7, curriculum_due, await q.curriculum_entered(session, org_id, year))
        documents_due = date(year, *deadlines.R8_DUE)
        if span.first <= documents_due <= span.last:
            await _documents(session, org_id, judge, groups, year, documents_due)


async def _documents(
    session: AsyncSession,
    org_id: int,
    judge: _Judge,
    groups: dict[int, Group],
    year: int,
    due: date,
) -> None:
    periods = await lessons_q.periods_overlapping(
        session, org_id, date(year, 9, 1), date(year + 1, 8, 31)
    )
    assignments = await lessons_q.assignments(session, groups, {p.id for p in periods})
    came = await q.documents(session, org_id, year)
    names = await short_names(session, {a.teacher_id for a in assignments})
    seen: set[tuple[int, int, int]] = set()
    for a in assignments:
        key = (a.teacher_id, a.group_id, a.discipline_id)
        if key in seen:
            continue
        seen.add(key)
        times = [came.get((a.group_id, a.discipline_id, str(kind))) for kind in DocumentKind]
        done = None if None in times else max(t for t in times if t)
        judge.add(
            Rule.R8,
            due,
            done,
            teacher=(a.teacher_id, names.get(a.teacher_id, "")),
            group=_group(groups, a.group_id),
            discipline=(a.discipline_id, a.discipline_name),
        )


async def college_book(session: AsyncSession, actor: Actor, span: Span, today: date) -> Monitoring:
    """The college's indicators with R3–R8 as well: what the summary and the workbook show."""
    m = await indicators.college(session, actor, span, today)
    found = await judged(session, actor.org_id, actor.timezone, actor.calendar, span, today)
    return add_items(m, found)


async def teacher_book(
    session: AsyncSession, actor: Actor, teacher_id: int, span: Span, today: date
) -> tuple[str, Monitoring]:
    """One teacher's lessons judged, with their own R3 and R8 items: what "furthest behind"
    counted for them. Another college's teacher is refused before anything is read."""
    name, m = await indicators.teacher(session, actor, teacher_id, span, today)
    found = await judged(session, actor.org_id, actor.timezone, actor.calendar, span, today)
    return name, add_items(m, (i for i in found if i.teacher and i.teacher[0] == teacher_id))


def _line(lines: list[Line], named: Named) -> Line | None:
    if named is None:
        return None
    for line in lines:
        if line.key == named[0]:
            return line
    line = Line(named[0], named[1])
    lines.append(line)
    return line


def add_items(m: Monitoring, items: Iterable[Item]) -> Monitoring:
    """The items tallied into the college's line and its teachers', groups' and disciplines'
    (a line is added for one with items and no lesson in the span)."""
    for item in items:
        m.college.rules[item.rule].add(item.done)
        for lines, named in (
            (m.teachers, item.teacher),
            (m.groups, item.group),
            (m.disciplines, item.discipline),
        ):
            line = _line(lines, named)
            if line is not None:
                line.rules[item.rule].add(item.done)
    for lines in (m.teachers, m.groups, m.disciplines):
        lines.sort(key=lambda line: line.name)
    return m
