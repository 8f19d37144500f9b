"""The journal grid: a discipline's journal of a group in a period, students down, lessons
across, with each student's average and period grade, as the Mini App shows it; and the one
cell a tap changes.

Who may open which grid: the teacher the group and discipline they teach (the subgroup, when
they teach only that); the deputy director and the director any group of their college; the
curator their groups. Changing a cell goes through the chat's own use cases
(services/journal/grades.py, register.py), so the same rules hold (own lessons, the edit
window, a closed period), and the same audit entries and outbox events are written: a grade
set in the grid notifies the parent like one set in the chat.

A cell changed by someone else since the page loaded it is not overwritten: the edit carries
what the page showed (the cell's grades, the mark), and when the store holds something else
``StaleCell`` returns the cell as it is now, so the page shows it and asks again. The lesson's
row is held while a cell is read and changed, so two pages changing one cell at the same moment
cannot both pass the check: the second waits, sees the first's change, and is asked again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Conflict, Denied, Invalid
from core.i18n import _
from services import access, policy
from services.access import Actor
from services.diary.service import average
from services.journal import grades, register
from services.policy import Action, Target
from storage import grid as q
from storage import journal as journal_q
from storage import teaching
from storage.grid import JournalKey
from storage.models import (
    AbsenceReason,
    Discipline,
    Grade,
    GradeKind,
    Group,
    Lesson,
    Mark,
    Period,
    Subgroup,
)


def not_yours() -> str:
    return _("This journal is not among those you may open.")


def not_in_journal() -> str:
    return _("This lesson is not in this journal. Please open the journal again.")


def stale() -> str:
    return _(
        "Someone else changed this cell after the journal was loaded. It now shows what is "
        "stored: please check it and try again."
    )


# --- which journals ---------------------------------------------------------------------


@dataclass(frozen=True)
class Journals:
    """The periods of the college, the one chosen, and the journals one may open in it."""

    periods: tuple[Period, ...]
    period: Period | None
    journals: tuple[JournalKey, ...]


def default_period(periods: Sequence[Period], today: date) -> Period | None:
    """The period holding today, else the last one begun, else the first."""
    for period in periods:
        if period.starts_on <= today <= period.ends_on:
            return period
    begun = [p for p in periods if p.starts_on <= today]
    if begun:
        return begun[-1]
    return periods[0] if periods else None


def reads_all(actor: Actor, org_id: int) -> bool:
    return policy.can(actor, Action.READ_GROUP_JOURNALS, Target(org_id))


async def journals(
    session: AsyncSession, actor: Actor, now: datetime, period_id: int | None = None
) -> Journals:
    """What the person may open: every journal of the college for the deputy director and
    the director, the groups and disciplines taught, the curated groups' journals."""
    periods = tuple(await q.org_periods(session, actor.org_id))
    period = next((p for p in periods if p.id == period_id), None)
    if period is None:
        period = default_period(periods, actor.today(now))
    if period is None:
        return Journals(periods, None, ())
    found: dict[tuple[int, int | None, int], JournalKey] = {}
    if reads_all(actor, actor.org_id):
        for key in await q.journals_in_period(session, actor.org_id, period.id):
            found[(key.group_id, None, key.discipline_id)] = key
    else:
        if policy.holds(actor, Action.GRADE) or policy.holds(actor, Action.MARK_REGISTER):
            for row in await teaching.teacher_assignments(session, actor.org_id, actor.person_id):
                if row.assignment.period_id not in (None, period.id):
                    continue
                key = JournalKey(
                    row.group.id,
                    row.group.name,
                    row.assignment.subgroup_id,
                    row.subgroup_name,
                    row.discipline.id,
                    row.discipline.name,
                )
                found[(key.group_id, key.subgroup_id, key.discipline_id)] = key
        curated = sorted(
            g
            for g in actor.curator_group_ids
            if policy.can(actor, Action.READ_GROUP_OVERVIEW, Target(actor.org_id, group_id=g))
        )
        if curated:
            for key in await q.journals_in_period(
                session, actor.org_id, period.id, group_ids=curated
            ):
                found.setdefault((key.group_id, None, key.discipline_id), key)
    keys = sorted(
        found.values(),
        key=lambda k: (k.group_name, k.subgroup_name or "", k.discipline_name),
    )
    return Journals(periods, period, tuple(keys))


