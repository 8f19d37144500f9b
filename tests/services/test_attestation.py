"""Intermediate attestation: the sheet with period averages, forms from the curriculum, scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied, Invalid
from services.journal.attestation import (
    attestation_sheet,
    curriculum_semester,
    remove_period_grade,
    set_period_grade,
    suggested_value,
    validate_period_value,
)
from services.journal.grades import add_grade
from storage.models import AttestationForm, Grade, GradeKind, PeriodGrade
from tests.factories import College, audit_trail


def test_forms_take_their_own_values() -> None:
    assert validate_period_value(AttestationForm.EXAM, " 5") == "5"
    assert validate_period_value(AttestationForm.DIFF_CREDIT, "3") == "3"
    assert validate_period_value(AttestationForm.CREDIT, "Pass") == "pass"
    with pytest.raises(Invalid, match="2, 3, 4 or 5"):
        validate_period_value(AttestationForm.EXAM, "pass")
    with pytest.raises(Invalid, match="pass or fail"):
        validate_period_value(AttestationForm.CREDIT, "5")
    with pytest.raises(Invalid, match="no intermediate attestation"):
        validate_period_value(AttestationForm.NONE, "5")


def test_semester_of_the_curriculum_counts_from_the_course_year() -> None:
    assert [curriculum_semester(c, s) for c, s in ((1, 1), (1, 2), (2, 1), (4, 2))] == [1, 2, 3, 8]


def test_suggestion_rounds_half_up_for_graded_forms_only() -> None:
    assert suggested_value(AttestationForm.EXAM, 4.5) == "5"
    assert suggested_value(AttestationForm.EXAM, 3.49) == "3"
    assert suggested_value(AttestationForm.EXAM, None) is None
    assert suggested_value(AttestationForm.CREDIT, 4.0) is None


async def test_sheet_shows_period_averages_and_the_curriculum_form(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    s = college.students
    for lesson, value, kind in (
        (college.lessons.today, "5", GradeKind.CURRENT),
        (college.lessons.yesterday, "4", GradeKind.TEST),
        (college.lessons.yesterday, "pass", GradeKind.CURRENT),  # not a number: not counted
    ):
        await add_grade(session, teacher, lesson.id, s[0].id, value, college.now, kind=kind)
    await add_grade(session, teacher, college.lessons.today.id, s[1].id, "3", college.now)
    # A grade of the previous (closed) period is not this period's.
    session.add(
        Grade(
            org_id=college.org.id,
            lesson_id=college.lessons.closed.id,
            student_id=s[1].id,
            discipline_id=college.math.id,
            value="2",
        )
    )
    await session.commit()

    sheet = await attestation_sheet(
        session, teacher, college.group.id, college.math.id, college.autumn.id
    )
    assert sheet.form is AttestationForm.EXAM and sheet.locked is None
    assert [row.student_id for row in sheet.rows] == [st.id for st in s]
    assert [(r.average, r.grades_count, r.suggested) for r in sheet.rows[:3]] == [
        (4.5, 2, "5"),
        (3.0, 1, "3"),
        (None, 0, None),
    ]
    assert (sheet.filled, sheet.complete) == (0, False)


async def test_period_grades_are_stored_audited_and_shown(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    args = (college.group.id, college.math.id, college.autumn.id)
    student = college.students[2]
    grade = await set_period_grade(session, teacher, *args, student.id, "5", college.now)
    await session.commit()
    assert (grade.form, grade.value, grade.group_id) == (
        AttestationForm.EXAM,
        "5",
        college.group.id,
    )
    later = college.now + timedelta(days=1)
    await set_period_grade(session, teacher, *args, student.id, "4", later)
    await set_period_grade(session, teacher, *args, student.id, "4", later)  # no change
    await session.commit()

    sheet = await attestation_sheet(session, teacher, *args)
    assert [row.value for row in sheet.rows] == [None, None, "4", None, None, None]
    assert sheet.filled == 1
    trail = await audit_trail(session, "period_grade", grade.id)
    assert [(e.action, e.changes["value"]) for e in trail] == [
        ("create", [None, "5"]),
        ("update", ["5", "4"]),
    ]

    await remove_period_grade(session, teacher, *args, student.id)
    await session.commit()
    assert (await session.scalars(select(PeriodGrade))).all() == []
    assert (await audit_trail(session, "period_grade", grade.id))[-1].action == "delete"


async def test_credit_of_a_subgroup_is_pass_or_fail(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    args = (college.group.id, college.english.id, college.autumn.id)
    sheet = await attestation_sheet(session, teacher, *args, subgroup_id=college.sub1.id)
    assert sheet.form is AttestationForm.CREDIT
    assert [row.student_id for row in sheet.rows] == [st.id for st in college.sub1_students]
    student = college.sub1_students[0]
    with pytest.raises(Invalid, match="pass or fail"):
        await set_period_grade(
            session, teacher, *args, student.id, "5", college.now, subgroup_id=college.sub1.id
        )
    grade = await set_period_grade(
        session, teacher, *args, student.id, "pass", college.now, subgroup_id=college.sub1.id
    )
    assert grade.form is AttestationForm.CREDIT


async def test_attestation_scope_is_checked(session: AsyncSession, college: College) -> None:
    teacher, deputy = college.actor(college.teacher), college.actor(college.deputy)
    group, autumn = college.group.id, college.autumn.id
    sub1 = college.sub1.id
    english, math = college.english.id, college.math.id
    refused = [
        # not their discipline in this group
        ((group, college.informatics.id, autumn), {}, college.students[0].id, "you teach"),
        # their subgroup only, asked for the whole group or the other subgroup
        ((group, english, autumn), {}, college.students[0].id, "you teach"),
        (
            (group, english, autumn),
            {"subgroup_id": college.sub2.id},
            college.sub2_students[0].id,
            "you teach",
        ),
        # a student outside the list
        (
            (group, english, autumn),
            {"subgroup_id": sub1},
            college.sub2_students[0].id,
            "not on the attestation list",
        ),
        ((group, math, autumn), {}, college.other_students[0].id, "attestation list"),
        ((group, math, autumn), {}, college.expelled.id, "attestation list"),
    ]
    for args, kw, student_id, message in refused:
        value = "pass" if args[1] == english else "5"
        with pytest.raises(Denied, match=message):
            await set_period_grade(session, teacher, *args, student_id, value, college.now, **kw)  # type: ignore[arg-type]
    grade = await set_period_grade(
        session,
        deputy,
        group,
        college.informatics.id,
        autumn,
        college.students[0].id,
        "3",
        college.now,
    )
    assert grade.form is AttestationForm.DIFF_CREDIT


async def test_closed_period_and_missing_form_lock_the_sheet(
    session: AsyncSession, college: College
) -> None:
    deputy = college.actor(college.deputy)
    closed = (college.group.id, college.math.id, college.spring.id)
    sheet = await attestation_sheet(session, deputy, *closed)
    assert sheet.locked is not None and "is closed" in sheet.locked
    with pytest.raises(Denied, match="is closed"):
        await set_period_grade(session, deputy, *closed, college.students[0].id, "5", college.now)

    # ТМ-11 has no curriculum: nothing to attest.
    other = college.other_group
    no_form = (other.id, college.math.id, college.autumn.id)
    sheet = await attestation_sheet(session, deputy, *no_form)
    assert sheet.form is AttestationForm.NONE and sheet.locked is not None
    with pytest.raises(Invalid, match="no intermediate attestation"):
        await set_period_grade(
            session, deputy, *no_form, college.other_students[0].id, "5", college.now
        )
