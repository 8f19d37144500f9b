"""Queries of the daily clean-up: what is no longer needed, removed in bulk."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    ConversationState,
    Event,
    InviteAttempt,
    Membership,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
    Person,
    TelegramAccount,
)

DONE = (OutboxStatus.SENT, OutboxStatus.FAILED, OutboxStatus.MERGED)


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def drop_delivered(session: AsyncSession, before: datetime) -> int:
    """Outbox messages sent (or given up) before ``before``."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(DONE),
            func.coalesce(OutboxMessage.sent_at, OutboxMessage.created_at) < before,
        )
    )
    return _count(result)


async def drop_processed_events(session: AsyncSession, before: datetime) -> int:
    """Journal events (with their payloads) the notifier processed before ``before``."""
    result = await session.execute(delete(Event).where(Event.processed_at < before))
    return _count(result)


async def drop_drafts(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(
        delete(ConversationState).where(ConversationState.updated_at < before)
    )
    return _count(result)


async def drop_invite_attempts(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(InviteAttempt).where(InviteAttempt.at < before))
    return _count(result)


async def leavers(session: AsyncSession, ended_before: date) -> Sequence[Person]:
    """People with no active role whose last role ended before ``ended_before``, with
    personal data still on file."""
    active = select(Membership.person_id).where(Membership.active.is_(True))
    last_end = (
        select(Membership.person_id)
        .group_by(Membership.person_id)
        .having(func.max(func.coalesce(Membership.until, ended_before)) < ended_before)
    )
    rows = await session.scalars(
        select(Person).where(
            Person.id.not_in(active),
            Person.id.in_(last_end),
            (Person.phone != "") | (Person.email != "") | Person.birth_date.is_not(None),
        )
    )
    return rows.all()


async def forget_person(session: AsyncSession, person_id: int) -> None:
    await session.execute(
        update(Person).where(Person.id == person_id).values(phone="", email="", birth_date=None)
    )
    await session.execute(delete(TelegramAccount).where(TelegramAccount.person_id == person_id))
    await session.execute(
        delete(NotificationPreference).where(NotificationPreference.person_id == person_id)
    )