# --- the grid ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A journal the actor may open: the group (subgroup), the discipline, the period."""

    group: Group
    discipline: Discipline
    period: Period
    subgroup: Subgroup | None

    @property
    def subgroup_id(self) -> int | None:
        return self.subgroup.id if self.subgroup else None


@dataclass(frozen=True)
class CellGrade:
    grade_id: int
    value: str
    kind: GradeKind
    comment: str


@dataclass(frozen=True)
class Cell:
    """A student at a lesson: ``on_register`` False when they were not in the group that
    day (the cell is empty and takes nothing)."""

    on_register: bool
    mark: Mark = Mark.PRESENT
    reason: AbsenceReason | None = None
    grades: tuple[CellGrade, ...] = ()


@dataclass(frozen=True)
class GridLesson:
    lesson_id: int
    date: date
    pair_no: int
    topic: str
    homework: str
    hours: int
    cancelled: bool
    subgroup_name: str | None
    # Why its marks and grades cannot be changed by this person now; None: they can.
    locked: str | None

    @property
    def editable(self) -> bool:
        return self.locked is None


@dataclass(frozen=True)
class GridRow:
    student_id: int
    name: str
    cells: tuple[Cell, ...]
    average: float | None
    period_grade: str | None


@dataclass(frozen=True)
class Grid:
    scope: Scope
    lessons: tuple[GridLesson, ...]
    rows: tuple[GridRow, ...]

    @property
    def editable(self) -> bool:
        return any(lesson.editable for lesson in self.lessons)


async def open_scope(
    session: AsyncSession,
    actor: Actor,
    group_id: int,
    discipline_id: int,
    period_id: int,
    subgroup_id: int | None = None,
) -> Scope:
    """The journal if the actor may open it, else Denied (the same message whether it
    exists or not)."""
    group = await session.get(Group, group_id)
    discipline = await session.get(Discipline, discipline_id)
    period = await session.get(Period, period_id)
    subgroup = await session.get(Subgroup, subgroup_id) if subgroup_id is not None else None
    if (
        group is None
        or discipline is None
        or period is None
        or group.org_id != actor.org_id
        or discipline.org_id != actor.org_id
        or period.org_id != actor.org_id
        or (subgroup_id is not None and (subgroup is None or subgroup.group_id != group_id))
    ):
        raise Denied(not_yours())
    target = Target.group(group)
    overseen = policy.can(actor, Action.READ_GROUP_JOURNALS, target) or policy.can(
        actor, Action.READ_GROUP_OVERVIEW, target
    )
    if not overseen:
        try:
            await access.teaching_for(
                session,
                actor,
                group_id,
                discipline_id,
                action=Action.GRADE,
                period_id=period_id,
                subgroup_id=subgroup_id,
            )
        except Denied:
            raise Denied(not_yours()) from None
    return Scope(group, discipline, period, subgroup)


async def scope_of_lesson(session: AsyncSession, actor: Actor, lesson_id: int) -> Scope:
    """The journal a lesson belongs to, as the actor may open it: the whole group's, else
    the lesson's subgroup's (a teacher of that subgroup only)."""
    info = await journal_q.lesson_info(session, lesson_id)
    if info is None or info.lesson.org_id != actor.org_id:
        raise Denied(not_yours())
    lesson = info.lesson
    try:
        return await open_scope(
            session, actor, lesson.group_id, lesson.discipline_id, lesson.period_id
        )
    except Denied:
        if lesson.subgroup_id is None:
            raise
    return await open_scope(
        session, actor, lesson.group_id, lesson.discipline_id, lesson.period_id, lesson.subgroup_id
    )


def _cell(
    stay_on: bool,
    lesson_id: int,
    student_id: int,
    marks: dict[tuple[int, int], tuple[Mark, AbsenceReason | None]],
    given: dict[tuple[int, int], list[CellGrade]],
) -> Cell:
    if not stay_on:
        return Cell(False)
    mark, reason = marks.get((lesson_id, student_id), (Mark.PRESENT, None))
    return Cell(True, mark, reason, tuple(given.get((lesson_id, student_id), ())))


