"""Queries about what a teacher teaches: assignments, the curriculum's attestation forms,
period (attestation) grades with the current-grade averages behind them, teaching documents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AttestationForm,
    CurriculumItem,
    Discipline,
    DocumentKind,
    Grade,
    Group,
    Lesson,
    Period,
    PeriodGrade,
    Subgroup,
    TeachingAssignment,
    TeachingDocument,
)

NUMERIC_VALUES = ("2", "3", "4", "5")


@dataclass(frozen=True)
class AssignmentRow:
    assignment: TeachingAssignment
    group: Group
    subgroup_name: str | None
    discipline: Discipline


async def teacher_assignments(
    session: AsyncSession, org_id: int, teacher_id: int
) -> list[AssignmentRow]:
    rows = await session.execute(
        select(TeachingAssignment, Group, Subgroup.name, Discipline)
        .join(Group, Group.id == TeachingAssignment.group_id)
        .join(Discipline, Discipline.id == TeachingAssignment.discipline_id)
        .outerjoin(Subgroup, Subgroup.id == TeachingAssignment.subgroup_id)
        .where(TeachingAssignment.teacher_id == teacher_id, TeachingAssignment.org_id == org_id)
        .order_by(Group.name, Discipline.name, Subgroup.name)
    )
    return [AssignmentRow(*row) for row in rows]


async def assignments_for(
    session: AsyncSession,
    teacher_id: int,
    group_id: int,
    discipline_id: int,
    period_id: int | None = None,
) -> Sequence[TeachingAssignment]:
    """The teacher's assignments to the group and discipline; with ``period_id``, those of that
    period or of no particular period."""
    query = select(TeachingAssignment).where(
        TeachingAssignment.teacher_id == teacher_id,
        TeachingAssignment.group_id == group_id,
        TeachingAssignment.discipline_id == discipline_id,
    )
    if period_id is not None:
        query = query.where(
            or_(TeachingAssignment.period_id == period_id, TeachingAssignment.period_id.is_(None))
        )
    return (await session.scalars(query)).all()


async def begun_open_periods(session: AsyncSession, org_id: int, today: date) -> list[Period]:
    rows = await session.scalars(
        select(Period)
        .where(Period.org_id == org_id, Period.closed.is_(False), Period.starts_on <= today)
        .order_by(Period.starts_on)
    )
    return list(rows)


async def attestation_forms(
    session: AsyncSession, curriculum_ids: Sequence[int]
) -> dict[tuple[int, int, int], AttestationForm]:
    """(curriculum, discipline, semester) → form, for the given curricula."""
    if not curriculum_ids:
        return {}
    rows = await session.execute(
        select(
            CurriculumItem.curriculum_id,
            CurriculumItem.discipline_id,
            CurriculumItem.semester,
            CurriculumItem.attestation_form,
        ).where(CurriculumItem.curriculum_id.in_(list(set(curriculum_ids))))
    )
    return {(c, d, s): form for c, d, s, form in rows}


async def grade_averages(
    session: AsyncSession, student_ids: Sequence[int], discipline_id: int, period_id: int
) -> dict[int, tuple[float, int]]:
    """Student → (average, count) of their 2–5 grades in the discipline on the period's
    lessons; pass/fail grades do not count."""
    if not student_ids:
        return {}
    rows = await session.execute(
        select(Grade.student_id, func.avg(cast(Grade.value, Integer)), func.count(Grade.id))
        .join(Lesson, Lesson.id == Grade.lesson_id)
        .where(
            Grade.student_id.in_(list(student_ids)),
            Grade.discipline_id == discipline_id,
            Grade.value.in_(NUMERIC_VALUES),
            Lesson.period_id == period_id,
        )
        .group_by(Grade.student_id)
    )
    return {sid: (float(avg), n) for sid, avg, n in rows}


async def period_grades(
    session: AsyncSession, student_ids: Sequence[int], discipline_id: int, period_id: int
) -> dict[int, PeriodGrade]:
    if not student_ids:
        return {}
    rows = await session.scalars(
        select(PeriodGrade).where(
            PeriodGrade.student_id.in_(list(student_ids)),
            PeriodGrade.discipline_id == discipline_id,
            PeriodGrade.period_id == period_id,
        )
    )
    return {pg.student_id: pg for pg in rows}


async def period_grade(
    session: AsyncSession, student_id: int, discipline_id: int, period_id: int
) -> PeriodGrade | None:
    return await session.scalar(
        select(PeriodGrade).where(
            PeriodGrade.student_id == student_id,
            PeriodGrade.discipline_id == discipline_id,
            PeriodGrade.period_id == period_id,
        )
    )


async def documents(
    session: AsyncSession, group_id: int, discipline_id: int
) -> Sequence[TeachingDocument]:
    """Uploads for the group and discipline, newest first."""
    rows = await session.scalars(
        select(TeachingDocument)
        .where(
            TeachingDocument.group_id == group_id,
            TeachingDocument.discipline_id == discipline_id,
        )
        .order_by(TeachingDocument.uploaded_at.desc(), TeachingDocument.id.desc())
    )
    return rows.all()


async def document_kinds(
    session: AsyncSession, pairs: Sequence[tuple[int, int]], academic_year: int
) -> set[tuple[int, int, DocumentKind]]:
    """(group, discipline, kind) uploaded at least once for the academic year, for the given
    (group, discipline)."""
    if not pairs:
        return set()
    group_ids = {g for g, _ in pairs}
    rows = await session.execute(
        select(TeachingDocument.group_id, TeachingDocument.discipline_id, TeachingDocument.kind)
        .where(
            TeachingDocument.group_id.in_(group_ids),
            TeachingDocument.academic_year == academic_year,
        )
        .distinct()
    )
    wanted = set(pairs)
    return {(g, d, k) for g, d, k in rows if (g, d) in wanted}
