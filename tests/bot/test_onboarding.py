"""A person opens their invite link; strangers and wrong links are refused and link nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from services.people import invites
from storage.models import InviteAttempt, Person, TelegramAccount, utcnow
from tests.botapp import BotApp
from tests.factories import College


async def _invite(app: BotApp, person: Person, ttl: timedelta = timedelta(days=3)) -> str:
    async with app.session_factory.begin() as session:
        person = await session.get(Person, person.id)
        [issued] = await invites.issue(session, [person], now=utcnow(), ttl=ttl)
    return issued.code


async def _linked(app: BotApp, user_id: int) -> TelegramAccount | None:
    async with app.session_factory() as session:
        return await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == user_id)
        )


async def test_teacher_link_shows_teacher_menu(app: BotApp, college: College) -> None:
    code = await _invite(app, college.teacher)
    user = app.stranger()
    await user.command("start", code)
    texts = [m.text for m in user.messages]
    assert any(college.teacher.first_name in t for t in texts)
    assert "Teacher" in user.last.text
    assert "My lessons" in " ".join(user.last.button_labels)
    account = await _linked(app, user.id)
    assert account is not None and account.person_id == college.teacher.id


async def test_parent_menu_names_children(app: BotApp, college: College) -> None:
    student = college.students[0]
    parent = college.parents[student.id]
    code = await _invite(app, parent)
    user = app.stranger()
    await user.command("start", code)
    assert student.person.last_name in user.last.text


async def test_used_link_is_refused(app: BotApp, college: College) -> None:
    code = await _invite(app, college.teacher)
    first = app.stranger()
    await first.command("start", code)
    second = app.stranger()
    await second.command("start", code)
    assert "already been used" in second.last.text
    assert await _linked(app, second.id) is None


async def test_wrong_code_links_nothing(app: BotApp, college: College) -> None:
    user = app.stranger()
    await user.command("start", "x" * 32)
    assert await _linked(app, user.id) is None
    assert user.last.buttons == []
    async with app.session_factory() as session:
        attempts = await session.scalar(select(func.count()).select_from(InviteAttempt))
    assert attempts == 1


async def test_expired_code_is_refused(app: BotApp, college: College) -> None:
    code = await _invite(app, college.teacher, ttl=timedelta(seconds=-1))
    user = app.stranger()
    await user.command("start", code)
    assert await _linked(app, user.id) is None
    assert "expired" in user.last.text


async def test_guessing_is_throttled(app: BotApp, college: College) -> None:
    code = await _invite(app, college.teacher)
    user = app.stranger()
    for n in range(app.settings.rules.invite_attempts_per_hour):
        await user.command("start", f"wrong{n}")
    await user.command("start", code)  # even a right code waits once throttled
    assert await _linked(app, user.id) is None


async def test_plain_start_for_stranger_explains(app: BotApp, college: College) -> None:
    user = app.stranger()
    await user.command("start")
    assert "personal link" in user.last.text
    assert await _linked(app, user.id) is None


async def test_stranger_pressing_menu_button_is_refused(app: BotApp, college: College) -> None:
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    stranger = app.stranger()
    await stranger.click_data(teacher.last, "m:role:teacher")
    assert stranger.alerts[-1].show_alert
    assert "not linked" in (stranger.alerts[-1].text or "")
    assert await _linked(app, stranger.id) is None


async def test_switch_child_refuses_forged_child(app: BotApp, college: College) -> None:
    student = college.students[0]
    parent = await app.link(college.parents[student.id])
    await parent.command("menu")
    other = college.other_students[0]
    await parent.click_data(parent.last, f"m:child:{other.id}")
    assert parent.alerts[-1].show_alert
    assert other.person.last_name not in parent.last.text


async def test_language_switch(app: BotApp, college: College) -> None:
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("🌐 Language")
    await teacher.click("Русский")
    account = await _linked(app, teacher.id)
    assert account is not None and account.language == "ru"
    assert "Choose an action" not in teacher.last.text  # the menu is now in Russian


async def test_linking_keeps_the_language_the_person_met(app: BotApp, college: College) -> None:
    """Messages sent later (notifications, reminders) speak the language of the first screen."""
    code = await _invite(app, college.teacher)
    user = app.stranger(language_code="en")
    await user.command("start", code)
    account = await _linked(app, user.id)
    assert account is not None and account.language == "en"
