"""Queries of the teacher's journal: lessons with their names, the register, grades.

The register tap is the hot path: a lesson with its period and names (one query), the roster
(one), the student's mark locked and read (one upsert), the change (one update) and the marks
of the lesson (one). Every one of them is an index lookup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import (
    Attendance,
    AuditEntry,
    Discipline,
    Grade,
    Group,
    GroupEnrolment,
    Lesson,
    Mark,
    Period,
    Person,
    Student,
    Subgroup,
    SubgroupMember,
)
from storage.models.people import short_name

# The audit entity of a register finalisation; its ``entity_id`` is the lesson's id.
REGISTER_ENTITY = "register"


@dataclass(frozen=True)
class LessonInfo:
    """A lesson with its period and the names a screen or a notice shows."""

    lesson: Lesson
    period: Period
    group_name: str
    subgroup_name: str | None
    discipline_name: str


@dataclass(frozen=True)
class RosterEntry:
    student_id: int
    short_name: str
    sort_key: tuple[str, ...]


def _lesson_info(share_lock: bool) -> Select[Lesson, Period, str, str, str]:
    query = (
        select(Lesson, Period, Group.name, Subgroup.name, Discipline.name)
        .join(Period, Period.id == Lesson.period_id)
        .join(Group, Group.id == Lesson.group_id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .outerjoin(Subgroup, Subgroup.id == Lesson.subgroup_id)
        .where(Lesson.id == bindparam("lesson_id"))
        .execution_options(populate_existing=True)
    )
    return query.with_for_update(read=True, of=Lesson) if share_lock else query


# Built once, with the lesson id bound per call: every press on a lesson asks this.
_LESSON_INFO = {False: _lesson_info(False), True: _lesson_info(True)}


async def lesson_info(
    session: AsyncSession, lesson_id: int, *, share_lock: bool = False
) -> LessonInfo | None:
    """The lesson with its period and names. ``share_lock`` holds the lesson row (PostgreSQL)
    until commit, so a finalisation, which updates the row, waits for taps in flight."""
    query = _LESSON_INFO[share_lock]
    row = (await session.execute(query, {"lesson_id": lesson_id})).first()
    if row is None:
        return None
    lesson, period, group_name, subgroup_name, discipline_name = row
    return LessonInfo(lesson, period, group_name, subgroup_name, discipline_name)


def name_key(last: str, first: str, middle: str) -> tuple[str, ...]:
    """Alphabetical order the same on every backend (ё sorts with е, case ignored)."""
    return tuple(p.casefold().replace("ё", "е") for p in (last, first, middle))


def surname_starts(last_name: str, letters: str) -> bool:
    """The few letters a person typed to find someone: case and ё ignored, compared in Python
    (SQLite folds only Latin letters). Used by every "find by the surname" step."""
    wanted = letters.strip().casefold().replace("ё", "е")
    return bool(wanted) and last_name.casefold().replace("ё", "е").startswith(wanted)


def in_group_on(group_id: int, on: date) -> ColumnElement[bool]:
    """The student (``Student.id``) was in the group on ``on``, by their group history.

    A stay made by an order counts from its effective date; a stay the import made counts
    from the start (the import knows no date of arrival). A stay ends the day before its
    ``until``: from the effective date of the order that ended it."""
    stay = GroupEnrolment
    # IN, not a correlated EXISTS: SQLite then starts from the group's stays (by the group
    # index) instead of checking every student of the college against them.
    return Student.id.in_(
        select(stay.student_id).where(
            stay.group_id == group_id,
            (stay.since <= on) | stay.order_id.is_(None),
            stay.until.is_(None) | (stay.until > on),
        )
    )


async def roster(
    session: AsyncSession, group_id: int, subgroup_id: int | None, on: date
) -> list[RosterEntry]:
    """Students of the group (and the subgroup, when given) on the day ``on`` (a lesson's
    date), sorted by name: whoever left or arrived by an order is there only for their days."""
    query = (
        select(Student.id, Person.last_name, Person.first_name, Person.middle_name)
        .join(Person, Person.id == Student.person_id)
        .where(in_group_on(group_id, on))
    )
    if subgroup_id is not None:
        query = query.join(
            SubgroupMember,
            (SubgroupMember.student_id == Student.id) & (SubgroupMember.subgroup_id == subgroup_id),
        )
    rows = (await session.execute(query)).all()
    entries = [
        RosterEntry(sid, short_name(last, first, middle), name_key(last, first, middle))
        for sid, last, first, middle in rows
    ]
    entries.sort(key=lambda e: (e.sort_key, e.student_id))
    return entries


def _roster_with_marks(in_subgroup: bool) -> Select[int, str, str, str, Mark]:
    query = (
        select(Student.id, Person.last_name, Person.first_name, Person.middle_name, Attendance.mark)
        .join(Person, Person.id == Student.person_id)
        .outerjoin(
            Attendance,
            (Attendance.student_id == Student.id)
            & (Attendance.lesson_id == bindparam("lesson_id")),
        )
        .where(in_group_on(bindparam("group_id"), bindparam("on")))  # type: ignore[arg-type]
    )
    if in_subgroup:
        query = query.join(
            SubgroupMember,
            (SubgroupMember.student_id == Student.id)
            & (SubgroupMember.subgroup_id == bindparam("subgroup_id")),
        )
    return query


_ROSTER_WITH_MARKS = {False: _roster_with_marks(False), True: _roster_with_marks(True)}


async def roster_with_marks(
    session: AsyncSession, lesson_id: int, group_id: int, subgroup_id: int | None, on: date
) -> tuple[list[RosterEntry], dict[int, Mark]]:
    """The roster of ``roster`` and the lesson's stored marks, in one statement (a student
    without a row is present)."""
    values: dict[str, object] = {"lesson_id": lesson_id, "group_id": group_id, "on": on}
    if subgroup_id is not None:
        values["subgroup_id"] = subgroup_id
    rows = await session.execute(_ROSTER_WITH_MARKS[subgroup_id is not None], values)
    entries: list[RosterEntry] = []
    marks: dict[int, Mark] = {}
    for sid, last, first, middle, mark in rows.all():
        entries.append(
            RosterEntry(sid, short_name(last, first, middle), name_key(last, first, middle))
        )
        if mark is not None:
            marks[sid] = mark
    entries.sort(key=lambda e: (e.sort_key, e.student_id))
    return entries, marks


async def on_roster(
    session: AsyncSession, group_id: int, subgroup_id: int | None, student_id: int, on: date
) -> bool:
    """Whether the student was in the group (and the subgroup, when given) on ``on``."""
    query = select(Student.id).where(Student.id == student_id, in_group_on(group_id, on))
    if subgroup_id is not None:
        query = query.join(
            SubgroupMember,
            (SubgroupMember.student_id == Student.id) & (SubgroupMember.subgroup_id == subgroup_id),
        )
    return (await session.scalar(query)) is not None


async def lesson_marks(session: AsyncSession, lesson_id: int) -> dict[int, Mark]:
    """Stored marks by student; a student without a row is present."""
    rows = await session.execute(
        select(Attendance.student_id, Attendance.mark).where(Attendance.lesson_id == lesson_id)
    )
    return {sid: mark for sid, mark in rows}


def _lock_mark(insert: Any) -> Any:
    stmt = insert(Attendance).values(
        lesson_id=bindparam("lesson", type_=Attendance.lesson_id.type),
        student_id=bindparam("student", type_=Attendance.student_id.type),
        mark=Mark.PRESENT,
        updated_at=bindparam("at", type_=Attendance.updated_at.type),
        updated_by=bindparam("by", type_=Attendance.updated_by.type),
    )
    return stmt.on_conflict_do_update(  # a no-op update: the row's own lesson id again
        index_elements=[Attendance.lesson_id, Attendance.student_id],
        set_={"lesson_id": stmt.excluded.lesson_id},
    ).returning(Attendance.id, Attendance.mark)


# Built once per dialect (a register tap runs both), with the values bound per call.
_LOCK_MARK = {"sqlite": _lock_mark(sqlite.insert), "postgresql": _lock_mark(postgresql.insert)}
_SET_MARK = (
    update(Attendance)
    .where(Attendance.id == bindparam("row", type_=Attendance.id.type))
    .values(
        mark=bindparam("new_mark", type_=Attendance.mark.type),
        updated_at=bindparam("at", type_=Attendance.updated_at.type),
        updated_by=bindparam("by", type_=Attendance.updated_by.type),
    )
    .execution_options(synchronize_session=False)
)


async def lock_mark(
    session: AsyncSession, lesson_id: int, student_id: int, actor_id: int, now: datetime
) -> tuple[int, Mark]:
    """Make sure the student's attendance row exists, lock it, and return (row id, mark).

    A missing row is inserted as present (what no row means); an existing one is touched by a
    no-op update. Either way the row is held until commit (PostgreSQL row lock, SQLite write
    lock), so the mark read here is the one the following change replaces.
    """
    statement = _LOCK_MARK[session.get_bind().dialect.name]
    values = {"lesson": lesson_id, "student": student_id, "at": now, "by": actor_id}
    row = (await session.execute(statement, values)).one()
    return row[0], Mark(row[1])


async def set_mark(
    session: AsyncSession, attendance_id: int, mark: Mark, actor_id: int, now: datetime
) -> None:
    values = {"row": attendance_id, "new_mark": mark, "at": now, "by": actor_id}
    await session.execute(_SET_MARK, values)


async def reset_marks(
    session: AsyncSession,
    lesson_id: int,
    student_ids: Sequence[int],
    from_mark: Mark,
    actor_id: int,
    now: datetime,
) -> list[tuple[int, int]]:
    """Set present where the mark is ``from_mark``; (row id, student id) of the rows changed.
    The condition is in the UPDATE itself, so the rows returned are exactly those that held
    ``from_mark`` when changed, whatever another device did meanwhile."""
    if not student_ids:
        return []
    rows = await session.execute(
        update(Attendance)
        .where(
            Attendance.lesson_id == lesson_id,
            Attendance.mark == from_mark,
            Attendance.student_id.in_(list(student_ids)),
        )
        .values(mark=Mark.PRESENT, updated_at=now, updated_by=actor_id)
        .returning(Attendance.id, Attendance.student_id)
        .execution_options(synchronize_session=False)
    )
    return [(a, s) for a, s in rows]


async def claim_register(
    session: AsyncSession, lesson_id: int, actor_id: int, now: datetime
) -> None:
    """Mark the register done unless it already is, and hold the lesson row until commit.
    Writing first is deliberate: it takes the lock before the marks are read, so taps and a
    second finalisation wait instead of slipping between the read and the write."""
    await session.execute(
        update(Lesson)
        .where(Lesson.id == lesson_id)
        .values(
            register_done_at=func.coalesce(
                Lesson.register_done_at, literal(now, Lesson.register_done_at.type)
            ),
            register_done_by=func.coalesce(Lesson.register_done_by, actor_id),
        )
        .execution_options(synchronize_session=False)
    )


async def update_lesson_details(
    session: AsyncSession, lesson: Lesson, changes: dict[str, Any], now: datetime
) -> bool:
    """Write ``changes`` unless the lesson's details changed since ``lesson`` was read (False
    then, and nothing written): the values read are the true "old" of the audit."""
    seen = lesson.details_version
    result = await session.execute(
        update(Lesson)
        .where(Lesson.id == lesson.id, Lesson.details_version == seen)
        .values(**changes, details_version=seen + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    for key, value in {**changes, "details_version": seen + 1, "updated_at": now}.items():
        set_committed_value(lesson, key, value)
    return True


async def register_finalisations(session: AsyncSession, lesson_id: int) -> Sequence[dict[str, Any]]:
    """The ``changes`` of every finalisation of the lesson's register, oldest first."""
    rows = await session.scalars(
        select(AuditEntry.changes)
        .where(AuditEntry.entity == REGISTER_ENTITY, AuditEntry.entity_id == lesson_id)
        .order_by(AuditEntry.id)
    )
    return rows.all()


