"""The 🔔 Notifications screen, and notifications as the person reads them in Telegram."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.config import Settings
from handlers.sender import Limits, Sender
from storage.models import NotificationPreference, Person, TelegramAccount
from tests.botapp import BotApp
from tests.factories import College
from tests.notifications import kit


async def _stored(app: BotApp, person: Person) -> dict[str, str]:
    async with app.session_factory() as session:
        rows = await session.scalars(
            select(NotificationPreference).where(NotificationPreference.person_id == person.id)
        )
        return {row.kind: row.mode for row in rows}


async def test_a_parent_cycles_a_kind_now_digest_off_and_it_is_stored_at_once(
    app: BotApp, college: College
) -> None:
    parent = college.parents[college.students[0].id]
    user = await app.link(parent)
    await user.command("menu")
    await user.click("🔔 Notifications")
    assert "Notifications" in user.last.text
    assert "22:00" in user.last.text and "07:00" in user.last.text  # quiet hours explained
    assert user.last.button_labels[:4] == [
        "📘 Grades: immediately",
        "🚫 Absences and lateness: immediately",
        "📝 Absence reasons: immediately",
        "📊 Weekly summary: off",
    ]

    await user.click("📘 Grades: immediately")
    assert "📘 Grades: daily digest" in user.last.button_labels
    assert await _stored(app, parent) == {"grades": "digest"}
    await user.click("📘 Grades: daily digest")
    assert await _stored(app, parent) == {"grades": "off"}
    await user.click("📘 Grades: off")
    await user.click("📊 Weekly summary: off")
    assert await _stored(app, parent) == {"grades": "now", "weekly": "on"}
    assert "📊 Weekly summary: on" in user.last.button_labels


async def test_a_student_starts_with_everything_off_and_turns_it_on(
    app: BotApp, college: College
) -> None:
    student = college.students[0].person
    user = await app.link(student)
    await user.command("menu")
    await user.click("🔔 Notifications")
    assert "📘 Grades: off" in user.last.button_labels
    await user.click("📘 Grades: off")
    assert "📘 Grades: immediately" in user.last.button_labels
    await user.click("📘 Grades: immediately")
    await user.click("📘 Grades: daily digest")
    assert await _stored(app, student) == {"grades": "off"}


async def test_forged_buttons_change_nothing(app: BotApp, college: College) -> None:
    parent = college.parents[college.students[0].id]
    user = await app.link(parent)
    await user.command("menu")
    await user.click("🔔 Notifications")
    await user.click_data(user.last, "nt:cycle:password")
    assert user.alerts[-1].show_alert
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    assert "🔔 Notifications" not in teacher.last.button_labels
    await teacher.click_data(teacher.last, "nt:cycle:grades")
    assert teacher.alerts[-1].show_alert
    assert await _stored(app, parent) == {} and await _stored(app, college.teacher) == {}


async def test_someone_back_after_blocking_the_bot_is_active_again(
    app: BotApp, college: College
) -> None:
    user = await app.link(college.parents[college.students[0].id])
    async with app.session_factory.begin() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == user.id)
        )
        assert account is not None
        account.active = False
    await user.command("menu")
    async with app.session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == user.id)
        )
    assert account is not None and account.active


async def test_the_parent_reads_the_grade_in_the_morning_not_at_night(
    app: BotApp, college: College
) -> None:
    student = college.students[0]
    parent = await app.link(college.parents[student.id], language="en")
    settings = Settings(bot_token=None)
    night = college.at(college.today, 23)
    await kit.add_grade(app.session_factory, college, student, "5", night)
    await kit.notify(app.session_factory, settings, night)
    sender = Sender(app.bot, app.session_factory, limits=Limits())

    assert await sender.drain_once(college.at(college.today + timedelta(days=1), 6, 59)) == 0
    assert parent.messages == []
    assert await sender.drain_once(college.at(college.today + timedelta(days=1), 7)) == 1
    assert parent.last.text == (
        f"📘 {student.person.first_name}: new grade 5\n{college.math.name}, lesson of 17 November"
    )
    assert parent.last.entities[0]["type"] == "bold"
