"""A teacher enters period grades: the task list, the sheet with averages, the keypad of the
curriculum's form — and forged or stale presses change nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from keyboards.attestation import AttCb
from services.journal.grades import add_grade
from storage.models import AttestationForm, AuditEntry, GradeKind, Period, PeriodGrade
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import TgUser


@pytest.fixture
async def teacher(app: BotApp, college: College) -> TgUser:
    app.stand_at(college.now)
    return await app.link(college.teacher)


def _button(user: TgUser, text: str) -> str:
    return next(b for b in user.last.button_labels if text in b)


async def _open_tasks(teacher: TgUser) -> None:
    await teacher.command("menu")
    await teacher.click("📝 Attestation")


async def _period_grades(app: BotApp) -> list[tuple[int, str, AttestationForm]]:
    async with app.session_factory() as session:
        rows = await session.execute(
            select(PeriodGrade.student_id, PeriodGrade.value, PeriodGrade.form).order_by(
                PeriodGrade.student_id
            )
        )
        return [tuple(row) for row in rows.all()]  # type: ignore[misc]


async def test_tasks_list_the_teachers_sheets_with_progress(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_tasks(teacher)
    text = teacher.last.text
    assert "ИС-21 · Математика · exam: 0 of 6, due 31 December" in text
    assert "ИС-21 / 1 · Иностранный язык · credit: 0 of 3" in text
    assert "Информатика" not in text  # the other teacher's discipline
    labels = teacher.last.button_labels
    assert "⬜ ИС-21 Математика 0/6" in labels
    assert "⬜ ИС-21/1 Иностранный язык 0/3" in labels


async def test_exam_grade_from_the_suggested_value_then_removed(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    first, second = college.students[0], college.students[1]
    async with app.session_factory() as session:
        actor = college.actor(college.teacher)
        today, yesterday = college.lessons.today.id, college.lessons.yesterday.id
        await add_grade(session, actor, today, first.id, "5", college.now)
        await add_grade(session, actor, yesterday, first.id, "4", college.now, kind=GradeKind.TEST)
        await session.commit()

    await _open_tasks(teacher)
    await teacher.click("⬜ ИС-21 Математика 0/6")
    sheet = teacher.last
    assert "Filled: 0 of 6" in sheet.text
    assert "1. Алексеев И. П. — average 4.5 (2 grades) → ⬜" in sheet.text
    assert "2. Борисова А. С. — no grades → ⬜" in sheet.text

    await teacher.click("Алексеев И. П. · ⬜")
    assert "⭐ suggested by the average: 5" in teacher.last.text
    assert teacher.last.button_labels == ["2", "3", "4", "⭐ 5", "⬅ Students"]
    await teacher.click("⭐ 5")
    assert teacher.alerts[-1].text == "Saved: 5."
    assert "Filled: 1 of 6" in teacher.last.text
    assert "Алексеев И. П. · 5" in teacher.last.button_labels
    assert await _period_grades(app) == [(first.id, "5", AttestationForm.EXAM)]

    # A second student without current grades: no suggestion, any value.
    await teacher.click(_button(teacher, second.person.last_name))
    assert "suggested" not in teacher.last.text
    await teacher.click("3")

    # Change the first one, then remove it: every step audited.
    await teacher.click("Алексеев И. П. · 5")
    assert teacher.last.button_labels == ["2", "3", "4", "• 5", "🗑 Remove", "⬅ Students"]
    await teacher.click("4")
    await teacher.click("Алексеев И. П. · 4")
    await teacher.click("🗑 Remove")
    assert teacher.alerts[-1].text == "Period grade removed."
    assert "Filled: 1 of 6" in teacher.last.text
    assert await _period_grades(app) == [(second.id, "3", AttestationForm.EXAM)]
    async with app.session_factory() as session:
        trail = (
            await session.execute(
                select(AuditEntry.action, AuditEntry.actor_id)
                .where(AuditEntry.entity == "period_grade")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [action for action, _ in trail] == ["create", "create", "update", "delete"]
    assert {actor for _, actor in trail} == {college.teacher.id}

    await teacher.click("⬅ Attestation")
    assert "ИС-21 · Математика · exam: 1 of 6" in teacher.last.text


async def test_credit_keypad_is_pass_or_fail_for_the_subgroup(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_tasks(teacher)
    await teacher.click("⬜ ИС-21/1 Иностранный язык 0/3")
    assert "ИС-21 / 1" in teacher.last.text and "credit" in teacher.last.text
    names = [s.person.last_name for s in college.sub1_students]
    students = [b for b in teacher.last.button_labels if b != "⬅ Attestation"]
    assert [b.split(" ")[0] for b in students] == names
    student = college.sub1_students[0]
    await teacher.click(_button(teacher, student.person.last_name))
    assert teacher.last.button_labels == ["pass", "fail", "⬅ Students"]
    await teacher.click("pass")
    assert await _period_grades(app) == [(student.id, "pass", AttestationForm.CREDIT)]
    await teacher.click("⬅ Attestation")
    assert "ИС-21 / 1 · Иностранный язык · credit: 1 of 3" in teacher.last.text


async def test_forged_presses_change_nothing(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_tasks(teacher)
    screen = teacher.last
    g, autumn, spring = college.group.id, college.autumn.id, college.spring.id
    math, english, informatics = college.math.id, college.english.id, college.informatics.id
    student = college.students[0]
    sub2_student = college.sub2_students[0]
    forged = {
        f"at:{g}:0:{informatics}:{autumn}:{student.id}:5": "not among those you teach",
        f"at:{g}:0:{informatics}:{autumn}:0:sheet": "not among those you teach",
        f"at:{g}:{college.sub2.id}:{english}:{autumn}:{sub2_student.id}:pass": "not among",
        f"at:{college.other_group.id}:0:{math}:{autumn}:{student.id}:5": "not among",
        f"at:{g}:0:{math}:{autumn}:{college.other_students[0].id}:5": "not on the attestation",
        f"at:{g}:0:{math}:{autumn}:{college.other_students[0].id}:open": "not on the attest",
        f"at:{g}:0:{math}:{autumn}:{college.expelled.id}:5": "not on the attestation list",
        f"at:{g}:{college.sub1.id}:{english}:{autumn}:{sub2_student.id}:pass": "not on the",
        f"at:{g}:0:{math}:{spring}:{student.id}:5": "not among",  # a closed period
        f"at:{g}:0:{math}:{autumn}:{student.id}:pass": "2, 3, 4 or 5",  # not the exam's value
        f"at:{g}:{college.sub1.id}:{english}:{autumn}:{student.id}:5": "pass or fail",
        f"at:{g}:0:{math}:999999:{student.id}:5": "not among",
    }
    for data, message in forged.items():
        await teacher.click_data(screen, data)
        alert = teacher.alerts[-1]
        assert alert.show_alert and message in (alert.text or ""), (data, alert.text)
    assert await _period_grades(app) == []


async def test_a_period_closed_meanwhile_stops_the_keypad(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_tasks(teacher)
    await teacher.click("⬜ ИС-21 Математика 0/6")
    await teacher.click(_button(teacher, college.students[0].person.last_name))
    keypad = teacher.last
    async with app.session_factory.begin() as session:
        await session.execute(
            update(Period).where(Period.id == college.autumn.id).values(closed=True)
        )
    await teacher.click("3", message=keypad)
    assert teacher.alerts[-1].show_alert
    assert "is closed" in (teacher.alerts[-1].text or "")
    assert await _period_grades(app) == []
    # The sheet still opens to read, locked, without student buttons.
    await teacher.click("⬅ Students", message=keypad)
    assert "🔒" in teacher.last.text
    assert teacher.last.button_labels == ["⬅ Attestation"]
    await teacher.click("⬅ Attestation")
    assert "No period grades are due from you" in teacher.last.text


async def test_another_teacher_cannot_use_the_buttons(
    app: BotApp, college: College, teacher: TgUser
) -> None:
    await _open_tasks(teacher)
    await teacher.click("⬜ ИС-21 Математика 0/6")
    sheet = teacher.last
    other = await app.link(college.other_teacher)
    g, math, autumn = college.group.id, college.math.id, college.autumn.id
    await other.click_data(sheet, f"at:{g}:0:{math}:{autumn}:{college.students[0].id}:5")
    assert other.alerts[-1].show_alert
    async with app.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(PeriodGrade)) == 0


async def test_a_sheet_opened_from_a_reminder_comes_as_a_new_message(
    app: BotApp, college: College
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    digest_like = teacher.last
    sheet = AttCb(group=college.group.id, disc=college.math.id, period=college.autumn.id, act="new")
    await teacher.click_data(digest_like, sheet.pack())
    assert teacher.last.message_id != digest_like.message_id and not digest_like.edited
    assert "Математика" in teacher.last.text
