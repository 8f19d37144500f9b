"""Dated lessons (занятия) of a period, generated from the weekly timetable and the bells.

Every date of the period gets the timetable lines of its weekday whose week parity matches
(odd / even ISO week number), on the group's class days only (services/calendar/workdays.py
``has_classes``): not on public holidays and transferred days off of the production calendar
or the college's HOLIDAY entries (unless a college WORKDAY entry covers the date), and not in
a VACATION, PRACTICE or SESSION of the college or of the group (a group's own entries apply to
that group only). Vacations, practice and sessions stop the timetable's lessons, not the
staff's working days.

Saturdays and working Saturdays: a weekend is not skipped just for being a weekend. A
six-day-week college has Saturday lines in its timetable and those lessons happen every
Saturday that is not a holiday; a five-day-week college has no Saturday lines, so its
weekends stay empty. A production-calendar working Saturday therefore gets the Saturday lines
and nothing else: it does not borrow the timetable of the weekday whose day off it paid for.
Which weekday's lessons (if any) a working Saturday makes up is the college's decision, not
the decree's, and the deputy records it in the timetable rather than the bot guessing it.

Lesson times are the bell times of the pair, in the college's time zone, stored in UTC.

Generation is a sync, safe to re-run: a lesson is keyed by (timetable entry, date); a lesson
still in the timetable gets its teacher, room, times and hours updated (hours only until
the teacher records the lesson's topic and hours), a missing one is
created, and a lesson whose line no longer applies is removed unless it holds journal data
(attendance, grades, topic, homework, register, distance format), in which case it is kept
as the record of what happened. Timetable lines whose pair has no bell produce no lessons.
With ``since`` the sync leaves the lessons before that date alone (neither created, changed
nor removed): a timetable changed mid-period takes effect from that day, the past stays as
it was taught.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.calendar.workdays import WorkCalendar
from storage import importing as q
from storage.models import (
    Bell,
    CalendarEntry,
    Lesson,
    Organisation,
    Period,
    TimetableEntry,
    WeekParity,
)

# What a timetable change may alter on an existing lesson.
SYNCED_FIELDS = (
    "group_id",
    "subgroup_id",
    "discipline_id",
    "teacher_id",
    "pair_no",
    "starts_at",
    "ends_at",
    "hours",
    "room",
)

TIMETABLE_ONLY_FIELDS = tuple(f for f in SYNCED_FIELDS if f != "hours")


@dataclass
class LessonChanges:
    created: int = 0
    updated: int = 0
    removed: int = 0
    kept: int = 0  # out of the timetable now, but holding journal data


def parity_matches(parity: WeekParity, d: date) -> bool:
    if parity == WeekParity.EVERY:
        return True
    odd = d.isocalendar().week % 2 == 1
    return odd if parity == WeekParity.ODD else not odd


def _at(d: date, t: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(d, t, tzinfo=tz).astimezone(UTC)


async def _planned(
    session: AsyncSession, org_id: int, period: Period, since: date
) -> dict[tuple[int, date], dict[str, Any]]:
    """The lessons the timetable asks for, keyed by (timetable entry id, date)."""
    # Fresh rows even if the session holds older copies: callers (the import) change these
    # tables with bulk statements that bypass the identity map.
    fresh = {"populate_existing": True}
    org = await session.get(Organisation, org_id, populate_existing=True)
    tz = ZoneInfo(org.timezone if org else "Asia/Sakhalin")
    bell_rows = await session.scalars(
        select(Bell).where(Bell.org_id == org_id).execution_options(**fresh)
    )
    bells = {b.pair_no: b for b in bell_rows}
    entries = (
        await session.scalars(
            select(TimetableEntry)
            .where(TimetableEntry.org_id == org_id, TimetableEntry.period_id == period.id)
            .execution_options(**fresh)
        )
    ).all()
    calendar_rows = (
        await session.scalars(
            select(CalendarEntry)
            .where(
                CalendarEntry.org_id == org_id,
                CalendarEntry.starts_on <= period.ends_on,
                CalendarEntry.ends_on >= period.starts_on,
            )
            .execution_options(**fresh)
        )
    ).all()
    college = WorkCalendar.from_entries(calendar_rows)
    own = {c.group_id for c in calendar_rows if c.group_id is not None}
    calendars = {g: WorkCalendar.from_entries(calendar_rows, g) for g in own}

    # Plain dicts, built once per line: the loop below runs for every lesson of the period.
    by_weekday: dict[int, list[tuple[WeekParity, dict[str, Any]]]] = defaultdict(list)
    for e in entries:
        if e.pair_no in bells:
            line: dict[str, Any] = {
                "org_id": org_id,
                "period_id": period.id,
                "timetable_entry_id": e.id,
                "group_id": e.group_id,
                "subgroup_id": e.subgroup_id,
                "discipline_id": e.discipline_id,
                "teacher_id": e.teacher_id,
                "pair_no": e.pair_no,
                "hours": e.hours,
                "room": e.room,
            }
            by_weekday[e.weekday].append((e.parity, line))

    planned: dict[tuple[int, date], dict[str, Any]] = {}
    d = max(period.starts_on, since)
    while d <= period.ends_on:
        times = {n: (_at(d, b.starts, tz), _at(d, b.ends, tz)) for n, b in bells.items()}
        for parity, line in by_weekday.get(d.weekday(), ()):
            calendar = calendars.get(line["group_id"], college)
            if not calendar.has_classes(d) or not parity_matches(parity, d):
                continue
            starts_at, ends_at = times[line["pair_no"]]
            planned[(line["timetable_entry_id"], d)] = {
                **line,
                "date": d,
                "starts_at": starts_at,
                "ends_at": ends_at,
            }
        d += timedelta(days=1)
    return planned


async def sync_lessons(
    session: AsyncSession,
    org_id: int,
    period_id: int,
    *,
    actor_id: int | None = None,
    source: str = "bot",
    since: date | None = None,
) -> LessonChanges:
    """Bring the dated lessons of a period in line with its timetable (see module doc)."""
    period = await session.get(Period, period_id, populate_existing=True)
    if period is None or period.org_id != org_id:
        raise ValueError(f"period {period_id} is not a period of organisation {org_id}")
    since = since or period.starts_on
    planned = await _planned(session, org_id, period, since)
    existing = [x for x in await q.period_lessons(session, period_id) if x["date"] >= since]
    changes = LessonChanges()
    audit: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    stale: list[dict[str, Any]] = []
    for lesson in existing:
        want = planned.pop((lesson["timetable_entry_id"], lesson["date"]), None)
        if want is None:
            stale.append(lesson)
            continue
        # Hours a teacher recorded with the topic are theirs; the timetable's default yields.
        fields = SYNCED_FIELDS if lesson["topic_entered_at"] is None else TIMETABLE_ONLY_FIELDS
        changed = {f: want[f] for f in fields if lesson[f] != want[f]}
        if changed:
            updates.append({"id": lesson["id"], **changed})
            old = {f: lesson[f] for f in changed}
            audit.append(
                q.audit_row(
                    org_id=org_id,
                    action="update",
                    entity="lesson",
                    entity_id=lesson["id"],
                    old=old,
                    new=changed,
                    source=source,
                    actor_id=actor_id,
                )
            )
    removable: list[int] = []
    if stale:
        with_data = await q.lessons_with_journal_data(session, period_id)
        for lesson in stale:
            if lesson["id"] in with_data:
                changes.kept += 1
                continue
            removable.append(lesson["id"])
            audit.append(
                q.audit_row(
                    org_id=org_id,
                    action="delete",
                    entity="lesson",
                    entity_id=lesson["id"],
                    old={f: lesson[f] for f in ("date", "pair_no", "group_id", "teacher_id")},
                    source=source,
                    actor_id=actor_id,
                )
            )
    await q.update_rows(session, Lesson, updates)
    await q.delete_ids(session, Lesson, removable)
    new_rows = sorted(planned.values(), key=lambda r: (r["date"], r["pair_no"], r["group_id"]))
    await q.insert_plain(session, Lesson, new_rows)
    if new_rows:
        # One entry for the batch: the lessons are derived data, the timetable lines that
        # produced them carry their own audit entries.
        audit.append(
            q.audit_row(
                org_id=org_id,
                action="create",
                entity="lesson",
                entity_id=None,
                new={
                    "period_id": period_id,
                    "count": len(new_rows),
                    "from": new_rows[0]["date"],
                    "to": new_rows[-1]["date"],
                },
                source=source,
                actor_id=actor_id,
            )
        )
    await q.insert_audit(session, audit)
    changes.created = len(new_rows)
    changes.updated = len(updates)
    changes.removed = len(removable)
    return changes


async def generate_lessons(
    session: AsyncSession,
    org_id: int,
    period_id: int,
    *,
    actor_id: int | None = None,
    source: str = "bot",
    since: date | None = None,
) -> int:
    """Create and update the dated lessons of a period; returns how many were created.

    The caller commits. ``sync_lessons`` gives the full count of what changed.
    """
    changes = await sync_lessons(
        session, org_id, period_id, actor_id=actor_id, source=source, since=since
    )
    return changes.created