def _entry(grade: Grade) -> CellGrade:
    return CellGrade(grade.id, grade.value, grade.kind, grade.comment)


async def discipline_grid(session: AsyncSession, actor: Actor, scope: Scope, now: datetime) -> Grid:
    """The grid of an opened journal: four queries for lessons, students, marks and grades,
    one for the period grades, and with subgroups' lessons in a group's journal, their names
    and members."""
    lessons = await q.journal_lessons(
        session, scope.group.id, scope.discipline.id, scope.period.id, scope.subgroup_id
    )
    first = lessons[0].date if lessons else scope.period.starts_on
    last = lessons[-1].date if lessons else scope.period.ends_on
    stays = await q.group_stays(session, scope.group.id, scope.subgroup_id, first, last)
    ids = [lesson.id for lesson in lessons]
    marks = await q.lesson_marks(session, ids)
    given: dict[tuple[int, int], list[CellGrade]] = {}
    for grade in await q.lesson_grades(session, ids):
        given.setdefault((grade.lesson_id, grade.student_id), []).append(_entry(grade))
    parts = sorted({x.subgroup_id for x in lessons if x.subgroup_id is not None})
    subgroups = await q.subgroup_names(session, parts)
    # A subgroup's lesson has only that subgroup's students on its register.
    members = await q.subgroup_members(session, parts) if scope.subgroup is None else {}
    window, today = actor.edit_window_days, actor.today(now)
    columns = tuple(
        GridLesson(
            lesson_id=lesson.id,
            date=lesson.date,
            pair_no=lesson.pair_no,
            topic=lesson.topic,
            homework=lesson.homework,
            hours=lesson.hours,
            cancelled=lesson.cancelled,
            subgroup_name=subgroups.get(lesson.subgroup_id) if lesson.subgroup_id else None,
            locked=_locked(actor, lesson, scope.period, today, window),
        )
        for lesson in lessons
    )
    students: dict[int, list[q.Stay]] = {}
    for stay in stays:
        students.setdefault(stay.student_id, []).append(stay)
    order = sorted(students.values(), key=lambda s: (s[0].sort_key, s[0].student_id))
    attested = await teaching.period_grades(
        session, [s[0].student_id for s in order], scope.discipline.id, scope.period.id
    )
    rows = []
    for student_stays in order:
        sid = student_stays[0].student_id
        cells = tuple(
            _cell(
                any(s.covers(lesson.date) for s in student_stays)
                and (
                    lesson.subgroup_id is None
                    or lesson.subgroup_id == scope.subgroup_id
                    or sid in members.get(lesson.subgroup_id, ())
                ),
                lesson.id,
                sid,
                marks,
                given,
            )
            for lesson in lessons
        )
        values = [g.value for c in cells for g in c.grades]
        pg = attested.get(sid)
        rows.append(
            GridRow(sid, student_stays[0].name, cells, average(values), pg.value if pg else None)
        )
    return Grid(scope, columns, tuple(rows))


def _locked(actor: Actor, lesson: Lesson, period: Period, today: date, window: int) -> str | None:
    refusal = access.edit_refusal(actor, lesson, period, today, window, action=Action.GRADE)
    if refusal is None:
        return None
    if refusal is access.Refusal.NOT_YOURS:
        return _("You can see this lesson's journal but not change it.")
    return access.refusal_message(refusal, lesson, period, window)


# --- one cell ---------------------------------------------------------------------------


class CellAction(StrEnum):
    ADD = "add"
    CHANGE = "change"
    REMOVE = "remove"
    MARK = "mark"


@dataclass(frozen=True)
class CellEdit:
    """A tap's change of one cell, as the page sends it: the journal it was made in, the
    cell, what the page showed there (``seen_grades``: (id, value) of each grade;
    ``seen_mark``), and the change."""

    lesson_id: int
    student_id: int
    action: CellAction
    seen_grades: tuple[tuple[int, str], ...] = ()
    seen_mark: Mark = Mark.PRESENT
    grade_id: int | None = None
    value: str | None = None
    kind: GradeKind | str | None = None  # a change: None keeps the kind
    comment: str | None = None  # a change: None keeps the comment
    mark: Mark | str | None = None


