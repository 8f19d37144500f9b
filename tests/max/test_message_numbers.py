"""MAX's message ids and their numbers in the store: one number per message whoever asks,
forgotten after a week by the housekeeping job."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import forget_old_updates
from storage import max_messages
from storage.models import MaxMessage, utcnow


async def test_a_message_has_one_number_and_old_ones_are_forgotten(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    async with session_factory.begin() as session:
        first = await max_messages.number_for(session, "mid.a", 1)
    async with session_factory.begin() as session:
        assert await max_messages.number_for(session, "mid.a", 1) == first
        second = await max_messages.number_for(session, "mid.b", 1)
        assert second != first
        assert await max_messages.mid_of(session, second) == "mid.b"
        old = await session.get(MaxMessage, first)
        assert old is not None
        old.created_at = utcnow() - timedelta(days=8)

    await forget_old_updates(session_factory)

    async with session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(MaxMessage)) == 1
        assert await max_messages.mid_of(session, first) is None
