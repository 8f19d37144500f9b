"""The sender against the fake Bot API: limits kept, errors handled, nothing lost."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.sender import Limits, Sender
from storage import outbox
from storage.models import Organisation, OutboxMessage, OutboxStatus, Person, TelegramAccount
from tests.fakebot import FakeBotAPI

Factory = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 11, 17, 3, 0, tzinfo=UTC)
FAST = Limits(per_second=30, private_per_second=20)  # where the fake does not count
_keys = count(1)


async def queue(
    factory: Factory, chat_id: int, text: str, *, not_before: datetime = NOW, **extra: object
) -> int:
    async with factory.begin() as session:
        message = OutboxMessage(
            dedup_key=f"test:{next(_keys)}",
            chat_id=chat_id,
            kind="test",
            text=text,
            not_before=not_before,
            **extra,
        )
        session.add(message)
        await session.flush()
        return message.id


async def people_with_chats(factory: Factory, api: FakeBotAPI, n: int) -> list[int]:
    """``n`` people with linked accounts whose chats are open; returns the chat ids."""
    chats = [8_000_001 + i for i in range(n)]
    async with factory.begin() as session:
        org = Organisation(code="d", name="College")
        session.add(org)
        await session.flush()
        for chat in chats:
            person = Person(org_id=org.id, external_id=str(chat), last_name="L", first_name="F")
            session.add(person)
            await session.flush()
            session.add(TelegramAccount(telegram_user_id=chat, chat_id=chat, person_id=person.id))
            api.open_chat(chat)
    return chats


async def rows(factory: Factory) -> dict[int, OutboxMessage]:
    async with factory() as session:
        found = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return {m.id: m for m in found}


def received(api: FakeBotAPI) -> Counter[int]:
    """Messages each chat holds from the bot."""
    return Counter(m.chat_id for chat in api.chats.values() for m in chat.messages if m.from_bot)


async def test_limits_are_kept_order_is_kept_and_every_message_is_marked_sent(
    session_factory: Factory,
) -> None:
    async with FakeBotAPI(enforce_limits=True) as api:
        chats = await people_with_chats(session_factory, api, 40)
        ids = [await queue(session_factory, chat, f"hello {chat}") for chat in chats]
        ids += [await queue(session_factory, chats[0], f"more {n}") for n in range(2)]
        sender = Sender(api.make_bot(), session_factory)

        assert await sender.drain_once(NOW) == 42

        assert api.too_many_requests == 0
        assert [m.text for m in api.chat(chats[0]).messages] == [
            f"hello {chats[0]}", "more 0", "more 1"
        ]  # fmt: skip
        stored = await rows(session_factory)
        assert all(stored[i].status is OutboxStatus.SENT for i in ids)
        assert stored[ids[0]].telegram_message_id == api.chat(chats[0]).messages[0].message_id


async def test_a_429_pauses_that_chat_for_retry_after_and_nobody_else(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    slow, *others = await people_with_chats(session_factory, fake_api, 4)
    for chat in [slow, *others]:
        await queue(session_factory, chat, "news")
    fake_api.fail_next("sendMessage", chat_id=slow, status=429, retry_after=1)
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 4

    refused, accepted = fake_api.calls("sendMessage", chat_id=slow)
    assert refused.status == 429 and accepted.ok
    assert accepted.time - refused.time >= 1.0  # exactly as long as Telegram asked
    assert all(fake_api.calls("sendMessage", chat_id=c)[0].time < accepted.time for c in others)
    assert received(fake_api) == Counter(dict.fromkeys([slow, *others], 1))
    assert sender.stats.too_many_requests == 1


async def test_a_blocked_chat_turns_inactive_and_the_others_lose_nothing(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    gone, stays = await people_with_chats(session_factory, fake_api, 2)
    fake_api.block(gone)
    lost = [await queue(session_factory, gone, f"n{n}") for n in range(2)]
    kept = [await queue(session_factory, stays, f"n{n}") for n in range(2)]
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 2

    stored = await rows(session_factory)
    assert [stored[i].status for i in kept] == [OutboxStatus.SENT] * 2
    assert [stored[i].status for i in lost] == [OutboxStatus.FAILED] * 2
    assert "blocked" in stored[lost[0]].last_error
    assert len(fake_api.calls("sendMessage", chat_id=gone)) == 1  # not tried again
    async with session_factory() as session:
        account = await session.scalar(
            select(TelegramAccount).where(TelegramAccount.chat_id == gone)
        )
    assert account is not None and account.active is False
    # Queued later by anyone: not sent, and no backlog waits for their return.
    later = await queue(session_factory, gone, "later")
    assert await sender.drain_once(NOW) == 0
    assert (await rows(session_factory))[later].status is OutboxStatus.FAILED


async def test_a_server_error_is_retried_later_and_the_message_arrives(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    chat, other = await people_with_chats(session_factory, fake_api, 2)
    flaky = await queue(session_factory, chat, "grade")
    await queue(session_factory, other, "grade")
    fake_api.fail_next("sendMessage", chat_id=chat, status=502)
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 1
    message = (await rows(session_factory))[flaky]
    assert message.status is OutboxStatus.PENDING
    assert message.attempts == 1 and "Bad Gateway" in message.last_error
    assert message.not_before > NOW

    assert await sender.drain_once(NOW + timedelta(minutes=1)) == 1
    assert (await rows(session_factory))[flaky].status is OutboxStatus.SENT
    assert received(fake_api) == Counter({chat: 1, other: 1})


async def test_a_crash_mid_drain_sends_again_at_most_the_messages_in_flight(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    chats = await people_with_chats(session_factory, fake_api, 30)
    for chat in chats:
        await queue(session_factory, chat, "news")
    first = Sender(fake_api.make_bot(), session_factory, limits=Limits(per_second=20))
    task = asyncio.create_task(first.run(asyncio.Event()))
    post = fake_api.post_bot_message

    def crash_on_the_12th(*args: Any, **kwargs: Any) -> Any:
        posted = post(*args, **kwargs)
        if sum(received(fake_api).values()) == 12:
            task.cancel()  # the process dies while Telegram takes a message: no goodbye
        return posted

    fake_api.post_bot_message = crash_on_the_12th  # type: ignore[method-assign]
    await asyncio.gather(task, return_exceptions=True)
    fake_api.post_bot_message = post  # type: ignore[method-assign]
    before = received(fake_api)
    sent = {m.chat_id for m in (await rows(session_factory)).values() if m.status.value == "sent"}
    in_flight = set(before) - sent  # Telegram has them, the store does not know

    await Sender(fake_api.make_bot(), session_factory, limits=FAST).drain_once()

    after = received(fake_api)
    assert set(after) == set(chats)  # none lost
    doubled = {chat for chat, n in after.items() if n > 1}
    assert in_flight  # the crash came while Telegram was taking messages
    assert doubled == in_flight
    # Each chat's worker marks a message sent before it sends the next, so a crash leaves at
    # most one message per chat in flight: nothing reaches a chat three times. (How many chats
    # that is depends on how far the marks lag behind the sends, so on the machine's load.)
    assert max(after.values()) == 2


async def test_a_long_text_is_split_into_valid_parts_each_sent_once(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    [chat] = await people_with_chats(session_factory, fake_api, 1)
    lines = [f"line {n:04d} " + "x" * 40 for n in range(120)]
    text = "<b>" + "\n".join(lines) + "</b>"
    await queue(session_factory, chat, text)
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 2

    parts = fake_api.chat(chat).messages
    assert [len(p.text) <= 4096 for p in parts] == [True, True]
    assert "\n".join(p.text for p in parts) == "\n".join(lines)
    assert all(p.entities[0]["type"] == "bold" for p in parts)  # tags closed and reopened
    stored = list((await rows(session_factory)).values())
    assert [m.status for m in stored] == [OutboxStatus.SENT] * 2
    assert stored[1].dedup_key == stored[0].dedup_key + "#2"


async def test_a_bad_message_fails_with_the_reason_and_others_go_on(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    [chat] = await people_with_chats(session_factory, fake_api, 1)
    broken = await queue(session_factory, chat, "<b>unclosed")
    fine = await queue(session_factory, chat, "fine")
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 1
    stored = await rows(session_factory)
    assert stored[broken].status is OutboxStatus.FAILED
    assert "can't parse entities" in stored[broken].last_error
    assert stored[fine].status is OutboxStatus.SENT


async def test_messages_not_due_yet_wait(session_factory: Factory, fake_api: FakeBotAPI) -> None:
    [chat] = await people_with_chats(session_factory, fake_api, 1)
    await queue(session_factory, chat, "morning", not_before=NOW + timedelta(hours=1))
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 0
    assert await sender.drain_once(NOW + timedelta(hours=1)) == 1
    assert [m.text for m in fake_api.chat(chat).messages] == ["morning"]


async def test_a_network_error_keeps_the_message_for_later(session_factory: Factory) -> None:
    async with FakeBotAPI() as api:
        [chat] = await people_with_chats(session_factory, api, 1)
        bot = api.make_bot()
    # The server is gone now: every call fails to connect.
    message_id = await queue(session_factory, chat, "news")
    sender = Sender(bot, session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 0
    message = (await rows(session_factory))[message_id]
    assert message.status is OutboxStatus.PENDING
    assert message.last_error.startswith("TelegramNetworkError")
    assert message.not_before == NOW + timedelta(seconds=5)
    await bot.session.close()


async def test_the_log_names_no_chat_in_full(
    session_factory: Factory, fake_api: FakeBotAPI, caplog: pytest.LogCaptureFixture
) -> None:
    waits, refuses, blocked, flaky = await people_with_chats(session_factory, fake_api, 4)
    for chat in (waits, refuses, blocked, flaky):
        await queue(session_factory, chat, "news")
    fake_api.fail_next("sendMessage", chat_id=waits, status=429, retry_after=1)
    fake_api.fail_next("sendMessage", chat_id=refuses, status=400, description="Bad Request: x")
    fake_api.fail_next("sendMessage", chat_id=flaky, status=502)
    fake_api.block(blocked)
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    with caplog.at_level(logging.INFO, logger="handlers.sender"):
        assert await sender.drain_once(NOW) == 1

    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "handlers.sender")
    for chat in (waits, refuses, blocked, flaky):
        assert str(chat) not in logged
        assert f"…{str(chat)[-3:]}" in logged  # each failure logged, told apart


async def test_a_message_failing_every_attempt_is_marked_failed_and_counted(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    [chat] = await people_with_chats(session_factory, fake_api, 1)
    doomed = await queue(session_factory, chat, "news")
    fake_api.fail_next("sendMessage", chat_id=chat, status=502, times=100)
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST, attempts=3)

    now = NOW
    for _ in range(3):
        assert await sender.drain_once(now) == 0
        now += timedelta(hours=1)  # past any back-off
    assert await sender.drain_once(now) == 0  # nothing left to try

    message = (await rows(session_factory))[doomed]
    assert message.status is OutboxStatus.FAILED and message.attempts == 3
    assert message.last_error.startswith("gave up: ") and "Bad Gateway" in message.last_error
    assert len(fake_api.calls("sendMessage", chat_id=chat)) == 3
    assert sender.stats.failed == 1
    async with session_factory() as session:
        counts = await outbox.status_counts(session, now)
    assert counts["failed"] == counts["gave_up"] == 1


async def test_a_photo_goes_as_a_photo_even_when_its_caption_is_split_off(
    session_factory: Factory, fake_api: FakeBotAPI
) -> None:
    [chat] = await people_with_chats(session_factory, fake_api, 1)
    photo = fake_api.add_file(b"\x89PNG scan", "photo").file_id
    markup = {"inline_keyboard": [[{"text": "OK", "callback_data": "x"}]]}
    await queue(session_factory, chat, "short", document_file_id=photo, file_kind="photo",
                reply_markup=markup)  # fmt: skip
    await queue(session_factory, chat, "long " * 300, document_file_id=photo, file_kind="photo")
    sender = Sender(fake_api.make_bot(), session_factory, limits=FAST)

    assert await sender.drain_once(NOW) == 3
    assert [c.method for c in fake_api.calls(chat_id=chat)] == [
        "sendPhoto",
        "sendMessage",  # the caption too long for a photo goes first, as text
        "sendPhoto",
    ]
    first, _, second = fake_api.chat(chat).messages
    assert first.photo is not None and first.text == "short" and first.button_labels == ["OK"]
    assert second.photo is not None and second.photo.content == b"\x89PNG scan"
    assert [m.file_kind for m in (await rows(session_factory)).values()] == [
        "photo",
        None,
        "photo",
    ]
