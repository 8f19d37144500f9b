"""What each digest slot finds due in the store: person → sections.

One function per slot (services/reminders/deadlines.py SlotKind); each reads a bounded slice of the
store (lessons of the edit window, periods near their end, the current groups' students…) and
applies the rules of services/reminders/deadlines.py to it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from services.calendar.workdays import WorkCalendar
from services.journal.attestation import sheet_form
from services.reminders import deadlines as rules
from services.reminders.deadlines import Due
from services.reminders.items import (
    AbsenceItem,
    CurriculumNote,
    DocumentItem,
    Item,
    JustificationItem,
    LateOrder,
    LessonItem,
    NewcomerItem,
    Rule,
    Section,
    SheetItem,
    TeacherLoad,
    Weekly,
)
from storage import deadlines as q
from storage import distance, teaching
from storage.models import DocumentKind, Period, Role
from storage.people import short_names

Found = dict[int, list[Section]]  # person → sections
T = TypeVar("T")


@dataclass(frozen=True)
class Context:
    org_id: int
    tz: ZoneInfo
    cal: WorkCalendar
    settings: Settings
    now: datetime
    today: date
    # What several slots of one scan read alike (the week's lessons, the groups…), read once.
    cache: dict[Hashable, Any] = field(default_factory=dict, compare=False)

    @property
    def hours(self) -> rules.Hours:
        cfg = self.settings.reminders
        return rules.Hours(
            cfg.teacher_hour,
            cfg.teacher_evening_hour,
            cfg.curator_hour,
            cfg.admin_hour,
            cfg.deputy_hour,
            cfg.deputy_weekday,
        )

    def local_midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.tz)


async def _once(ctx: Context, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
    if key not in ctx.cache:
        ctx.cache[key] = await make()
    return cast(T, ctx.cache[key])


async def _people(session: AsyncSession, ctx: Context, role: Role) -> set[int]:
    return await _once(ctx, ("role", role), lambda: q.people_with_role(session, ctx.org_id, role))


async def _lessons(
    session: AsyncSession, ctx: Context, first: date, last: date
) -> list[q.LessonRow]:
    return await _once(
        ctx, ("lessons", first, last), lambda: q.lessons_between(session, ctx.org_id, first, last)
    )


async def _distance_days(
    session: AsyncSession, ctx: Context, first: date, last: date
) -> set[tuple[int, date]]:
    """The declared distance days (group, day) between the dates (R9)."""
    return await _once(
        ctx,
        ("distance", first, last),
        lambda: distance.declared(session, [ctx.org_id], first, last),
    )


async def _groups(session: AsyncSession, ctx: Context) -> dict[int, Any]:
    return await _once(ctx, "groups", lambda: q.active_groups(session, ctx.org_id))


def _add(found: Found, person_id: int, rule: Rule, items: Sequence[Item]) -> None:
    if items:
        found.setdefault(person_id, []).append(Section(rule, tuple(items)))


def _group_label(name: str, subgroup: str | None) -> str:
    return f"{name}/{subgroup}" if subgroup else name


def _lesson_item(row: q.LessonRow, due: Due, deadline: date) -> LessonItem:
    return LessonItem(
        row.lesson_id,
        row.day,
        row.pair_no,
        _group_label(row.group_name, row.subgroup_name),
        row.discipline_name,
        due,
        deadline,
    )


# --- teachers -----------------------------------------------------------------------------


async def teacher_morning(session: AsyncSession, ctx: Context) -> Found:
    """R1 registers and R2 topics of past lessons still in the edit window, R9, R3, R8."""
    today, cal = ctx.today, ctx.cal
    teachers = await _people(session, ctx, Role.TEACHER)
    first = rules.editable_since(today, ctx.settings.rules.edit_window_days, cal)
    lessons = await _lessons(session, ctx, first, today - timedelta(days=1))
    remote = await _distance_days(session, ctx, first, today - timedelta(days=1))
    registers: dict[int, list[LessonItem]] = defaultdict(list)
    topics: dict[int, list[LessonItem]] = defaultdict(list)
    distance: dict[int, list[LessonItem]] = defaultdict(list)
    for row in lessons:
        if row.teacher_id not in teachers:
            continue
        if not row.register_done:
            deadline = rules.register_deadline(row.day, cal)
            item = _lesson_item(row, rules.due_status(deadline, today), deadline)
            registers[row.teacher_id].append(item)
        if not row.has_topic:
            topics[row.teacher_id].append(_lesson_item(row, Due.OVERDUE, row.day))
        if rules.distance_missing(row.group_id, row.day, row.distance, remote):
            distance[row.teacher_id].append(_lesson_item(row, Due.OVERDUE, row.day))
    found: Found = {}
    for teacher_id in teachers:
        _add(found, teacher_id, Rule.REGISTER, registers.get(teacher_id, []))
        _add(found, teacher_id, Rule.TOPIC, topics.get(teacher_id, []))
        _add(found, teacher_id, Rule.DISTANCE, distance.get(teacher_id, []))
    for teacher_id, items in (await _attestation_items(session, ctx)).items():
        if teacher_id in teachers:
            _add(found, teacher_id, Rule.ATTESTATION, items)
    weekly = rules.is_weekly_day(today, ctx.hours, cal)
    if rules.documents_reminder(today, weekly) is not None:
        for teacher_id, pairs in (await document_gaps(session, ctx)).items():
            if teacher_id in teachers:
                _add(found, teacher_id, Rule.DOCUMENTS, pairs)
    return found


async def teacher_lesson_day(session: AsyncSession, ctx: Context) -> Found:
    """R2 and R9 of today's lessons: the topic is due today. A teacher hears of them once
    their last lesson of the day has ended (at the evening hour, or later for a late lesson),
    so a lesson ending after the hour is not missed; the scan asks again until midnight and the
    keys send each teacher's digest once."""
    teachers = await _people(session, ctx, Role.TEACHER)
    lessons = await _lessons(session, ctx, ctx.today, ctx.today)
    remote = await _distance_days(session, ctx, ctx.today, ctx.today)
    busy = {row.teacher_id for row in lessons if row.ends_at > ctx.now}
    topics: dict[int, list[LessonItem]] = defaultdict(list)
    distance: dict[int, list[LessonItem]] = defaultdict(list)
    for row in lessons:
        if row.teacher_id not in teachers or row.teacher_id in busy:
            continue
        if not row.has_topic:
            topics[row.teacher_id].append(_lesson_item(row, Due.TODAY, row.day))
        if rules.distance_missing(row.group_id, row.day, row.distance, remote):
            distance[row.teacher_id].append(_lesson_item(row, Due.TODAY, row.day))
    found: Found = {}
    for teacher_id in teachers:
        _add(found, teacher_id, Rule.TOPIC_TODAY, topics.get(teacher_id, []))
        _add(found, teacher_id, Rule.DISTANCE_TODAY, distance.get(teacher_id, []))
    return found


