"""A parent and a student read the diary through the bot; forged presses show nobody else's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from keyboards.diary import DiaryCb
from storage.models import AbsenceReason, GradeKind, Lesson, Mark, Period, Student
from tests.botapp import BotApp
from tests.diary.journal_data import grade, mark, set_homework
from tests.factories import College, add_lesson
from tests.fakebot import TgUser

WEEK = timedelta(days=7)


@pytest.fixture
async def child(college: College) -> Student:
    return college.students[0]


@pytest.fixture
async def parent(app: BotApp, college: College, child: Student) -> TgUser:
    app.stand_at(college.now)
    return await app.link(college.parents[child.id])


async def _next_week_lesson(app: BotApp, college: College, homework: str) -> Lesson:
    async with app.session_factory.begin() as session:
        lesson = await add_lesson(
            session,
            period=await session.get(Period, college.autumn.id),  # type: ignore[arg-type]
            group=college.group,
            discipline=college.informatics,
            teacher=college.other_teacher,
            day=college.today + WEEK,
            pair_no=2,
        )
        await set_homework(session, lesson, topic="Arrays", homework=homework)
    return lesson


async def test_parent_sees_todays_lesson_with_grade_and_mark(
    app: BotApp, college: College, child: Student, parent: TgUser
) -> None:
    async with app.session_factory.begin() as session:
        await grade(session, college.lessons.today, child, "5", kind=GradeKind.TEST)
        await mark(session, college.lessons.foreign, child, Mark.ABSENT, AbsenceReason.ILLNESS)
        await set_homework(session, college.lessons.today, topic="Limits <of> functions")
    await parent.command("menu")
    await parent.click("📖 Diary")
    text = parent.last.text
    assert child.person.short_name in text and "(today)" in text
    assert "09:00–10:30 · Математика" in text
    assert "Topic: Limits <of> functions" in text  # escaped, so shown as typed
    assert "Grades: 5 (test)" in text
    assert "absent: illness" in text
    assert "Tomorrow" in parent.last.button_labels


async def test_parent_pages_to_next_week_and_back(
    app: BotApp, college: College, parent: TgUser
) -> None:
    await _next_week_lesson(app, college, homework="Exercises 1–5")
    await parent.command("menu")
    await parent.click("📖 Diary")
    await parent.click("📆 Week")
    assert "Exercises 1–5" not in parent.last.text
    assert "Математика" in parent.last.text  # this week's lessons
    await parent.click("Next week ▶")
    text = parent.last.text
    assert "Информатика" in text and "Topic: Arrays" in text
    assert "Homework: Exercises 1–5" in text
    await parent.click("◀ Previous week")
    await parent.click("📖 Today")
    assert "(today)" in parent.last.text


async def test_tomorrow_and_paging_by_day(app: BotApp, college: College, parent: TgUser) -> None:
    await parent.command("menu")
    await parent.click("📖 Diary")
    await parent.click("Tomorrow")
    assert "(tomorrow)" in parent.last.text
    assert "Математика" in parent.last.text
    await parent.click("📖 Today")  # back, then again: the same screen is not an error
    await parent.click("📖 Today")
    assert "(today)" in parent.last.text


async def test_a_diary_too_old_to_edit_comes_as_a_new_message(
    app: BotApp, college: College, parent: TgUser
) -> None:
    await parent.command("menu")
    await parent.click("📖 Diary")
    before = len(parent.bot_messages)
    app.api.fail_next(
        "editMessageText",
        chat_id=parent.chat_id,
        status=400,
        description="Bad Request: message can't be edited",
    )
    await parent.click("Tomorrow")
    assert len(parent.bot_messages) == before + 1  # the screen came anew, nothing failed
    assert "(tomorrow)" in parent.last.text
    assert "Something went wrong" not in " ".join(parent.texts)


async def test_grades_with_average(
    app: BotApp, college: College, child: Student, parent: TgUser
) -> None:
    async with app.session_factory.begin() as session:
        await grade(session, college.lessons.yesterday, child, "5")
        await grade(session, college.lessons.today, child, "4")
        await grade(session, college.lessons.today, child, "pass", kind=GradeKind.ORAL)
    await parent.command("menu")
    await parent.click("📊 Grades")
    text = parent.last.text
    assert college.autumn.name in text
    assert "Математика: 5 4 pass · average 4.50" in text
    assert "Информатика: no grades yet" in text


async def test_attendance_summary(
    app: BotApp, college: College, child: Student, parent: TgUser
) -> None:
    async with app.session_factory.begin() as session:
        await mark(session, college.lessons.yesterday, child, Mark.ABSENT)
        await mark(session, college.lessons.today, child, Mark.LATE)
    await parent.command("menu")
    await parent.click("🗓 Attendance")
    text = parent.last.text
    assert "Missed: 1 lesson (2 hours)" in text
    assert "no reason yet: 1 lesson" in text and "Late: 1 lesson" in text
    assert "Математика" in text  # the absence still waiting for a reason


async def test_homework_file_is_sent(app: BotApp, college: College, parent: TgUser) -> None:
    stored = app.api.add_file(b"%PDF-1.4 tasks", "document", "tasks.pdf", "application/pdf")
    async with app.session_factory.begin() as session:
        await set_homework(
            session,
            college.lessons.today,
            homework="See the file",
            file_id=stored.file_id,
            file_name="tasks.pdf",
        )
    await parent.command("menu")
    await parent.click("📖 Diary")
    await parent.click("📎 Математика")
    sent = parent.last
    assert sent.document is not None and sent.document.content == b"%PDF-1.4 tasks"
    assert "Homework · Математика" in sent.text


async def test_student_opens_own_diary(app: BotApp, college: College, child: Student) -> None:
    app.stand_at(college.now)
    student = await app.link(child.person)
    await student.command("menu")
    await student.click("📖 Diary")
    assert child.person.short_name in student.last.text
    assert "Математика" in student.last.text


async def test_long_week_is_shortened_with_a_note(
    app: BotApp, college: College, parent: TgUser
) -> None:
    long = "Solve " + "and solve again " * 120  # ~2000 characters, the homework limit
    async with app.session_factory.begin() as session:
        period = await session.get(Period, college.autumn.id)
        monday = college.today - timedelta(days=college.today.weekday())
        for n in range(6):
            for pair_no in (2, 3):
                lesson = await add_lesson(
                    session,
                    period=period,  # type: ignore[arg-type]
                    group=college.group,
                    discipline=college.english,
                    teacher=college.teacher,
                    day=monday + timedelta(days=n),
                    pair_no=pair_no,
                )
                await set_homework(session, lesson, topic="Grammar", homework=long)
    await parent.command("menu")
    await parent.click("📖 Diary")
    await parent.click("📆 Week")
    assert len(parent.last.text) <= 4096
    assert "Open a day to read it in full" in parent.last.text
    await parent.click("📖 Today")
    assert "Open a lesson to read it in full" in parent.last.text
    await parent.click("📝 Иностранный язык")
    assert long.strip() in parent.last.text


# --- the others: nobody sees a diary that is not theirs ----------------------------------


def _refused(user: TgUser) -> None:
    alert = user.alerts[-1]
    assert alert.show_alert and "not available to you" in (alert.text or "")


async def test_parent_forging_another_familys_child_is_refused(
    app: BotApp, college: College, parent: TgUser
) -> None:
    other = college.other_students[0]
    await parent.command("menu")
    await parent.click("📖 Diary")
    screen = parent.last
    before = screen.text
    for act in ("today", "week", "day", "lesson", "file", "grades", "att"):
        day = "20261117" if act == "day" else ""
        lid = college.lessons.today.id if act in ("lesson", "file") else 0
        forged = DiaryCb(act=act, sid=other.id, day=day, lid=lid).pack()
        await parent.click_data(screen, forged)
        _refused(parent)
        assert parent.last.text == before
        assert other.person.last_name not in parent.last.text


async def test_lesson_of_another_group_gives_no_file(
    app: BotApp, college: College, child: Student, parent: TgUser
) -> None:
    stored = app.api.add_file(b"other group's tasks", "document", "tasks.pdf")
    async with app.session_factory.begin() as session:
        lesson = await add_lesson(
            session,
            period=await session.get(Period, college.autumn.id),  # type: ignore[arg-type]
            group=college.other_group,
            discipline=college.math,
            teacher=college.teacher,
            day=college.today,
        )
        await set_homework(session, lesson, file_id=stored.file_id)
    await parent.command("menu")
    await parent.click("📖 Diary")
    for act in ("file", "lesson"):
        await parent.click_data(parent.last, DiaryCb(act=act, sid=child.id, lid=lesson.id).pack())
        assert parent.alerts[-1].show_alert
    assert all(m.document is None for m in parent.bot_messages)


async def test_student_pressing_with_a_classmates_id_is_refused(
    app: BotApp, college: College, child: Student
) -> None:
    app.stand_at(college.now)
    classmate = college.students[1]
    student = await app.link(child.person)
    await student.command("menu")
    await student.click("📖 Diary")
    await student.click_data(student.last, DiaryCb(act="grades", sid=classmate.id).pack())
    _refused(student)
    assert classmate.person.last_name not in student.last.text


async def test_teacher_without_children_gets_no_diary(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    assert "📖 Diary" not in teacher.last.button_labels
    await teacher.click_data(teacher.last, DiaryCb(act="today").pack())
    assert "no student is linked" in (teacher.alerts[-1].text or "")
    await teacher.click_data(teacher.last, DiaryCb(act="week", sid=college.students[0].id).pack())
    _refused(teacher)
    assert college.students[0].person.last_name not in teacher.last.text


async def test_stranger_is_told_to_link_first(
    app: BotApp, college: College, parent: TgUser
) -> None:
    await parent.command("menu")
    stranger = app.stranger()
    await stranger.click_data(parent.last, DiaryCb(act="today", sid=college.students[0].id).pack())
    assert stranger.alerts[-1].show_alert and "not linked" in (stranger.alerts[-1].text or "")


async def test_broken_date_is_a_stale_button(app: BotApp, college: College, parent: TgUser) -> None:
    await parent.command("menu")
    await parent.click("📖 Diary")
    await parent.click_data(parent.last, DiaryCb(act="day", day="20261399").pack())
    assert parent.alerts[-1].show_alert and "no longer active" in (parent.alerts[-1].text or "")
