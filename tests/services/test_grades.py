"""Current grades: validation, several per lesson, audit old → new, events for the notifier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.errors import Conflict, Denied, Invalid
from services import access
from services.journal.grades import (
    add_grade,
    change_grade,
    lesson_grades,
    remove_grade,
    validate_comment,
    validate_kind,
    validate_value,
)
from storage import events
from storage.models import AuditEntry, Event, Grade, GradeKind
from tests.factories import College, audit_trail, events_of, make_college


def test_values_kinds_and_comments_are_validated() -> None:
    assert [validate_value(v) for v in ("2", " 5 ", "PASS", "fail")] == ["2", "5", "pass", "fail"]
    for bad in ("1", "6", "5+", "зач", ""):
        with pytest.raises(Invalid, match="2, 3, 4, 5, pass or fail"):
            validate_value(bad)
    assert validate_kind("test") is GradeKind.TEST
    with pytest.raises(Invalid, match="kind of grade is unknown"):
        validate_kind("homework")
    assert validate_comment("  well done ") == "well done"
    assert validate_comment(None) == ""
    assert len(validate_comment("я" * 255)) == 255
    with pytest.raises(Invalid, match="too long: 256 characters, at most 255"):
        validate_comment("я" * 256)


async def test_a_grade_is_stored_audited_and_announced(
    session: AsyncSession, college: College
) -> None:
    actor, lesson, student = (
        college.actor(college.teacher),
        college.lessons.today,
        college.students[0],
    )
    grade = await add_grade(
        session, actor, lesson.id, student.id, "5", college.now, kind="oral", comment="Молодец"
    )
    await session.commit()

    stored = await session.get(Grade, grade.id)
    assert stored is not None
    assert (stored.value, stored.kind, stored.comment, stored.discipline_id, stored.created_by) == (
        "5",
        GradeKind.ORAL,
        "Молодец",
        college.math.id,
        college.teacher.id,
    )
    (entry,) = await audit_trail(session, "grade", grade.id)
    assert (entry.action, entry.actor_id) == ("create", college.teacher.id)
    assert entry.changes["value"] == [None, "5"]
    assert entry.changes["student_id"] == [None, student.id]
    (event,) = await events_of(session, events.GRADE_CREATED)
    assert event.subject == f"grade:{grade.id}"
    assert event.payload == {
        "grade_id": grade.id,
        "student_id": student.id,
        "lesson_id": lesson.id,
        "lesson_date": "2026-11-17",
        "discipline_id": college.math.id,
        "discipline": "Математика",
        "value": "5",
        "old_value": None,
        "kind": "oral",
        "comment": "Молодец",
    }


async def test_a_student_may_get_several_grades_on_one_lesson(
    session: AsyncSession, college: College
) -> None:
    actor, lesson, student = (
        college.actor(college.teacher),
        college.lessons.today,
        college.students[0],
    )
    await add_grade(session, actor, lesson.id, student.id, "4", college.now)
    await add_grade(session, actor, lesson.id, student.id, "pass", college.now, kind=GradeKind.TEST)
    await add_grade(session, actor, lesson.id, college.students[3].id, "3", college.now)
    await session.commit()

    sheet = await lesson_grades(session, actor, lesson.id, college.now)
    assert sheet.count == 3 and sheet.locked is None
    first = sheet.rows[0]
    assert first.student_id == student.id
    assert [(g.value, g.kind) for g in first.grades] == [
        ("4", GradeKind.CURRENT),
        ("pass", GradeKind.TEST),
    ]
    assert [len(row.grades) for row in sheet.rows] == [2, 0, 0, 1, 0, 0]


async def test_changing_a_grade_audits_old_and_new_and_tells_the_old_value(
    session: AsyncSession, college: College
) -> None:
    actor, lesson, student = (
        college.actor(college.teacher),
        college.lessons.today,
        college.students[1],
    )
    grade = await add_grade(session, actor, lesson.id, student.id, "4", college.now)
    await change_grade(session, actor, grade.id, college.now, value="5", kind="exam")
    await session.commit()

    stored = await session.get(Grade, grade.id, populate_existing=True)
    assert stored is not None and (stored.value, stored.kind) == ("5", GradeKind.EXAM)
    created, changed = await audit_trail(session, "grade", grade.id)
    assert (created.action, changed.action) == ("create", "update")
    assert changed.changes == {"value": ["4", "5"], "kind": ["current", "exam"]}
    (event,) = await events_of(session, events.GRADE_CHANGED)
    assert (event.payload["value"], event.payload["old_value"], event.payload["kind"]) == (
        "5",
        "4",
        "exam",
    )

    # The same values again: nothing to audit, nothing to tell.
    await change_grade(session, actor, grade.id, college.now, value="5", comment="")
    await session.commit()
    assert len(await audit_trail(session, "grade", grade.id)) == 2
    assert len(await events_of(session, events.GRADE_CHANGED)) == 1


async def test_removing_a_grade_keeps_the_trail(session: AsyncSession, college: College) -> None:
    actor, lesson, student = (
        college.actor(college.teacher),
        college.lessons.today,
        college.students[2],
    )
    grade = await add_grade(session, actor, lesson.id, student.id, "2", college.now)
    await session.commit()
    grade_id = grade.id
    await remove_grade(session, actor, grade_id, college.now)
    await session.commit()

    assert await session.get(Grade, grade_id) is None
    removed = (await audit_trail(session, "grade", grade_id))[-1]
    assert removed.action == "delete" and removed.changes["value"] == ["2", None]
    (event,) = await events_of(session, events.GRADE_REMOVED)
    assert (event.payload["value"], event.payload["old_value"], event.payload["student_id"]) == (
        None,
        "2",
        student.id,
    )


async def test_forged_grades_are_refused(session: AsyncSession, college: College) -> None:
    teacher, deputy = college.actor(college.teacher), college.actor(college.deputy)
    lessons, student = college.lessons, college.students[0]
    refused = [
        (lessons.today.id, college.other_students[0].id, "not on the register"),
        (lessons.subgroup.id, college.sub2_students[0].id, "not on the register"),
        (lessons.today.id, college.expelled.id, "not on the register"),
        (lessons.foreign.id, student.id, "not among your lessons"),
        (lessons.old.id, student.id, "edit window"),
        (lessons.closed.id, student.id, "is closed"),
        (lessons.tomorrow.id, student.id, "has not taken place yet"),
        (10**9, student.id, "not among your lessons"),
    ]
    for lesson_id, student_id, message in refused:
        with pytest.raises(Denied, match=message):
            await add_grade(session, teacher, lesson_id, student_id, "5", college.now)
    assert (await session.scalar(select(func.count()).select_from(Grade))) == 0
    # Past the window the deputy still may.
    grade = await add_grade(session, deputy, lessons.old.id, student.id, "4", college.now)
    assert grade.created_by == college.deputy.id


async def test_grades_of_other_lessons_and_colleges_cannot_be_touched(
    session: AsyncSession, college: College
) -> None:
    other = await make_college(session, code="c2")
    colleague = college.actor(college.other_teacher)
    theirs = await add_grade(
        session, colleague, college.lessons.foreign.id, college.students[0].id, "3", college.now
    )
    elsewhere = await add_grade(
        session,
        other.actor(other.teacher),
        other.lessons.today.id,
        other.students[0].id,
        "3",
        other.now,
    )
    await session.commit()
    teacher = college.actor(college.teacher)
    for grade_id, message in (
        (theirs.id, "not among your lessons"),
        (elsewhere.id, "no longer in the journal"),
        (10**9, "no longer in the journal"),
    ):
        with pytest.raises(Denied, match=message):
            await change_grade(session, teacher, grade_id, college.now, value="5")
        with pytest.raises(Denied, match=message):
            await remove_grade(session, teacher, grade_id, college.now)
    await session.rollback()
    values = (await session.scalars(select(Grade.value).order_by(Grade.id))).all()
    assert values == ["3", "3"]


async def test_after_the_window_only_the_deputy_changes_grades(
    session: AsyncSession, college: College
) -> None:
    teacher, deputy = college.actor(college.teacher), college.actor(college.deputy)
    lesson, student = college.lessons.today, college.students[0]
    grade = await add_grade(session, teacher, lesson.id, student.id, "3", college.now)
    await session.commit()
    later = college.at(college.today + timedelta(days=10), 9)  # 8 working days later
    with pytest.raises(Denied, match="edit window of 7 working days has passed"):
        await change_grade(session, teacher, grade.id, later, value="4")
    sheet = await lesson_grades(session, teacher, lesson.id, later)
    assert sheet.locked is not None and "deputy director" in sheet.locked
    await change_grade(session, deputy, grade.id, later, value="4")
    await session.commit()
    (*_, changed) = await audit_trail(session, "grade", grade.id)
    assert (changed.actor_id, changed.changes["value"]) == (college.deputy.id, ["3", "4"])


async def test_grade_audit_and_event_share_the_transaction(
    session: AsyncSession, college: College
) -> None:
    actor = college.actor(college.teacher)
    await add_grade(
        session, actor, college.lessons.today.id, college.students[0].id, "5", college.now
    )
    await session.rollback()
    for table in (Grade, AuditEntry, Event):
        assert (await session.scalar(select(func.count()).select_from(table))) == 0


def _meanwhile(monkeypatch: pytest.MonkeyPatch, other: Callable[[], Awaitable[None]]) -> None:
    """Run ``other`` (another person's press, in its own transaction, committed) right after
    the first edit has read the grade and before it writes: the two presses at one moment."""
    original = access.lesson_for_edit
    pending = [other]

    async def read_then_wait(*args: Any, **kwargs: Any) -> Any:
        info = await original(*args, **kwargs)
        if pending:
            await pending.pop()()
        return info

    monkeypatch.setattr(access, "lesson_for_edit", read_then_wait)


async def test_two_removals_at_one_moment_write_one_audit_entry_and_one_event(
    session_factory: async_sessionmaker[AsyncSession],
    college: College,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = college.actor(college.teacher)
    async with session_factory.begin() as session:
        grade = await add_grade(
            session, actor, college.lessons.today.id, college.students[0].id, "5", college.now
        )

    async def second_press() -> None:
        async with session_factory.begin() as other:
            await remove_grade(other, actor, grade.id, college.now)

    _meanwhile(monkeypatch, second_press)
    async with session_factory() as session:
        with pytest.raises(Conflict, match="changed this at the same moment"):
            await remove_grade(session, actor, grade.id, college.now)
        await session.rollback()

    async with session_factory() as session:
        assert len(await audit_trail(session, "grade", grade.id)) == 2  # create, one delete
        assert len(await events_of(session, events.GRADE_REMOVED)) == 1
        assert await session.get(Grade, grade.id) is None


async def test_a_change_racing_another_is_refused_and_the_audit_old_is_true(
    session_factory: async_sessionmaker[AsyncSession],
    college: College,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    actor = college.actor(college.teacher)
    async with session_factory.begin() as session:
        grade = await add_grade(
            session, actor, college.lessons.today.id, college.students[0].id, "3", college.now
        )

    async def first_press() -> None:
        async with session_factory.begin() as other:
            await change_grade(other, actor, grade.id, college.now, value="4")

    _meanwhile(monkeypatch, first_press)
    async with session_factory() as session:
        with pytest.raises(Conflict):
            await change_grade(session, actor, grade.id, college.now, value="5")
        await session.rollback()

    async with session_factory() as session:
        trail = await audit_trail(session, "grade", grade.id)
        assert [e.changes["value"] for e in trail] == [[None, "3"], ["3", "4"]]
        assert (await session.get(Grade, grade.id)).value == "4"  # type: ignore[union-attr]
