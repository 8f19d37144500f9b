"""Helpers of the reminder tests: linked accounts, the clock, the outbox read back."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import count

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import scan_reminders
from core.config import Settings
from services.reminders.scan import ScanMemo
from storage.models import OutboxMessage, Person, SentReminder, TelegramAccount
from tests.factories import SAKHALIN, local_dt

_chats = count(8_000_001)
Factory = async_sessionmaker[AsyncSession]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """College time (Asia/Sakhalin) as the aware UTC datetime the store keeps."""
    return local_dt(day, time(hour, minute), SAKHALIN)


async def link(factory: Factory, person: Person, *, language: str | None = "en") -> int:
    """Give the person an active Telegram account; returns its chat id."""
    chat = next(_chats)
    async with factory.begin() as session:
        session.add(
            TelegramAccount(
                telegram_user_id=chat, chat_id=chat, person_id=person.id, language=language
            )
        )
    return chat


async def scan(
    factory: Factory, settings: Settings, now: datetime, memo: ScanMemo | None = None
) -> int:
    """One scan at ``now``; returns the number of messages queued."""
    return (await scan_reminders(factory, settings, now=now, memo=memo)).queued


async def messages(factory: Factory, chat_id: int | None = None) -> list[OutboxMessage]:
    async with factory() as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if chat_id is not None:
            query = query.where(OutboxMessage.chat_id == chat_id)
        return list(await session.scalars(query))


async def reminder_keys(factory: Factory) -> list[str]:
    async with factory() as session:
        return sorted(await session.scalars(select(SentReminder.key)))


def callbacks(message: OutboxMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def labels(message: OutboxMessage) -> list[str]:
    markup = message.reply_markup or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
