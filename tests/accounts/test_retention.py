"""The daily clean-up removes what the journal no longer needs, and nothing else."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.config import Retention
from services import retention
from storage.models import (
    ConversationState,
    Event,
    InviteAttempt,
    Membership,
    OutboxMessage,
    OutboxStatus,
    Person,
    TelegramAccount,
)
from tests.accounts.kit import OfficeCollege


async def _count(factory: async_sessionmaker[AsyncSession], table: type) -> int:
    async with factory() as session:
        return await session.scalar(select(func.count()).select_from(table)) or 0


async def test_old_delivered_texts_drafts_and_attempts_go_fresh_ones_stay(
    session_factory: async_sessionmaker[AsyncSession], college: OfficeCollege
) -> None:
    now = college.now
    old, fresh = now - timedelta(days=40), now - timedelta(days=1)
    async with session_factory.begin() as session:
        for n, (status, at) in enumerate(
            [
                (OutboxStatus.SENT, old),
                (OutboxStatus.SENT, fresh),
                (OutboxStatus.PENDING, old),  # not delivered yet: kept
                (OutboxStatus.FAILED, old),
            ]
        ):
            session.add(
                OutboxMessage(
                    dedup_key=f"k{n}",
                    chat_id=1,
                    kind="grade",
                    text="Алексеев: 5",
                    status=status,
                    created_at=at,
                    sent_at=at if status is OutboxStatus.SENT else None,
                )
            )
        for at in (old, fresh):
            session.add(
                Event(
                    org_id=college.org.id, kind="grade", subject="g", created_at=at, processed_at=at
                )
            )
        session.add(Event(org_id=college.org.id, kind="grade", subject="g", created_at=old))
        session.add(ConversationState(key="old", state="x", updated_at=old))
        session.add(ConversationState(key="new", state="x", updated_at=fresh))
        session.add(InviteAttempt(telegram_user_id=1, at=old))
        session.add(InviteAttempt(telegram_user_id=1, at=fresh))

    async with session_factory.begin() as session:
        swept = await retention.sweep(session, Retention(), now=now, today=college.today)
    assert (swept.messages, swept.events, swept.drafts, swept.attempts) == (2, 1, 1, 1)
    assert await _count(session_factory, OutboxMessage) == 2
    assert await _count(session_factory, Event) == 2
    assert await _count(session_factory, ConversationState) == 1
    assert await _count(session_factory, InviteAttempt) == 1


async def test_leavers_personal_data_is_kept_or_erased_as_the_college_says(
    session_factory: async_sessionmaker[AsyncSession], college: OfficeCollege
) -> None:
    async with session_factory.begin() as session:
        person = await session.get(Person, college.deputy.id)
        assert person is not None
        person.phone, person.email = "+7 914 000-00-00", "deputy@college.example"
        membership = await session.scalar(
            select(Membership).where(Membership.person_id == person.id)
        )
        assert membership is not None
        membership.active, membership.until = False, college.today - timedelta(days=400)
        session.add(TelegramAccount(telegram_user_id=9, chat_id=9, person_id=person.id))

    async with session_factory.begin() as session:
        kept = await retention.sweep(
            session, Retention(leavers="keep"), now=college.now, today=college.today
        )
    assert kept.people_erased == 0
    async with session_factory.begin() as session:
        erased = await retention.sweep(
            session, Retention(leavers="erase"), now=college.now, today=college.today
        )
    assert erased.people_erased == 1
    async with session_factory() as session:
        person = await session.get(Person, college.deputy.id)
        assert person is not None
        assert (person.phone, person.email, person.last_name) == ("", "", "Волков")
        assert await session.scalar(select(func.count()).select_from(TelegramAccount)) == 0
        teacher = await session.get(Person, college.teacher.id)
        assert teacher is not None  # still working: untouched
