"""One update, one transaction: what a press changes (the conversation included) is saved
together, and a returning person is not kept waiting on their own update."""

from __future__ import annotations

import dataclasses
import time

from sqlalchemy import delete, select, update

from storage.models import ConversationState, Membership, Role, TelegramAccount
from tests.botapp import BotApp
from tests.factories import College


async def test_returning_person_starts_typing_a_topic_at_once(
    app: BotApp, college: College
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)
    card = teacher.last
    # They blocked the bot for a while (a delivery got 403) and are back.
    async with app.session_factory.begin() as session:
        await session.execute(
            update(TelegramAccount)
            .where(TelegramAccount.telegram_user_id == teacher.id)
            .values(active=False)
        )

    started = time.monotonic()
    await teacher.click("✏ Topic", message=card, within=8)
    assert time.monotonic() - started < 5
    assert "Send the topic of the lesson." in teacher.last.text

    async with app.session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == teacher.id)
        )
        assert account is not None and account.active
        states = (await session.scalars(select(ConversationState))).all()
        assert [s.state for s in states] == ["LessonInput:topic"]
        assert states[0].data == {"lesson": college.lessons.today.id}

    await teacher.send("Производная")
    assert "Topic saved." in teacher.bot_messages[-2].text


async def test_a_refused_press_of_a_returning_person_changes_nothing_but_their_return(
    app: BotApp, college: College
) -> None:
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    async with app.session_factory.begin() as session:
        await session.execute(
            update(TelegramAccount)
            .where(TelegramAccount.telegram_user_id == teacher.id)
            .values(active=False)
        )
    # A forged press: someone else's lesson.
    answer = await teacher.click_data(teacher.last, f"ls:{college.lessons.foreign.id}:topic")
    assert teacher.alerts[-1].show_alert and answer
    async with app.session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.telegram_user_id == teacher.id)
        )
        assert account is not None and account.active
        assert (await session.scalars(select(ConversationState))).all() == []


async def test_a_draft_whose_author_lost_the_right_to_it_is_closed(
    app: BotApp, college: College
) -> None:
    curator = await app.link(college.curator)
    await curator.command("menu")
    await curator.click("📣 Announcement")
    async with app.session_factory.begin() as session:
        await session.execute(
            delete(Membership).where(
                Membership.person_id == college.curator.id, Membership.role == Role.CURATOR
            )
        )
    answer = await curator.click("Next ➡")
    assert curator.alerts[-1].show_alert and answer
    async with app.session_factory() as session:
        states = (await session.scalars(select(ConversationState.state))).all()
        assert [s for s in states if s is not None] == []


async def test_a_button_under_a_message_too_old_to_touch_is_out_of_date(
    app: BotApp, college: College
) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    day = teacher.last
    button = day.button(label)
    assert button is not None
    seen, shown = len(teacher.bot_messages), day.text
    # Telegram sends a message older than 48 hours as inaccessible: date 0, no content.
    old = dataclasses.replace(
        day, raw={"chat": day.raw["chat"], "message_id": day.message_id, "date": 0}
    )
    answer = await teacher.click_data(old, button["callback_data"])
    assert teacher.alerts[-1].show_alert
    assert answer == "This button is no longer active. Open /menu."
    assert len(teacher.bot_messages) == seen and day.text == shown  # nothing sent or edited
