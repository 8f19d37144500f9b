"""One update, one transaction: what a press changes (the conversation included) is saved
together, and a returning person is not kept waiting on their own update."""

from __future__ import annotations

import time

from sqlalchemy import select, update

from storage.models import ConversationState, TelegramAccount
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
