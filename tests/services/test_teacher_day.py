"""My lessons (a day's cards with what is done and missing) and attestation tasks."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.journal.grades import add_grade
from services.journal.lesson_details import set_homework, set_topic
from services.journal.register import finalise_register
from services.journal.teacher_day import attestation_tasks, lessons_of_day, lessons_today
from storage.models import AttestationForm, Period, TeachingAssignment
from tests.factories import College

DAY = timedelta(days=1)


async def test_todays_cards_in_bell_order_with_local_times(
    session: AsyncSession, college: College
) -> None:
    cards = await lessons_today(session, college.actor(college.teacher), college.now)
    assert [c.lesson_id for c in cards] == [
        college.lessons.today.id,
        college.lessons.subgroup.id,
        college.lessons.cancelled.id,
    ]
    first, subgroup, cancelled = cards
    # Stored in UTC (22:00 the day before); shown in college time.
    assert (first.starts, first.ends, first.date) == (time(9, 0), time(10, 30), college.today)
    assert (first.group_name, first.subgroup_name, first.discipline_name) == (
        "ИС-21",
        None,
        "Математика",
    )
    assert (subgroup.subgroup_name, subgroup.discipline_name) == ("1", "Иностранный язык")
    assert cancelled.cancelled and not first.cancelled
    assert not (first.register_done or first.topic_entered or first.homework_set)
    assert first.grades_count == 0


async def test_cards_show_what_is_done(session: AsyncSession, college: College) -> None:
    actor, lesson = college.actor(college.teacher), college.lessons.today
    await finalise_register(session, actor, lesson.id, college.now)
    await set_topic(session, actor, lesson.id, "Пределы", college.now)
    await set_homework(session, actor, lesson.id, "", college.now, file_id="F1", file_name="a.pdf")
    for student in college.students[:2]:
        await add_grade(session, actor, lesson.id, student.id, "5", college.now)
    await session.commit()

    card = (await lessons_of_day(session, actor, college.today))[0]
    assert (card.register_done, card.topic_entered, card.homework_set, card.grades_count) == (
        True,
        True,
        True,
        2,
    )


async def test_other_days_and_other_people(session: AsyncSession, college: College) -> None:
    teacher = college.actor(college.teacher)
    yesterday = await lessons_of_day(session, teacher, college.today - DAY)
    assert [c.lesson_id for c in yesterday] == [college.lessons.yesterday.id]
    assert yesterday[0].starts == time(10, 40)
    tomorrow = await lessons_of_day(session, teacher, college.today + DAY)
    assert [c.lesson_id for c in tomorrow] == [college.lessons.tomorrow.id]
    colleague = await lessons_of_day(session, college.actor(college.other_teacher), college.today)
    assert [c.lesson_id for c in colleague] == [college.lessons.foreign.id]
    assert await lessons_of_day(session, college.actor(college.deputy), college.today) == []


async def test_attestation_tasks_by_group_and_discipline_of_open_periods(
    session: AsyncSession, college: College
) -> None:
    teacher = college.actor(college.teacher)
    tasks = await attestation_tasks(session, teacher, college.now)
    assert [
        (t.group_name, t.subgroup_name, t.discipline_name, t.period.name, t.form) for t in tasks
    ] == [
        ("ИС-21", "1", "Иностранный язык", "2026/27, semester 1", AttestationForm.CREDIT),
        ("ИС-21", None, "Математика", "2026/27, semester 1", AttestationForm.EXAM),
    ]
    colleague = await attestation_tasks(session, college.actor(college.other_teacher), college.now)
    assert {(t.discipline_name, t.form) for t in colleague} == {
        ("Информатика", AttestationForm.DIFF_CREDIT),
        ("Иностранный язык", AttestationForm.CREDIT),
    }


async def test_assignment_without_period_counts_for_begun_open_periods(
    session: AsyncSession, college: College
) -> None:
    session.add_all(
        [
            TeachingAssignment(
                org_id=college.org.id,
                teacher_id=college.teacher.id,
                group_id=college.group.id,
                discipline_id=college.informatics.id,
            ),
            # Next year's period has not begun: nothing is owed for it yet.
            Period(
                org_id=college.org.id,
                name="2026/27, semester 2",
                semester=2,
                starts_on=college.today + 60 * DAY,
                ends_on=college.today + 200 * DAY,
            ),
        ]
    )
    await session.commit()
    tasks = await attestation_tasks(session, college.actor(college.teacher), college.now)
    informatics = [t for t in tasks if t.discipline_id == college.informatics.id]
    assert [(t.period.id, t.form) for t in informatics] == [
        (college.autumn.id, AttestationForm.DIFF_CREDIT)
    ]