async def _attestation_items(session: AsyncSession, ctx: Context) -> dict[int, list[SheetItem]]:
    """R3: sheets with missing period grades, for open periods whose last day is near."""
    today, cal = ctx.today, ctx.cal
    wide = timedelta(days=3 * (rules.R3_BEFORE + rules.R3_AFTER))  # holidays included
    near = await q.open_periods_ending(session, ctx.org_id, today - wide, today + wide)
    periods = [p for p in near if rules.attestation_due(today, p.ends_on, cal)]
    return await attestation_gaps(session, ctx, periods)


async def attestation_gaps(
    session: AsyncSession, ctx: Context, periods: list[Period]
) -> dict[int, list[SheetItem]]:
    """Teacher → their sheets in ``periods`` missing period grades. A sheet is what
    services/teacher_day.attestation_tasks lists: an assignment in the period (or in none)
    whose curriculum names a form of attestation for the period's semester."""
    if not periods:
        return {}
    today = ctx.today
    groups = await _groups(session, ctx)
    by_id = {p.id: p for p in periods}
    found_assignments = await q.assignments(session, groups, by_id)
    forms = await teaching.attestation_forms(
        session, [g.curriculum_id for g in groups.values() if g.curriculum_id]
    )
    tasks: dict[tuple[int, int, int | None, int, int], tuple[q.Assignment, Period]] = {}
    for a in found_assignments:
        group = groups[a.group_id]
        for period in periods:
            if a.period_id not in (None, period.id):
                continue
            if sheet_form(group, a.discipline_id, period, forms) is None:
                continue
            tasks.setdefault(
                (a.teacher_id, a.group_id, a.subgroup_id, a.discipline_id, period.id), (a, period)
            )
    if not tasks:
        return {}
    by_group, by_subgroup = await q.rosters(
        session,
        {a.group_id for a, _ in tasks.values()},
        {a.subgroup_id for a, _ in tasks.values() if a.subgroup_id},
    )
    students = set().union(*by_group.values()) if by_group else set()
    done = await q.graded(session, students, by_id)
    found: dict[int, list[SheetItem]] = defaultdict(list)
    for a, period in tasks.values():
        roster = by_group.get(a.group_id, set())
        if a.subgroup_id is not None:
            roster = roster & by_subgroup.get(a.subgroup_id, set())
        filled = sum(1 for s in roster if (s, a.discipline_id, period.id) in done)
        if filled == len(roster):
            continue
        found[a.teacher_id].append(
            SheetItem(
                a.group_id,
                a.subgroup_id,
                _group_label(groups[a.group_id].name, a.subgroup_name),
                a.discipline_id,
                a.discipline_name,
                period.id,
                period.ends_on,
                rules.due_status(period.ends_on, today),
                filled,
                len(roster),
            )
        )
    for items in found.values():
        items.sort(key=lambda i: (i.deadline, i.group, i.discipline))
    return found


