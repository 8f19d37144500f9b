"""Writing the teaching side: assignments, the weekly timetable and the dated lessons."""

from __future__ import annotations

from sqlalchemy import func, select

from services.journal.lessons import sync_lessons
from storage.models import Lesson, TeachingAssignment, TimetableEntry

from .model import AssignmentData
from .writer import Writer


async def write_assignments(
    w: Writer,
    person_id: dict[str, int],
    group_id: dict[str, int],
    subgroup_id: dict[tuple[str, str], int],
    discipline_id: dict[str, int],
    period_id: dict[str, int],
) -> None:
    """The assignments sheet plus every (teacher, group, discipline, period) the timetable
    implies: a teacher's scope must cover the lessons they are given. Replaces the college's
    assignments as a whole."""
    wanted = list(w.data.assignments) + [
        AssignmentData(t.teacher, t.group, t.subgroup, t.discipline, t.period)
        for t in w.data.timetable
    ]
    rows = [
        {
            "org_id": w.org_id,
            "teacher_id": person_id[a.teacher],
            "group_id": group_id[a.group],
            "subgroup_id": subgroup_id[(a.group, a.subgroup)] if a.subgroup else None,
            "discipline_id": discipline_id[a.discipline],
            "period_id": period_id[a.period] if a.period else None,
        }
        for a in wanted
    ]
    await w.sync(
        TeachingAssignment,
        "teaching_assignment",
        rows,
        ("teacher_id", "group_id", "subgroup_id", "discipline_id", "period_id"),
        TeachingAssignment.org_id == w.org_id,
        delete_missing=True,
    )


async def write_timetable(
    w: Writer,
    person_id: dict[str, int],
    group_id: dict[str, int],
    subgroup_id: dict[tuple[str, str], int],
    discipline_id: dict[str, int],
    period_id: dict[str, int],
) -> None:
    """The weekly timetable of each period in the file, replacing the stored one."""
    rows = [
        {
            "org_id": w.org_id,
            "period_id": period_id[t.period],
            "group_id": group_id[t.group],
            "subgroup_id": subgroup_id[(t.group, t.subgroup)] if t.subgroup else None,
            "weekday": t.weekday,
            "pair_no": t.pair,
            "parity": t.parity,
            "discipline_id": discipline_id[t.discipline],
            "teacher_id": person_id[t.teacher],
            "room": t.room,
            "hours": t.hours,
        }
        for t in w.data.timetable
    ]
    await w.sync(
        TimetableEntry,
        "timetable_entry",
        rows,
        ("period_id", "group_id", "subgroup_id", "weekday", "pair_no", "parity"),
        TimetableEntry.org_id == w.org_id,
        TimetableEntry.period_id.in_(list(period_id.values())),
        defaults={"room": "", "hours": 2},
        delete_missing=True,
    )


async def write_lessons(w: Writer, period_id: dict[str, int]) -> None:
    """Dated lessons of every period of the file. A period that has lessons already is
    synced from today on: the past stays as it was taught (see ``services.journal.lessons``)."""
    for pid in period_id.values():
        count = select(func.count()).select_from(Lesson).where(Lesson.period_id == pid)
        has_lessons = (await w.session.execute(count)).scalar_one() > 0
        changes = await sync_lessons(
            w.session, w.org_id, pid, source="import", since=w.today if has_lessons else None
        )
        w.report.created["lesson"] += changes.created
        w.report.updated["lesson"] += changes.updated
        w.report.deleted["lesson"] += changes.removed