class StaleCell(Conflict):
    """The cell changed since the page loaded it; ``cell`` is what the store holds now."""

    def __init__(self, cell: Cell, average: float | None) -> None:
        super().__init__(stale())
        self.cell = cell
        self.average = average


@dataclass(frozen=True)
class CellResult:
    cell: Cell
    average: float | None


async def read_cell(
    session: AsyncSession, scope: Scope, lesson: Lesson, student_id: int
) -> tuple[Cell, float | None]:
    """The cell as stored, with the student's average in the journal."""
    on = await journal_q.on_roster(
        session, lesson.group_id, lesson.subgroup_id, student_id, lesson.date
    )
    if not on:
        cell = Cell(False)
    else:
        marks = await q.lesson_marks(session, [lesson.id])
        mark, reason = marks.get((lesson.id, student_id), (Mark.PRESENT, None))
        given = tuple(_entry(g) for g in await q.cell_grades(session, lesson.id, student_id))
        cell = Cell(True, mark, reason, given)
    averages = await teaching.grade_averages(
        session, [student_id], scope.discipline.id, scope.period.id
    )
    found = averages.get(student_id)
    return cell, (round(found[0], 2) if found else None)


def _in_journal(scope: Scope, lesson: Lesson) -> bool:
    return (
        lesson.group_id == scope.group.id
        and lesson.discipline_id == scope.discipline.id
        and lesson.period_id == scope.period.id
        and (scope.subgroup is None or lesson.subgroup_id in (None, scope.subgroup.id))
    )


async def edit_cell(
    session: AsyncSession, actor: Actor, scope: Scope, edit: CellEdit, now: datetime
) -> CellResult:
    """Change one cell through the chat's use cases, unless it changed since the page saw it.
    The caller commits (or rolls back on any refusal)."""
    info = await journal_q.lesson_info(session, edit.lesson_id)
    if info is None or not _in_journal(scope, info.lesson):
        raise Invalid(not_in_journal())
    lesson = info.lesson
    # The rules first (own lesson, window, period): a refusal says why, whatever the cell holds.
    right = Action.MARK_REGISTER if edit.action is CellAction.MARK else Action.GRADE
    access.check_edit(actor, info, now, action=right)
    if edit.action is not CellAction.MARK:  # a mark's row is locked by the register itself
        await q.hold_lesson(session, lesson.id)
    cell, avg = await read_cell(session, scope, lesson, edit.student_id)
    if not cell.on_register:
        raise Invalid(access.not_on_register())
    if edit.action is CellAction.MARK:
        if edit.mark is None:
            raise Invalid(not_in_journal())
        if cell.mark is not edit.seen_mark:
            raise StaleCell(cell, avg)
        try:
            await register.set_mark(
                session, actor, lesson.id, edit.student_id, edit.seen_mark, edit.mark, now
            )
        except Conflict:
            fresh, avg = await read_cell(session, scope, lesson, edit.student_id)
            raise StaleCell(fresh, avg) from None
    else:
        shown = sorted((g.grade_id, g.value) for g in cell.grades)
        if shown != sorted(edit.seen_grades):
            raise StaleCell(cell, avg)
        if edit.action is CellAction.ADD:
            await grades.add_grade(
                session,
                actor,
                lesson.id,
                edit.student_id,
                edit.value or "",
                now,
                kind=edit.kind or GradeKind.CURRENT,
                comment=edit.comment,
            )
        else:
            if edit.grade_id not in {g.grade_id for g in cell.grades}:
                raise StaleCell(cell, avg)
            assert edit.grade_id is not None
            if edit.action is CellAction.CHANGE:
                await grades.change_grade(
                    session,
                    actor,
                    edit.grade_id,
                    now,
                    value=edit.value,
                    kind=edit.kind,
                    comment=edit.comment,
                )
            else:
                await grades.remove_grade(session, actor, edit.grade_id, now)
    await session.flush()
    fresh, avg = await read_cell(session, scope, lesson, edit.student_id)
    return CellResult(fresh, avg)