async def grades_of_lesson(session: AsyncSession, lesson_id: int) -> Sequence[Grade]:
    rows = await session.scalars(
        select(Grade).where(Grade.lesson_id == lesson_id).order_by(Grade.student_id, Grade.id)
    )
    return rows.all()


async def grade_by_id(session: AsyncSession, grade_id: int) -> Grade | None:
    return await session.get(Grade, grade_id, populate_existing=True)


@dataclass(frozen=True)
class DayRow:
    lesson: Lesson
    group_name: str
    subgroup_name: str | None
    discipline_name: str
    grades_count: int


async def teacher_lessons_on(
    session: AsyncSession, org_id: int, teacher_id: int, day: date
) -> list[DayRow]:
    """A teacher's lessons of a day in bell order, with the number of grades each holds."""
    return await _lessons_on(session, org_id, day, Lesson.teacher_id == teacher_id)


async def group_lessons_on(
    session: AsyncSession, org_id: int, group_id: int, day: date
) -> list[DayRow]:
    """A group's lessons of a day (its subgroups' too) in bell order."""
    return await _lessons_on(session, org_id, day, Lesson.group_id == group_id)


async def college_groups(session: AsyncSession, org_id: int) -> list[tuple[int, str]]:
    """(id, name) of the college's active groups, by name."""
    rows = await session.execute(
        select(Group.id, Group.name)
        .where(Group.org_id == org_id, Group.active.is_(True))
        .order_by(Group.name)
    )
    return [(gid, name) for gid, name in rows.all()]


async def _lessons_on(
    session: AsyncSession, org_id: int, day: date, whose: ColumnElement[bool]
) -> list[DayRow]:
    grades_count = (
        select(func.count(Grade.id))
        .where(Grade.lesson_id == Lesson.id)
        .correlate(Lesson)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(Lesson, Group.name, Subgroup.name, Discipline.name, grades_count)
        .join(Group, Group.id == Lesson.group_id)
        .join(Discipline, Discipline.id == Lesson.discipline_id)
        .outerjoin(Subgroup, Subgroup.id == Lesson.subgroup_id)
        .where(whose, Lesson.date == day, Lesson.org_id == org_id)
        .order_by(Lesson.starts_at, Lesson.pair_no, Lesson.id)
    )
    return [DayRow(*row) for row in rows]
