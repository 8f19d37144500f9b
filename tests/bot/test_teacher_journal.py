"""A teacher between two pairs: opens today's lesson, marks the register, grades, enters the
topic — and forged or stale presses change nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from storage.models import Attendance, AuditEntry, Event, Grade, Lesson, Mark
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import TgUser


@pytest.fixture
async def teacher(app: BotApp, college: College) -> TgUser:
    app.stand_at(college.now)
    return await app.link(college.teacher)


async def _marks(app: BotApp, lesson_id: int) -> dict[int, Mark]:
    async with app.session_factory() as session:
        rows = await session.execute(
            select(Attendance.student_id, Attendance.mark).where(Attendance.lesson_id == lesson_id)
        )
        return {sid: mark for sid, mark in rows.all() if mark is not Mark.PRESENT}


async def _open_today(teacher: TgUser, college: College) -> None:
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)


def _student_button(teacher: TgUser, surname: str) -> str:
    return next(b for b in teacher.last.button_labels if surname in b)


async def test_register_three_absent_one_late_in_five_taps(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_today(teacher, college)
    assert "Математика" in teacher.last.text
    card = teacher.last
    taps = 0
    absent = college.students[:3]
    late = college.students[3]
    for student in absent:
        await teacher.click(_student_button(teacher, student.person.last_name), message=card)
        taps += 1
    for _ in range(2):
        await teacher.click(_student_button(teacher, late.person.last_name), message=card)
        taps += 1
    assert taps <= 5
    assert "absent 3" in teacher.last.text and "late 1" in teacher.last.text
    await teacher.click("💾 Done", message=card)

    expected = {s.id: Mark.ABSENT for s in absent} | {late.id: Mark.LATE}
    assert await _marks(app, college.lessons.today.id) == expected
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
        assert lesson is not None and lesson.register_done_at is not None
        finalised = (
            await session.scalars(select(Event).where(Event.kind == "register.finalised"))
        ).all()
        assert len(finalised) == 1

    # Reopening shows what is stored, not defaults.
    await teacher.click(f"⬅ {teacher.last.button_labels[-1].split(' ', 1)[1]}", message=card)
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)
    assert "absent 3" in teacher.last.text and "late 1" in teacher.last.text
    assert any(
        b.startswith("❌") and absent[0].person.last_name in b for b in teacher.last.button_labels
    )


async def test_all_present_resets_marks(app: BotApp, college: College, teacher: TgUser) -> None:
    await _open_today(teacher, college)
    await teacher.click(_student_button(teacher, college.students[0].person.last_name))
    await teacher.click("✔ All present")
    assert await _marks(app, college.lessons.today.id) == {}


async def test_forged_taps_change_nothing(app: BotApp, college: College, teacher: TgUser) -> None:
    await _open_today(teacher, college)
    card = teacher.last
    student = college.students[0]
    forged = [
        f"rg:{college.lessons.foreign.id}:{student.id}:p",  # another teacher's lesson
        f"rg:{college.lessons.today.id}:{college.other_students[0].id}:p",  # another group
        f"rg:{college.lessons.closed.id}:{student.id}:p",  # a closed period
        f"rg:{college.lessons.old.id}:{student.id}:p",  # past the edit window
        f"rg:{college.lessons.today.id}:{student.id}:zz",  # garbage mark
        "gr:999999:1:0:c:5",  # no such lesson
        f"gr:{college.lessons.today.id}:{college.other_students[0].id}:0:c:5",
        f"gr:{college.lessons.today.id}:{student.id}:0:c:7",  # no such grade
    ]
    for data in forged:
        await teacher.click_data(card, data)
        assert teacher.alerts[-1].show_alert, data
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Attendance)) == 0
        assert await session.scalar(select(func.count()).select_from(Grade)) == 0


async def test_stranger_cannot_press_teacher_buttons(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_today(teacher, college)
    card = teacher.last
    other = await app.link(college.other_teacher)
    await other.click_data(card, f"rg:{college.lessons.today.id}:{college.students[0].id}:p")
    assert other.alerts[-1].show_alert
    assert await _marks(app, college.lessons.today.id) == {}


async def test_grade_is_stored_and_audited(app: BotApp, college: College, teacher: TgUser) -> None:
    await _open_today(teacher, college)
    await teacher.click("⭐ Grades")
    student = college.students[1]
    await teacher.click(_student_button(teacher, student.person.last_name))
    await teacher.click("5")
    assert teacher.alerts[-1].text == "Saved: 5."
    async with app.session_factory() as session:
        grade = await session.scalar(select(Grade))
        assert grade is not None and grade.value == "5" and grade.student_id == student.id
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity == "grade"))
        assert entry is not None and entry.actor_id == college.teacher.id
        assert entry.changes["value"] == [None, "5"]
    # Change it, then remove it: both audited, the list shows the current state.
    label = _student_button(teacher, student.person.last_name)
    assert label.endswith("— 5")
    await teacher.click(label)
    await teacher.click("✏ 5 (current)")
    await teacher.click("4")
    await teacher.click(_student_button(teacher, student.person.last_name))
    await teacher.click("✏ 4 (current)")
    await teacher.click("🗑 Remove")
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Grade)) == 0
        actions = (
            await session.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.entity == "grade")
                .order_by(AuditEntry.id)
            )
        ).all()
        assert actions == ["create", "update", "delete"]


async def test_topic_validation_and_save(app: BotApp, college: College, teacher: TgUser) -> None:
    await _open_today(teacher, college)
    await teacher.click("✏ Topic")
    await teacher.send("   ")
    assert "empty" in teacher.last.text
    await teacher.send("Квадратные уравнения <b>")
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
        assert lesson is not None and lesson.topic == "Квадратные уравнения <b>"
    assert "Квадратные уравнения <b>" in teacher.last.text  # escaped, shown as typed


async def test_two_devices_lose_no_mark(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    phone = await app.link(college.teacher)
    tablet = await app.link(college.teacher)
    await _open_today(phone, college)
    await _open_today(tablet, college)
    first, second = college.students[0], college.students[1]
    await asyncio.gather(
        phone.click(_student_button(phone, first.person.last_name)),
        tablet.click(_student_button(tablet, second.person.last_name)),
    )
    assert await _marks(app, college.lessons.today.id) == {
        first.id: Mark.ABSENT,
        second.id: Mark.ABSENT,
    }


async def test_a_redelivered_update_is_applied_once(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_today(teacher, college)
    card = teacher.last
    student = college.students[0]
    first_id = app.api.new_callback_query(teacher.chat_id)
    update = {
        "update_id": 900_001,
        "callback_query": {
            "id": first_id,
            "from": teacher.user_json,
            "message": card.raw,
            "chat_instance": "1",
            # Adding a grade is not idempotent: applied twice it would make two grades.
            "data": f"gr:{college.lessons.today.id}:{student.id}:0:c:5",
        },
    }
    await app.api.deliver(update, chat_id=teacher.chat_id, callback_id=first_id)
    # Telegram redelivers the same update (the offset was not confirmed before a crash).
    await app.api.deliver(
        update
        | {
            "callback_query": update["callback_query"]
            | {"id": app.api.new_callback_query(teacher.chat_id)}
        },
        chat_id=teacher.chat_id,
        expect_reply=False,
    )
    async with app.session_factory() as session:
        values = (await session.scalars(select(Grade.value))).all()
    assert values == ["5"]


async def test_lesson_link_opens_the_card_for_its_teacher_only(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await teacher.command("start", f"lesson-{college.lessons.today.id}")
    assert "Математика" in teacher.last.text
    assert any(college.students[0].person.last_name in b for b in teacher.last.button_labels)
    other = await app.link(college.other_teacher)
    await other.command("start", f"lesson-{college.lessons.today.id}")
    assert "not among your lessons" in other.last.text
    assert not any(college.students[0].person.last_name in b for b in other.last.button_labels)


async def test_cancel_leaves_the_topic_as_it_was(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_today(teacher, college)
    await teacher.click("✏ Topic")
    await teacher.send("/cancel")
    assert "Cancelled" in teacher.texts[-2] or "Cancelled" in teacher.last.text
    await teacher.send("Not a topic")  # no longer awaited as a topic
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
        assert lesson is not None and lesson.topic == ""


async def test_the_deputy_corrects_a_lesson_past_the_edit_window(
    app: BotApp, college: College
) -> None:
    """Past the window the teacher is refused; the deputy opens the group's journal on that
    day and changes the register."""
    app.stand_at(college.now)
    old = college.lessons.old
    student = college.students[0]
    teacher = await app.link(college.teacher)
    await teacher.command("start", f"lesson-{old.id}")
    assert "edit window" in teacher.last.text
    assert not any(student.person.last_name in b for b in teacher.last.button_labels)

    deputy = await app.link(college.deputy)
    await deputy.command("menu")
    await deputy.click("🗂 Group journals")
    await deputy.click(college.group.name)
    assert f"Journal of {college.group.name}" in deputy.last.text
    while f"· {old.date.day} " not in deputy.last.text.split("\n", 1)[0]:
        await deputy.click("◀")
    await deputy.click(next(b for b in deputy.last.button_labels if "Математика" in b))
    await deputy.click(_student_button(deputy, student.person.last_name))
    assert await _marks(app, old.id) == {student.id: Mark.ABSENT}
    async with app.session_factory() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.entity == "attendance").order_by(AuditEntry.id)
        )
        assert entry is not None and entry.actor_id == college.deputy.id
    # Back leads to the group's day, not to the deputy's own (empty) lessons.
    back = next(b for b in deputy.last.button_labels if b.startswith("⬅"))
    await deputy.click(back)
    assert f"Journal of {college.group.name}" in deputy.last.text


async def test_group_journals_are_for_overseers_only(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    assert "🗂 Group journals" not in teacher.last.button_labels
    await teacher.click_data(teacher.last, f"td::{college.group.id}")
    assert teacher.alerts[-1].show_alert
    await teacher.click_data(teacher.last, "gj")
    assert teacher.alerts[-1].show_alert


HUGE = ("999999999999", "99999999999999999999")  # beyond int32 (PostgreSQL), beyond int64


async def test_a_link_to_a_lesson_id_beyond_the_store_is_answered_politely(
    app: BotApp, college: College, teacher: TgUser, caplog: pytest.LogCaptureFixture
) -> None:
    await teacher.command("start", f"lesson-{HUGE[0]}")
    assert "not among your lessons" in teacher.last.text
    await teacher.command("start", f"lesson-{HUGE[1]}")  # not even the form of a lesson link
    assert any("This link is not valid" in text for text in teacher.texts[-2:])
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_presses_with_ids_beyond_the_store_are_refused_as_stale(
    app: BotApp, college: College, teacher: TgUser, caplog: pytest.LogCaptureFixture
) -> None:
    await _open_today(teacher, college)
    card = teacher.last
    lesson, student = college.lessons.today.id, college.students[0].id
    for huge in HUGE:
        for data in (
            f"ls:{huge}:card",
            f"rg:{lesson}:{huge}:p",
            f"gr:{huge}:{student}:0:c:open",
            f"m:child:{huge}",
        ):
            answer = await teacher.click_data(card, data)
            assert answer is not None and "Something went wrong" not in answer, data
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
    assert await _marks(app, lesson) == {}


async def test_a_homework_file_of_another_kind_is_refused_and_nothing_stored(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_today(teacher, college)
    await teacher.click("🏠 Homework")
    await teacher.upload_document(b"MZ", "tasks.exe", caption="Solve all")
    assert "This kind of file is not accepted" in teacher.last.text
    await teacher.upload_document(b"%PDF-1.7", "tasks.pdf", caption="Solve all")
    assert "Homework saved." in teacher.texts[-2] + teacher.last.text
    async with app.session_factory() as session:
        lesson = await session.get(Lesson, college.lessons.today.id)
    assert lesson is not None and lesson.homework_file_name == "tasks.pdf"
