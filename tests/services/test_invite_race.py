"""Two Telegram accounts open the same personal link at the same moment: the code is claimed by
one conditional update, so exactly one of them is linked, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.people import invites
from storage.models import Person, TelegramAccount, utcnow
from tests.factories import College

ROUNDS = 5


async def _press(
    factory: async_sessionmaker[AsyncSession], code: str, user_id: int
) -> invites.Outcome:
    async with factory() as session:
        result = await invites.redeem(
            session,
            code,
            telegram_user_id=user_id,
            chat_id=user_id,
            username="",
            language=None,
            now=utcnow(),
            attempts_per_hour=5,
        )
        await session.commit()
        return result.outcome


async def test_concurrent_presses_link_exactly_one_account(
    session_factory: async_sessionmaker[AsyncSession], college: College
) -> None:
    people = [college.teacher, college.deputy, college.curator, college.director]
    people.append(college.other_teacher)
    for n, person in enumerate(people[:ROUNDS]):
        async with session_factory.begin() as session:
            loaded = await session.get(Person, person.id)
            assert loaded is not None
            [issued] = await invites.issue(session, [loaded], now=utcnow(), ttl=timedelta(days=1))
        first, second = 7_000_000 + 2 * n, 7_000_001 + 2 * n
        outcomes = await asyncio.gather(
            _press(session_factory, issued.code, first),
            _press(session_factory, issued.code, second),
        )
        assert sorted(o.value for o in outcomes) == ["linked", "used"]
        async with session_factory() as session:
            linked = list(
                await session.scalars(
                    select(TelegramAccount).where(
                        TelegramAccount.telegram_user_id.in_([first, second])
                    )
                )
            )
        assert [a.person_id for a in linked] == [person.id]