async def document_gaps(session: AsyncSession, ctx: Context) -> dict[int, list[DocumentItem]]:
    """R8: teacher → (group, discipline) pairs of the academic year's assignments lacking a
    work programme or a КТП of this academic year (like services/documents.missing_documents,
    for the current groups and this academic year's periods only)."""
    return await _once(ctx, "documents", lambda: _document_gaps(session, ctx))


async def _document_gaps(session: AsyncSession, ctx: Context) -> dict[int, list[DocumentItem]]:
    today = ctx.today
    start = rules.academic_year_start(today)
    end = date(start.year + 1, 8, 31)
    periods = await q.periods_overlapping(session, ctx.org_id, start, end)
    groups = await _groups(session, ctx)
    found_assignments = await q.assignments(session, groups, {p.id for p in periods})
    have = await q.document_kinds(session, groups, start.year)
    deadline = rules.documents_deadline(today)
    found: dict[int, list[DocumentItem]] = defaultdict(list)
    seen: set[tuple[int, int, int]] = set()
    for a in sorted(found_assignments, key=lambda a: (groups[a.group_id].name, a.discipline_name)):
        if (a.teacher_id, a.group_id, a.discipline_id) in seen:
            continue
        seen.add((a.teacher_id, a.group_id, a.discipline_id))
        missing = tuple(k for k in DocumentKind if (a.group_id, a.discipline_id, k) not in have)
        if missing:
            found[a.teacher_id].append(
                DocumentItem(
                    a.group_id,
                    groups[a.group_id].name,
                    a.discipline_id,
                    a.discipline_name,
                    missing,
                    deadline,
                    rules.due_status(deadline, today),
                )
            )
    return found


# --- curators -----------------------------------------------------------------------------


async def curator_morning(session: AsyncSession, ctx: Context) -> Found:
    """Unexplained absences in the curator's groups, and R4 documents near or past due."""
    curated = await q.curators(session, ctx.org_id)
    if not curated:
        return {}
    group_ids = set().union(*curated.values())
    groups = await _groups(session, ctx)
    absences = await q.unexplained_absences(session, ctx.org_id, group_ids, ctx.today)
    pending = await q.pending_justifications(session, ctx.org_id, group_ids)
    documents: list[tuple[int, JustificationItem]] = []
    for row in pending:
        # A paper certificate counts from the day the curator received it.
        sent_on = row.received_on or row.submitted_at.astimezone(ctx.tz).date()
        deadline = rules.justification_deadline(sent_on, ctx.cal)
        if not rules.justification_due(ctx.today, deadline, ctx.cal):
            continue
        item = JustificationItem(
            row.justification_id,
            row.student_id,
            row.student_name,
            groups[row.group_id].name if row.group_id in groups else "",
            row.date_from,
            row.date_to,
            sent_on,
            deadline,
            rules.due_status(deadline, ctx.today),
        )
        documents.append((row.group_id, item))
    by_group: dict[int, list[AbsenceItem]] = defaultdict(list)
    for r in absences:
        if r.group_id in groups:
            by_group[r.group_id].append(
                AbsenceItem(
                    r.group_id,
                    groups[r.group_id].name,
                    r.student_id,
                    r.student_name,
                    r.lessons,
                    r.first,
                    r.last,
                )
            )
    found: Found = {}
    for curator_id, mine in curated.items():
        ordered = sorted(mine, key=lambda g: groups[g].name if g in groups else "")
        _add(found, curator_id, Rule.JUSTIFICATION, [i for g, i in documents if g in mine])
        _add(found, curator_id, Rule.ABSENCES, [i for g in ordered for i in by_group.get(g, [])])
    return found


# --- administrators -----------------------------------------------------------------------


