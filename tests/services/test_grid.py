"""The journal grid's data: which journals a person may open, in which period, and what a
cell holds."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.journal import grid
from tests.factories import College


async def test_a_teacher_opens_the_periods_journals_they_teach_and_the_director_all(
    session: AsyncSession, college: College
) -> None:
    found = await grid.journals(session, college.actor(college.teacher), college.now)
    assert found.period is not None and found.period.id == college.autumn.id  # holds today
    assert [(k.group_name, k.subgroup_name, k.discipline_name) for k in found.journals] == [
        (college.group.name, None, college.math.name),
        (college.group.name, college.sub1.name, college.english.name),
    ]
    director = await grid.journals(session, college.actor(college.director), college.now)
    names = {k.discipline_name for k in director.journals}
    assert {college.math.name, college.english.name, college.informatics.name} <= names
    spring = await grid.journals(
        session, college.actor(college.director), college.now, college.spring.id
    )
    assert spring.period is not None and spring.period.id == college.spring.id


async def test_the_grid_holds_every_student_of_the_group_and_a_subgroups_own_journal(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    scope = await grid.open_scope(
        session, teacher, college.group.id, college.english.id, college.autumn.id, college.sub1.id
    )
    sheet = await grid.discipline_grid(session, teacher, scope, college.now)
    assert [r.name for r in sheet.rows] == [s.person.short_name for s in college.sub1_students]
    assert [lesson.lesson_id for lesson in sheet.lessons] == [college.lessons.subgroup.id]
    assert sheet.lessons[0].editable
