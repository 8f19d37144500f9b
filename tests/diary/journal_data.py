"""Grades, marks and homework put into the test college as the teacher's journal would."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AbsenceReason, Attendance, Grade, GradeKind, Lesson, Mark, Student


async def grade(
    session: AsyncSession,
    lesson: Lesson,
    student: Student,
    value: str,
    *,
    kind: GradeKind = GradeKind.CURRENT,
    comment: str = "",
) -> None:
    session.add(
        Grade(
            org_id=lesson.org_id,
            lesson_id=lesson.id,
            student_id=student.id,
            discipline_id=lesson.discipline_id,
            value=value,
            kind=kind,
            comment=comment,
        )
    )
    await session.flush()


async def mark(
    session: AsyncSession,
    lesson: Lesson,
    student: Student,
    value: Mark,
    reason: AbsenceReason | None = None,
) -> None:
    session.add(Attendance(lesson_id=lesson.id, student_id=student.id, mark=value, reason=reason))
    await session.flush()


async def set_homework(
    session: AsyncSession,
    lesson: Lesson,
    *,
    topic: str = "",
    homework: str = "",
    file_id: str | None = None,
    file_name: str | None = None,
) -> None:
    stored = await session.get(Lesson, lesson.id)
    assert stored is not None
    stored.topic, stored.homework = topic, homework
    stored.homework_file_id, stored.homework_file_name = file_id, file_name
    await session.flush()