async def admin_morning(session: AsyncSession, ctx: Context) -> Found:
    """R5: people enrolled (and new staff) still without an invite."""
    admins = await _people(session, ctx, Role.ADMIN)
    if not admins:
        return {}
    since = ctx.today - rules.R5_LOOKBACK
    newcomers = await q.newcomers_without_invites(session, ctx.org_id, since)
    items = []
    for person in newcomers:
        deadline = rules.accounts_deadline(person.since, ctx.cal)
        items.append(
            NewcomerItem(
                person.person_id,
                person.name,
                person.role,
                person.order_number,
                person.student_name,
                deadline,
                rules.due_status(deadline, ctx.today),
            )
        )
    found: Found = {}
    for admin_id in admins:
        _add(found, admin_id, Rule.ACCOUNTS, items)
    return found


# --- deputies -----------------------------------------------------------------------------


async def _curriculum_note(session: AsyncSession, ctx: Context) -> CurriculumNote | None:
    due = rules.curriculum_reminder(ctx.today)
    if due is None or await q.has_curriculum_for(session, ctx.org_id, ctx.today.year):
        return None
    return CurriculumNote(ctx.today.year, rules.curriculum_deadline(ctx.today), due)


async def deputy_daily(session: AsyncSession, ctx: Context) -> Found:
    """R7 from 18 August to 1 September, every working day."""
    note = await _curriculum_note(session, ctx)
    if note is None or note.due is Due.OVERDUE:
        return {}
    found: Found = {}
    for deputy_id in await _people(session, ctx, Role.DEPUTY):
        _add(found, deputy_id, Rule.CURRICULUM, [note])
    return found


WEEKLY = "weekly"  # DigestRange.digest of the deputy's weekly digest


async def weekly_range(session: AsyncSession, ctx: Context) -> tuple[date, date]:
    """The days the weekly digest of ``ctx.today`` covers (rules.digest_range)."""

    async def make() -> tuple[date, date]:
        previous = await q.latest_digest_range(session, ctx.org_id, WEEKLY)
        return rules.digest_range(ctx.today, previous)

    return await _once(ctx, WEEKLY, make)


async def deputy_weekly(session: AsyncSession, ctx: Context) -> Found:
    """Monitoring: overdue items by teacher (R1, R2, R9) of the days since the previous weekly
    digest, sheets of periods ended and still open (R3), documents after 2 September (R8),
    orders entered late (R6) and the curriculum after 1 September (R7)."""
    deputies = await _people(session, ctx, Role.DEPUTY)
    if not deputies:
        return {}
    today, cal = ctx.today, ctx.cal
    first, last = await weekly_range(session, ctx)
    loads: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    lessons = await _lessons(session, ctx, first, last)
    remote = await _distance_days(session, ctx, first, last)
    for row in lessons:
        if not row.register_done and rules.register_deadline(row.day, cal) < today:
            loads[row.teacher_id]["registers"] += 1
        if not row.has_topic:
            loads[row.teacher_id]["topics"] += 1
        if rules.distance_missing(row.group_id, row.day, row.distance, remote):
            loads[row.teacher_id]["distance"] += 1
    ended = await q.open_periods_ending(session, ctx.org_id, today - rules.R3_MONITOR, last)
    for teacher_id, sheets in (await attestation_gaps(session, ctx, ended)).items():
        loads[teacher_id]["sheets"] += len(sheets)
    if rules.documents_overdue(today):
        for teacher_id, pairs in (await document_gaps(session, ctx)).items():
            loads[teacher_id]["documents"] += len(pairs)
    names = await short_names(session, loads)
    teachers = sorted(
        (TeacherLoad(tid, names.get(tid, ""), **counts) for tid, counts in loads.items()),
        key=lambda load: (-load.total, load.name, load.teacher_id),
    )
    orders = await q.orders_entered_between(
        session,
        ctx.org_id,
        today - rules.R6_LOOKBACK,
        ctx.local_midnight(first),
        ctx.local_midnight(last + timedelta(days=1)),
    )
    late = []
    for order in orders:
        entered_on = order.entered_at.astimezone(ctx.tz).date()
        if rules.entered_late(order.decided_on, entered_on, cal):
            late.append(LateOrder(order.number, order.kind, order.decided_on, entered_on))
    note = await _curriculum_note(session, ctx)
    weekly = Weekly(
        first,
        last,
        tuple(t for t in teachers if t.total),
        tuple(late),
        note if note is not None and note.due is Due.OVERDUE else None,
    )
    found: Found = {}
    if not weekly.empty:
        for deputy_id in deputies:
            _add(found, deputy_id, Rule.WEEKLY, [weekly])
    return found
