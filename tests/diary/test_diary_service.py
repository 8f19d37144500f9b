"""The diary's rules as plain functions: who sees whom, what is in a day and a week, averages,
the attendance summary, homework files — and that a week costs a handful of queries."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.errors import Denied
from services.diary import service as diary
from services.diary.service import StudentCard, Viewer
from storage.models import (
    AbsenceReason,
    CalendarEntry,
    CalendarKind,
    GradeKind,
    Lesson,
    Mark,
    Membership,
    Period,
    PeriodGrade,
    Person,
    Role,
)
from tests.diary.journal_data import grade, mark, set_homework
from tests.factories import College, add_lesson, add_member, make_college

DAY = timedelta(days=1)


async def _viewer(session: AsyncSession, person: Person) -> Viewer:
    memberships = await session.scalars(select(Membership).where(Membership.person_id == person.id))
    return diary.viewer_of(person, list(memberships))


async def _card(session: AsyncSession, college: College, index: int = 0) -> StudentCard:
    student = college.students[index]
    viewer = await _viewer(session, college.parents[student.id])
    return await diary.open_student(session, viewer, student.id)


# --- who sees whom -----------------------------------------------------------------------


async def test_parent_sees_own_child_only(session: AsyncSession, college: College) -> None:
    child, other = college.students[0], college.students[1]
    viewer = await _viewer(session, college.parents[child.id])
    assert viewer.may_see(child.id) and not viewer.may_see(other.id)
    card = await diary.open_student(session, viewer, child.id)
    assert card.name == child.person.short_name and card.group_name == "ИС-21"
    with pytest.raises(Denied) as refused:
        await diary.open_student(session, viewer, other.id)
    assert refused.value.message == diary.not_yours()


async def test_student_sees_only_themself(session: AsyncSession, college: College) -> None:
    me, classmate = college.students[0], college.students[1]
    viewer = await _viewer(session, me.person)
    assert viewer.own_student_id == me.id and viewer.child_ids == frozenset()
    assert (await diary.open_student(session, viewer, me.id)).student_id == me.id
    with pytest.raises(Denied):
        await diary.open_student(session, viewer, classmate.id)


async def test_teacher_and_unknown_ids_are_refused_alike(
    session: AsyncSession, college: College
) -> None:
    viewer = await _viewer(session, college.teacher)
    assert diary.default_student(viewer, Role.TEACHER, None) is None
    with pytest.raises(Denied) as nobody:
        await diary.open_student(session, viewer, None)
    assert nobody.value.message == diary.nobody()
    messages = set()
    for student_id in (college.students[0].id, 10**9, -1):
        with pytest.raises(Denied) as refused:
            await diary.open_student(session, viewer, student_id)
        messages.add(refused.value.message)
    assert messages == {diary.not_yours()}


async def test_student_of_another_college_is_refused(
    session: AsyncSession, college: College
) -> None:
    other = await make_college(session, code="c2")
    parent = college.parents[college.students[0].id]
    # Even a membership pointing across colleges gives nothing: the viewer's college decides.
    forged = Viewer(parent.id, college.org.id, None, frozenset({other.students[0].id}))
    with pytest.raises(Denied):
        await diary.open_student(session, forged, other.students[0].id)


async def test_default_student_follows_role_and_child_in_use(
    session: AsyncSession, college: College
) -> None:
    first, second = college.students[0], college.students[1]
    parent = college.parents[first.id]
    await add_member(session, parent, Role.PARENT, student=second)
    viewer = await _viewer(session, parent)
    assert diary.default_student(viewer, Role.PARENT, second.id) == second.id
    assert diary.default_student(viewer, Role.PARENT, college.students[2].id) == min(
        first.id, second.id
    )
    own = Viewer(1, college.org.id, first.id, frozenset({second.id}))
    assert diary.default_student(own, Role.STUDENT, second.id) == first.id
    assert diary.default_student(own, Role.PARENT, second.id) == second.id


# --- a day and a week ----------------------------------------------------------------------


async def test_day_holds_group_and_own_subgroup_lessons_with_own_marks(
    session: AsyncSession, college: College
) -> None:
    me = college.sub1_students[0]
    classmate = college.sub1_students[1]
    lessons = college.lessons
    await grade(session, lessons.today, me, "5", kind=GradeKind.TEST, comment="well done")
    await grade(session, lessons.today, classmate, "2")
    await mark(session, lessons.subgroup, me, Mark.ABSENT, AbsenceReason.ILLNESS)
    await mark(session, lessons.today, classmate, Mark.ABSENT)
    await set_homework(session, lessons.today, topic="Derivatives", homework="§ 5")
    viewer = await _viewer(session, me.person)
    card = await diary.open_student(session, viewer, me.id)

    day = await diary.diary_day(session, card, college.today)

    assert [lesson.pair_no for lesson in day.lessons] == [1, 2, 3, 4]
    math, _informatics, english, cancelled = day.lessons
    assert (math.starts, math.ends) == (time(9, 0), time(10, 30))  # college time
    assert (math.topic, math.homework, math.mark) == ("Derivatives", "§ 5", None)
    assert [(g.value, g.kind, g.comment) for g in math.grades] == [
        ("5", GradeKind.TEST, "well done")
    ]
    assert (english.mark, english.reason) == (Mark.ABSENT, AbsenceReason.ILLNESS)
    assert cancelled.cancelled

    other_sub = college.sub2_students[0]
    viewer = await _viewer(session, other_sub.person)
    card = await diary.open_student(session, viewer, other_sub.id)
    day = await diary.diary_day(session, card, college.today)
    assert [lesson.pair_no for lesson in day.lessons] == [1, 2, 4]  # not sub1's English
    assert all(not lesson.grades and lesson.mark is None for lesson in day.lessons)


async def test_week_runs_monday_to_saturday_and_marks_days_off(
    session: AsyncSession, college: College
) -> None:
    card = await _card(session, college)
    monday = college.today - DAY  # 17 November 2026 is a Tuesday
    session.add(
        CalendarEntry(
            org_id=college.org.id,
            kind=CalendarKind.HOLIDAY,
            name="College day",
            starts_on=monday + 4 * DAY,
            ends_on=monday + 4 * DAY,
        )
    )
    await session.flush()

    week = await diary.diary_week(session, card, college.today + 2 * DAY)

    assert week.monday == monday
    assert [d.date for d in week.days] == [monday + n * DAY for n in range(6)]
    assert [len(d.lessons) for d in week.days[:3]] == [1, 4, 1]  # yesterday, today, tomorrow
    friday = week.days[4]
    assert friday.day_off is not None and friday.day_off.name == "College day"


async def test_sunday_shows_only_when_it_has_lessons(
    session: AsyncSession, college: College
) -> None:
    card = await _card(session, college)
    sunday = diary.week_start(college.today) + 6 * DAY
    assert len((await diary.diary_week(session, card, college.today)).days) == 6
    period = await session.get(Period, college.autumn.id)
    await add_lesson(
        session,
        period=period,  # type: ignore[arg-type]
        group=college.group,
        discipline=college.math,
        teacher=college.teacher,
        day=sunday,
    )
    week = await diary.diary_week(session, card, college.today)
    assert [d.date for d in week.days][-1] == sunday


async def test_week_takes_four_queries_however_full(
    session: AsyncSession, engine: AsyncEngine, college: College
) -> None:
    me = college.students[0]
    monday = diary.week_start(college.today)
    period = await session.get(Period, college.autumn.id)
    for n in range(6):
        for pair_no in (2, 3, 4):
            lesson = await add_lesson(
                session,
                period=period,  # type: ignore[arg-type]
                group=college.group,
                discipline=college.english,
                teacher=college.teacher,
                day=monday + n * DAY + 7 * DAY,
                pair_no=pair_no,
            )
            await grade(session, lesson, me, "4")
            await mark(session, lesson, me, Mark.LATE)
    card = await _card(session, college)
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    try:
        week = await diary.diary_week(session, card, monday + 7 * DAY)
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", count)
    assert sum(len(d.lessons) for d in week.days) == 18
    assert all(
        lesson.grades and lesson.mark is Mark.LATE for d in week.days for lesson in d.lessons
    )
    assert len(statements) == 4


async def test_student_without_a_group_has_an_empty_diary(
    session: AsyncSession, college: College
) -> None:
    card = await _card(session, college)
    loose = StudentCard(card.student_id, card.org_id, None, card.name, "", card.timezone)
    day = await diary.diary_day(session, loose, college.today)
    assert day.lessons == ()
    with pytest.raises(Denied):
        await diary.homework_file(session, loose, college.lessons.today.id)


# --- one lesson and its homework file ------------------------------------------------------


async def test_homework_file_of_own_lesson_only(session: AsyncSession, college: College) -> None:
    card = await _card(session, college)
    await set_homework(session, college.lessons.today, homework="Read", file_id="BQAC-1")
    found = await diary.homework_file(session, card, college.lessons.today.id)
    assert (found.file_id, found.discipline, found.date) == ("BQAC-1", "Математика", college.today)

    other = await add_lesson(
        session,
        period=await session.get(Period, college.autumn.id),  # type: ignore[arg-type]
        group=college.other_group,
        discipline=college.math,
        teacher=college.teacher,
        day=college.today,
    )
    await set_homework(session, other, file_id="BQAC-2")
    for lesson_id in (other.id, college.lessons.yesterday.id, 10**9):
        with pytest.raises(Denied) as refused:
            await diary.homework_file(session, card, lesson_id)
        assert refused.value.message == diary.no_file()


async def test_lesson_in_full_only_of_own_lessons(session: AsyncSession, college: College) -> None:
    me = college.sub2_students[0]
    viewer = await _viewer(session, me.person)
    card = await diary.open_student(session, viewer, me.id)
    await grade(session, college.lessons.today, me, "3")
    lesson = await diary.diary_lesson(session, card, college.lessons.today.id)
    assert [g.value for g in lesson.grades] == ["3"]
    with pytest.raises(Denied):
        await diary.diary_lesson(session, card, college.lessons.subgroup.id)  # sub1's English


# --- grades and averages -------------------------------------------------------------------


def test_average_counts_numeric_grades_only() -> None:
    assert diary.average(["5", "4", "pass", "3", "fail"]) == 4.0
    assert diary.average(["5", "4", "4"]) == 4.33
    assert diary.average(["pass", "fail"]) is None
    assert diary.average([]) is None


async def test_grades_summary_of_the_current_period(
    session: AsyncSession, college: College
) -> None:
    me = college.students[0]
    lessons = college.lessons
    await grade(session, lessons.yesterday, me, "5")
    await grade(session, lessons.today, me, "4")
    await grade(session, lessons.today, me, "pass", kind=GradeKind.ORAL)
    await grade(session, lessons.closed, me, "2")  # the spring period: not in this summary
    await grade(session, lessons.today, college.students[1], "2")  # a classmate's
    session.add(
        PeriodGrade(
            org_id=college.org.id,
            student_id=me.id,
            group_id=college.group.id,
            discipline_id=college.math.id,
            period_id=college.autumn.id,
            form="exam",
            value="5",
        )
    )
    await session.flush()
    card = await _card(session, college)

    summary = await diary.grades_summary(session, card, college.today)

    assert summary.period is not None and summary.period.id == college.autumn.id
    by_name = {line.name: line for line in summary.disciplines}
    math = by_name["Математика"]
    assert math.values == ("5", "4", "pass") and math.average == 4.5
    assert math.attestation == "5"
    assert by_name["Информатика"].values == () and by_name["Информатика"].average is None


async def test_period_between_periods_is_the_last_begun(
    session: AsyncSession, college: College
) -> None:
    card = await _card(session, college)
    summer = date(2026, 7, 15)  # after spring's end, before autumn's start
    spring = await diary.grades_summary(session, card, summer)
    assert spring.period is not None and spring.period.id == college.spring.id
    before_all = await diary.attendance_summary(session, card, date(2025, 1, 1))
    assert before_all.period is None and before_all.absences == 0


# --- attendance ----------------------------------------------------------------------------


async def test_attendance_summary_by_reason(session: AsyncSession, college: College) -> None:
    me = college.students[0]
    period = await session.get(Period, college.autumn.id)
    reasons = [AbsenceReason.ILLNESS, AbsenceReason.ILLNESS, AbsenceReason.EXCUSED]
    reasons += [AbsenceReason.UNEXCUSED, None, None]
    for n, reason in enumerate(reasons):
        lesson = await add_lesson(
            session,
            period=period,  # type: ignore[arg-type]
            group=college.group,
            discipline=college.informatics,
            teacher=college.other_teacher,
            day=college.today - (n + 2) * DAY,
            pair_no=3,
        )
        await mark(session, lesson, me, Mark.ABSENT, reason)
    await mark(session, college.lessons.today, me, Mark.LATE)
    await mark(session, college.lessons.yesterday, me, Mark.LATE)
    await mark(session, college.lessons.cancelled, me, Mark.ABSENT)  # cancelled: not counted
    await mark(session, college.lessons.closed, me, Mark.ABSENT)  # another period
    await mark(session, college.lessons.tomorrow, college.students[1], Mark.ABSENT)
    card = await _card(session, college)

    summary = await diary.attendance_summary(session, card, college.today)

    assert (summary.illness, summary.excused, summary.unexcused, summary.unexplained) == (
        2,
        1,
        1,
        2,
    )
    assert summary.absences == 6 and summary.absent_hours == 12 and summary.late == 2
    assert [m.date for m in summary.unexplained_lessons] == [
        college.today - 7 * DAY,
        college.today - 6 * DAY,
    ]


async def test_lessons_of_another_group_stay_out_of_the_diary(
    session: AsyncSession, college: College
) -> None:
    card = await _card(session, college)
    lesson = await session.get(Lesson, college.lessons.today.id)
    assert lesson is not None
    lesson.group_id = college.other_group.id
    await session.flush()
    day = await diary.diary_day(session, card, college.today)
    assert college.lessons.today.id not in [entry.lesson_id for entry in day.lessons]
