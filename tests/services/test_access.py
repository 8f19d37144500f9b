"""Who may change a lesson's journal: the rules one by one, and the loaders with forged ids."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import Denied
from services.access import (
    Refusal,
    check_student,
    edit_refusal,
    lesson_for_edit,
    lesson_for_view,
    load_actor,
    may_edit_lesson,
    may_view_lesson,
    teaching_for,
    window_open,
)
from services.calendar.workdays import WorkCalendar
from services.policy import Action
from storage.models import Lesson, Membership, Person, Role
from tests.factories import College, make_college

WINDOW = 7
GRADE = Action.GRADE
ATTESTATION = Action.GRADE_ATTESTATION
DAY = timedelta(days=1)


def refusal(
    college: College,
    person: Person,
    lesson: Lesson,
    *,
    today: date | None = None,
    action: Action = Action.MARK_REGISTER,
    window: int = WINDOW,
) -> Refusal | None:
    period = college.spring if lesson.period_id == college.spring.id else college.autumn
    return edit_refusal(
        college.actor(person),
        lesson,
        period,
        today or college.today,
        window,
        action=action,
    )


def test_window_counts_working_days_after_the_lesson() -> None:
    cal = WorkCalendar()
    lesson_day = date(2026, 11, 10)  # Tuesday; 7 working days later is Thursday 19 November
    assert window_open(lesson_day, lesson_day, 7, cal)
    assert window_open(lesson_day, date(2026, 11, 19), 7, cal)
    assert not window_open(lesson_day, date(2026, 11, 20), 7, cal)
    # Never shorter than R1 (the next working day) plus one working day, whatever the setting.
    assert window_open(lesson_day, date(2026, 11, 12), 0, cal)
    assert not window_open(lesson_day, date(2026, 11, 13), 0, cal)


def test_window_covers_r1_after_the_new_year_holidays() -> None:
    """A lesson of 30 December 2026 is due on 11 January 2027 (R1); the window is open then."""
    cal = WorkCalendar()
    lesson_day = date(2026, 12, 30)
    assert window_open(lesson_day, date(2027, 1, 11), 1, cal)
    assert window_open(lesson_day, date(2027, 1, 12), 1, cal)
    assert window_open(lesson_day, date(2027, 1, 19), 7, cal)
    assert not window_open(lesson_day, date(2027, 1, 20), 7, cal)


async def test_teacher_may_change_own_lessons_of_today_and_yesterday(college: College) -> None:
    assert refusal(college, college.teacher, college.lessons.today) is None
    assert refusal(college, college.teacher, college.lessons.yesterday) is None
    assert may_edit_lesson(
        college.actor(college.teacher),
        college.lessons.today,
        college.autumn,
        college.today,
        7,
        action=Action.MARK_REGISTER,
    )


async def test_another_teachers_lesson_is_refused(college: College) -> None:
    assert refusal(college, college.teacher, college.lessons.foreign) is Refusal.NOT_YOURS
    assert refusal(college, college.other_teacher, college.lessons.foreign) is None
    assert refusal(college, college.other_teacher, college.lessons.today) is Refusal.NOT_YOURS


async def test_only_teacher_and_deputy_change_director_and_curator_do_not(
    college: College,
) -> None:
    lesson = college.lessons.today
    assert refusal(college, college.deputy, lesson) is None
    assert refusal(college, college.director, lesson) is Refusal.NOT_YOURS
    assert refusal(college, college.curator, lesson) is Refusal.NOT_YOURS
    assert may_view_lesson(college.actor(college.director), lesson)
    assert may_view_lesson(college.actor(college.deputy), lesson)
    assert not may_view_lesson(college.actor(college.curator), lesson)
    assert not may_view_lesson(college.actor(college.other_teacher), lesson)


async def test_teacher_without_the_teacher_role_is_refused(college: College) -> None:
    actor = replace(college.actor(college.teacher), roles=frozenset({Role.PARENT}))
    lesson = college.lessons.today
    assert (
        edit_refusal(actor, lesson, college.autumn, college.today, WINDOW, action=GRADE)
        is Refusal.NOT_YOURS
    )


async def test_lesson_of_another_college_is_refused_even_to_its_deputy_lookalike(
    college: College,
) -> None:
    lesson = college.lessons.today
    for person in (college.teacher, college.deputy):
        actor = replace(college.actor(person), org_id=college.org.id + 100)
        assert edit_refusal(actor, lesson, college.autumn, college.today, WINDOW, action=GRADE) is (
            Refusal.NOT_YOURS
        )
        assert not may_view_lesson(actor, lesson)


async def test_closed_period_stops_the_deputy_too(college: College) -> None:
    lesson = college.lessons.closed
    assert refusal(college, college.teacher, lesson) is Refusal.PERIOD_CLOSED
    assert refusal(college, college.deputy, lesson) is Refusal.PERIOD_CLOSED


async def test_cancelled_lesson_takes_no_journal(college: College) -> None:
    assert refusal(college, college.teacher, college.lessons.cancelled) is Refusal.CANCELLED


async def test_register_opens_on_the_lesson_day_details_may_be_planned(college: College) -> None:
    tomorrow = college.lessons.tomorrow
    assert refusal(college, college.teacher, tomorrow) is Refusal.NOT_YET
    assert refusal(college, college.teacher, tomorrow, action=Action.EDIT_LESSON_DETAILS) is None
    assert refusal(college, college.teacher, tomorrow, today=college.today + DAY) is None


async def test_edit_window_stops_the_teacher_not_the_deputy(college: College) -> None:
    lesson = college.lessons.today
    last_day = WorkCalendar().add_working_days(college.today, WINDOW)
    assert refusal(college, college.teacher, lesson, today=last_day) is None
    assert refusal(college, college.teacher, lesson, today=last_day + DAY) is (
        Refusal.WINDOW_PASSED
    )
    assert refusal(college, college.deputy, lesson, today=last_day + DAY) is None
    assert refusal(college, college.teacher, college.lessons.old) is Refusal.WINDOW_PASSED
    assert refusal(college, college.teacher, college.lessons.old, window=30) is None


async def test_today_is_the_college_date_not_utc(college: College) -> None:
    actor = college.actor(college.teacher)
    # 14:00 UTC on the 16th is 01:00 on the 17th in Sakhalin (UTC+11).
    assert actor.today(datetime(2026, 11, 16, 14, 0, tzinfo=UTC)) == date(2026, 11, 17)
    assert actor.today(datetime(2026, 11, 16, 12, 59, tzinfo=UTC)) == date(2026, 11, 16)


async def test_lesson_for_edit_returns_the_lesson_with_its_names(
    session: AsyncSession, college: College
) -> None:
    info = await lesson_for_edit(
        session,
        college.actor(college.teacher),
        college.lessons.subgroup.id,
        college.now,
        action=Action.MARK_REGISTER,
    )
    assert info.lesson.id == college.lessons.subgroup.id
    assert info.period.id == college.autumn.id
    assert (info.group_name, info.subgroup_name, info.discipline_name) == (
        "ИС-21",
        "1",
        "Иностранный язык",
    )


@pytest.mark.parametrize(
    ("lesson_name", "message"),
    [
        ("foreign", "This lesson is not among your lessons."),
        ("old", "the edit window of 7 working days has passed"),
        ("closed", "The period “2025/26, semester 2” is closed"),
        ("cancelled", "This lesson was cancelled"),
        ("tomorrow", "has not taken place yet"),
    ],
)
async def test_lesson_for_edit_says_why_it_refuses(
    session: AsyncSession, college: College, lesson_name: str, message: str
) -> None:
    lesson = getattr(college.lessons, lesson_name)
    with pytest.raises(Denied) as refused:
        await lesson_for_edit(
            session, college.actor(college.teacher), lesson.id, college.now, action=GRADE
        )
    assert message in str(refused.value)


async def test_forged_lesson_id_is_refused_like_any_other_lesson(
    session: AsyncSession, college: College
) -> None:
    actor = college.actor(college.teacher)
    with pytest.raises(Denied, match="not among your lessons"):
        await lesson_for_edit(session, actor, 10**9, college.now, action=GRADE)
    with pytest.raises(Denied, match="not among your lessons"):
        await lesson_for_view(session, actor, 10**9)


async def test_deputy_may_change_an_old_lesson(session: AsyncSession, college: College) -> None:
    info = await lesson_for_edit(
        session, college.actor(college.deputy), college.lessons.old.id, college.now, action=GRADE
    )
    assert info.lesson.id == college.lessons.old.id


async def test_lessons_of_another_college_are_refused(
    session: AsyncSession, college: College
) -> None:
    other = await make_college(session, code="c2")
    for person in (college.teacher, college.deputy, college.director):
        actor = college.actor(person)
        with pytest.raises(Denied, match="not among your lessons"):
            await lesson_for_view(session, actor, other.lessons.today.id)
        with pytest.raises(Denied, match="not among your lessons"):
            await lesson_for_edit(session, actor, other.lessons.today.id, college.now, action=GRADE)


async def test_student_must_be_on_the_lessons_register(
    session: AsyncSession, college: College
) -> None:
    whole, sub1 = college.lessons.today, college.lessons.subgroup
    await check_student(session, whole, college.students[0].id)
    await check_student(session, sub1, college.sub1_students[0].id)
    forged = [
        (whole, college.other_students[0].id),  # another group
        (whole, college.expelled.id),  # no longer studying
        (sub1, college.sub2_students[0].id),  # the other subgroup
        (whole, 10**9),  # no such student
    ]
    for lesson, student_id in forged:
        with pytest.raises(Denied, match="not on the register of this lesson"):
            await check_student(session, lesson, student_id)


async def test_load_actor_reads_active_roles_zone_and_scope(
    session: AsyncSession, college: College
) -> None:
    actor = await load_actor(session, college.curator.id, edit_window_days=3)
    assert actor.roles == {Role.CURATOR}
    assert actor.curator_group_ids == {college.group.id}
    assert (actor.org_id, actor.timezone, actor.edit_window_days) == (
        college.org.id,
        "Asia/Sakhalin",
        3,
    )
    assert actor.name == "Морозова И. П."
    student = college.students[0]
    parent = await load_actor(session, college.parents[student.id].id)
    assert parent.roles == {Role.PARENT} and parent.child_ids == {student.id}

    await session.execute(
        update(Membership).where(Membership.person_id == college.teacher.id).values(active=False)
    )
    assert (await load_actor(session, college.teacher.id)).roles == frozenset()


async def test_load_actor_of_unknown_person_is_refused(session: AsyncSession) -> None:
    with pytest.raises(Denied, match="not linked"):
        await load_actor(session, 10**9)


async def test_teaching_scope_follows_assignments(session: AsyncSession, college: College) -> None:
    teacher = college.actor(college.teacher)
    group, sub1, sub2 = college.group.id, college.sub1.id, college.sub2.id
    period = college.autumn.id
    scope = await teaching_for(
        session, teacher, group, college.math.id, period_id=period, action=ATTESTATION
    )
    assert scope.group.name == "ИС-21" and scope.discipline.name == "Математика"
    # A whole-group assignment reaches each subgroup; a subgroup one only that subgroup.
    await teaching_for(
        session, teacher, group, college.math.id, subgroup_id=sub2, action=ATTESTATION
    )
    await teaching_for(
        session, teacher, group, college.english.id, subgroup_id=sub1, action=ATTESTATION
    )
    await teaching_for(
        session, teacher, group, college.english.id, any_subgroup=True, action=ATTESTATION
    )
    refused = [
        {"discipline_id": college.english.id},  # whole group, but teaches sub1 only
        {"discipline_id": college.english.id, "subgroup_id": sub2},
        {"discipline_id": college.informatics.id},  # not theirs at all
        {"discipline_id": college.math.id, "period_id": college.spring.id},  # other period
        {"discipline_id": college.math.id, "subgroup_id": 10**9},  # forged subgroup
    ]
    for kw in refused:
        with pytest.raises(Denied, match="not among those you teach"):
            await teaching_for(session, teacher, group, **kw, action=ATTESTATION)  # type: ignore[arg-type]
    deputy = college.actor(college.deputy)
    await teaching_for(
        session, deputy, group, college.informatics.id, period_id=period, action=ATTESTATION
    )


async def test_teaching_scope_of_another_college_is_refused(
    session: AsyncSession, college: College
) -> None:
    other = await make_college(session, code="c2")
    for person in (college.teacher, college.deputy):
        with pytest.raises(Denied, match="not among those you teach"):
            await teaching_for(
                session, college.actor(person), other.group.id, other.math.id, action=ATTESTATION
            )
    # Own group, other college's discipline, and the other way round.
    teacher = college.actor(college.teacher)
    with pytest.raises(Denied):
        await teaching_for(session, teacher, college.group.id, other.math.id, action=ATTESTATION)
    with pytest.raises(Denied):
        await teaching_for(
            session,
            teacher,
            college.group.id,
            college.math.id,
            period_id=other.autumn.id,
            action=ATTESTATION,
        )
