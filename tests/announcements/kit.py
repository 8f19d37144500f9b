"""Helpers of the announcement tests: linked people, a direct publish, the outbox drained
through the fake Bot API, the store read back."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.sender import Limits, Sender
from keyboards import announcements as kb
from screens.announcements import message_text
from services.access import load_actor
from services.announcements import service as svc
from storage.models import (
    Announcement,
    AnnouncementReceipt,
    OutboxMessage,
    Person,
    Role,
    utcnow,
)
from tests.botapp import BotApp
from tests.fakebot import ChatMessage, TgUser

Factory = async_sessionmaker[AsyncSession]
FAST = Limits(per_second=30, private_per_second=30)  # the fake does not count here
ACK = "✔ Acknowledge"


async def link_all(app: BotApp, people: Iterable[Person]) -> dict[int, TgUser]:
    """Link each person's Telegram, in English: person id → their user."""
    return {person.id: await app.link(person, language="en") for person in people}


async def drain(app: BotApp) -> int:
    """Send everything queued, as the bot's sender does."""
    return await Sender(app.bot, app.session_factory, limits=FAST).drain_once()


def from_bot(user: TgUser) -> list[ChatMessage]:
    return user.bot_messages


async def announcements(factory: Factory) -> list[Announcement]:
    async with factory() as session:
        return list(await session.scalars(select(Announcement).order_by(Announcement.id)))


async def outbox(factory: Factory) -> list[OutboxMessage]:
    async with factory() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def receipts(factory: Factory, announcement_id: int) -> list[AnnouncementReceipt]:
    async with factory() as session:
        rows = await session.scalars(
            select(AnnouncementReceipt)
            .where(AnnouncementReceipt.announcement_id == announcement_id)
            .order_by(AnnouncementReceipt.person_id)
        )
        return list(rows)


async def publish(
    factory: Factory,
    author: Person,
    role: Role,
    groups: Collection[int],
    kinds: Collection[svc.Kind],
    text: str = "Parents' meeting on Friday at 18:00.",
    *,
    progress: tuple[int, int] = (1, 1),
) -> int:
    """Publish straight through the service (the bot's steps have their own tests)."""
    async with factory.begin() as session:
        author_of = svc.author_of(await load_actor(session, author.id), role)
        announcement = await svc.publish(
            session,
            author_of,
            svc.Audience.of(groups, [k.value for k in kinds]),
            text,
            None,
            utcnow(),
            progress_chat_id=progress[0],
            progress_message_id=progress[1],
            ack_markup=kb.ack_markup,
            message_text=message_text,
            default_locale="en",
        )
        return announcement.id
