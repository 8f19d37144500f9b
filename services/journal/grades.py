"""Current grades of a lesson: add, change, remove, each audited and announced.

A student may get several grades on one lesson (an oral answer and a test). Values are
"2".."5", "pass", "fail" (the keypad shows 2 3 4 5 зач незач); kinds are ``GradeKind``.
Every change writes an audit entry (``grade``, old → new) and an event for the notifier
(``grade.created`` / ``grade.changed`` / ``grade.removed``, subject ``grade:<id>``) in the
caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from core.errors import Conflict, Denied, Invalid
from core.i18n import _
from services import access
from services.access import Actor
from services.policy import Action
from storage import audit, events
from storage import journal as q
from storage.journal import LessonInfo
from storage.models import Grade, GradeKind

GRADE_VALUES = ("2", "3", "4", "5", "pass", "fail")
COMMENT_MAX = 255
AUDITED = ("lesson_id", "student_id", "value", "kind", "comment")


def validate_value(value: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in GRADE_VALUES:
        raise Invalid(_("A grade is one of 2, 3, 4, 5, pass or fail."))
    return cleaned


def validate_kind(kind: GradeKind | str) -> GradeKind:
    try:
        return GradeKind(kind)
    except ValueError:
        raise Invalid(
            _("This kind of grade is unknown. Please choose one from the list.")
        ) from None


def validate_comment(comment: str | None) -> str:
    cleaned = (comment or "").strip()
    if len(cleaned) > COMMENT_MAX:
        raise Invalid(
            _("The comment is too long: {length} characters, at most {limit}.").format(
                length=len(cleaned), limit=COMMENT_MAX
            )
        )
    return cleaned


@dataclass(frozen=True)
class GradeEntry:
    grade_id: int
    value: str
    kind: GradeKind
    comment: str


@dataclass(frozen=True)
class StudentGrades:
    student_id: int
    name: str
    grades: tuple[GradeEntry, ...]


@dataclass(frozen=True)
class LessonGrades:
    """The students of a lesson with their grades on it, for picking a student."""

    info: LessonInfo
    rows: tuple[StudentGrades, ...]
    locked: str | None  # why grades cannot be changed now; None: they can

    @property
    def count(self) -> int:
        return sum(len(row.grades) for row in self.rows)


async def lesson_grades(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> LessonGrades:
    info = await access.lesson_for_view(session, actor, lesson_id)
    lesson = info.lesson
    roster = await q.roster(session, lesson.group_id, lesson.subgroup_id, lesson.date)
    by_student: dict[int, list[GradeEntry]] = {}
    for grade in await q.grades_of_lesson(session, lesson_id):
        entry = GradeEntry(grade.id, grade.value, grade.kind, grade.comment)
        by_student.setdefault(grade.student_id, []).append(entry)
    rows = tuple(
        StudentGrades(e.student_id, e.short_name, tuple(by_student.get(e.student_id, ())))
        for e in roster
    )
    return LessonGrades(info, rows, access.lock_reason(actor, info, now, action=Action.GRADE))


async def add_grade(
    session: AsyncSession,
    actor: Actor,
    lesson_id: int,
    student_id: int,
    value: str,
    now: datetime,
    *,
    kind: GradeKind | str = GradeKind.CURRENT,
    comment: str | None = "",
) -> Grade:
    value, kind, comment = validate_value(value), validate_kind(kind), validate_comment(comment)
    info = await access.lesson_for_edit(session, actor, lesson_id, now, action=Action.GRADE)
    await access.check_student(session, info.lesson, student_id)
    grade = Grade(
        org_id=info.lesson.org_id,
        lesson_id=lesson_id,
        student_id=student_id,
        discipline_id=info.lesson.discipline_id,
        value=value,
        kind=kind,
        comment=comment,
        created_by=actor.person_id,
        created_at=now,
        updated_at=now,
    )
    session.add(grade)
    await session.flush()
    audit.record(
        session,
        org_id=grade.org_id,
        actor_id=actor.person_id,
        action="create",
        entity="grade",
        entity_id=grade.id,
        new=_fields(grade),
    )
    _emit(session, actor, events.GRADE_CREATED, info, grade, old_value=None)
    return grade


async def change_grade(
    session: AsyncSession,
    actor: Actor,
    grade_id: int,
    now: datetime,
    *,
    value: str | None = None,
    kind: GradeKind | str | None = None,
    comment: str | None = None,
) -> Grade:
    """Change what is given; an unchanged grade writes nothing."""
    wanted: dict[str, Any] = {}
    if value is not None:
        wanted["value"] = validate_value(value)
    if kind is not None:
        wanted["kind"] = validate_kind(kind)
    if comment is not None:
        wanted["comment"] = validate_comment(comment)
    grade, info = await _grade_for_edit(session, actor, grade_id, now)
    old = _fields(grade)
    if all(old[key] == val for key, val in wanted.items()):
        return grade
    for key, val in wanted.items():
        setattr(grade, key, val)
    grade.updated_at = now
    await _write(session)
    audit.record(
        session,
        org_id=grade.org_id,
        actor_id=actor.person_id,
        action="update",
        entity="grade",
        entity_id=grade.id,
        old=old,
        new=_fields(grade),
    )
    _emit(session, actor, events.GRADE_CHANGED, info, grade, old_value=old["value"])
    return grade


async def remove_grade(session: AsyncSession, actor: Actor, grade_id: int, now: datetime) -> None:
    grade, info = await _grade_for_edit(session, actor, grade_id, now)
    old = _fields(grade)
    await session.delete(grade)
    await _write(session)  # first: a second press at the same moment removes nothing
    audit.record(
        session,
        org_id=grade.org_id,
        actor_id=actor.person_id,
        action="delete",
        entity="grade",
        entity_id=grade.id,
        old=old,
    )
    _emit(session, actor, events.GRADE_REMOVED, info, grade, old_value=grade.value, gone=True)


async def _write(session: AsyncSession) -> None:
    """Flush a change of a grade read in this update; one that someone else changed or removed
    since is refused, so the audit never records an "old" value that was not there."""
    try:
        await session.flush()
    except StaleDataError:
        raise Conflict(access.changed_meanwhile()) from None


async def _grade_for_edit(
    session: AsyncSession, actor: Actor, grade_id: int, now: datetime
) -> tuple[Grade, LessonInfo]:
    grade = await q.grade_by_id(session, grade_id)
    if grade is None or grade.org_id != actor.org_id:
        raise Denied(_("This grade is no longer in the journal. Please open the lesson again."))
    info = await access.lesson_for_edit(session, actor, grade.lesson_id, now, action=Action.GRADE)
    return grade, info


def _fields(grade: Grade) -> dict[str, Any]:
    return {key: getattr(grade, key) for key in AUDITED}


def _emit(
    session: AsyncSession,
    actor: Actor,
    kind: str,
    info: LessonInfo,
    grade: Grade,
    *,
    old_value: str | None,
    gone: bool = False,
) -> None:
    events.emit(
        session,
        org_id=grade.org_id,
        kind=kind,
        subject=f"grade:{grade.id}",
        payload={
            "grade_id": grade.id,
            "student_id": grade.student_id,
            "lesson_id": grade.lesson_id,
            "lesson_date": info.lesson.date.isoformat(),
            "discipline_id": grade.discipline_id,
            "discipline": info.discipline_name,
            "value": None if gone else grade.value,
            "old_value": old_value,
            "kind": grade.kind.value,
            "comment": grade.comment,
        },
        actor_id=actor.person_id,
    )
