"""The MAX sender against the fake MAX server: its limits kept, its 429 waited out, a text
over MAX's 4000 characters split, a person who blocked the bot marked so."""

from __future__ import annotations

from itertools import count

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.messenger import Messenger, to_max
from handlers.sender import MAX_LIMITS, Sender
from storage.models import Organisation, OutboxMessage, OutboxStatus, Person, TelegramAccount
from tests.factories import College
from tests.max.conftest import MaxApp

Factory = async_sessionmaker[AsyncSession]
_keys = count(1)


async def people_in_max(max_app: MaxApp, n: int) -> list[int]:
    """``n`` people with MAX accounts; their stored chat ids."""
    factory = max_app.tg.session_factory
    users = [max_app.stranger(f"P{i}") for i in range(n)]
    async with factory.begin() as session:
        org = Organisation(code="mx", name="College")
        session.add(org)
        await session.flush()
        for user in users:
            person = Person(
                org_id=org.id, external_id=str(user.user_id), last_name="L", first_name="F"
            )
            session.add(person)
            await session.flush()
            session.add(
                TelegramAccount(
                    telegram_user_id=user.stored_id, chat_id=user.stored_id, person_id=person.id
                )
            )
    return [u.stored_id for u in users]


async def queue(factory: Factory, chat_id: int, text: str) -> None:
    async with factory.begin() as session:
        session.add(
            OutboxMessage(dedup_key=f"t:{next(_keys)}", chat_id=chat_id, kind="test", text=text)
        )


async def statuses(factory: Factory) -> list[OutboxStatus]:
    async with factory() as session:
        return list(await session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def sender(max_app: MaxApp) -> Sender:
    return Sender(
        max_app.bot, max_app.tg.session_factory, limits=MAX_LIMITS, messenger=Messenger.MAX
    )


async def test_thirty_chats_at_once_keep_under_the_rate_and_all_arrive(max_app: MaxApp) -> None:
    factory = max_app.tg.session_factory
    chats = await people_in_max(max_app, 30)
    for chat in chats:
        await queue(factory, chat, f"<b>Hello</b> {chat}")
    one = sender(max_app)
    assert await one.drain_once() == 30
    assert max_app.api.too_many_requests == 0
    assert await statuses(factory) == [OutboxStatus.SENT] * 30
    assert all(len(max_app.api.dialogs[to_max(c)]) == 1 for c in chats)


async def test_a_429_is_waited_out_and_the_message_goes(max_app: MaxApp) -> None:
    factory = max_app.tg.session_factory
    [chat] = await people_in_max(max_app, 1)
    await queue(factory, chat, "Absent today")
    max_app.api.fail_next(1)
    one = sender(max_app)
    assert await one.drain_once() == 1
    assert one.stats.too_many_requests == 1
    assert await statuses(factory) == [OutboxStatus.SENT]


async def test_a_text_over_4000_characters_goes_in_parts(max_app: MaxApp) -> None:
    factory = max_app.tg.session_factory
    [chat] = await people_in_max(max_app, 1)
    text = "\n".join(f"{n:04d} " + "x" * 94 for n in range(41))  # 4140 characters
    await queue(factory, chat, text)
    assert await sender(max_app).drain_once() == 2
    [user_id] = [u for u in max_app.api.dialogs if max_app.api.dialogs[u]]
    parts = [m.visible for m in max_app.api.dialogs[user_id]]
    assert len(parts) == 2 and all(len(p) <= 4000 for p in parts)
    assert "".join(parts).replace("\n", "") == text.replace("\n", "")


async def test_a_person_who_blocked_the_bot_in_max_is_marked_so(max_app: MaxApp) -> None:
    factory = max_app.tg.session_factory
    [chat] = await people_in_max(max_app, 1)
    [user_id] = list(max_app.api.people)
    max_app.api.people[user_id]["blocked"] = True
    await queue(factory, chat, "Absent today")
    assert await sender(max_app).drain_once() == 0
    assert await statuses(factory) == [OutboxStatus.FAILED]
    async with factory() as session:
        account = await session.scalar(select(TelegramAccount))
    assert account is not None and not account.active


async def test_quick_presses_past_max_s_two_answers_a_second_are_waited_out(
    max_app: MaxApp, college: College
) -> None:
    parent = await max_app.link(college.parents[college.students[0].id])
    await parent.send("/menu")
    await parent.click("📱 Messengers")
    label = next(label for row in parent.last.button_labels for label in row if "MAX" in label)
    answers = [await parent.click(label) for _ in range(3)]  # each answered with a note
    assert all(answers), answers
    assert max_app.api.too_many_requests >= 1  # the third within the second: 429, then again
