"""MAX's message ids (strings) and the integers the handlers know them by; the files people
sent in MAX, by their token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import dialect_insert
from storage.models import MaxFile, MaxMessage


async def number_for(session: AsyncSession, mid: str, chat_id: int) -> int:
    """The message's number, given the first time it is asked for (by any process)."""
    found = await session.scalar(select(MaxMessage.id).where(MaxMessage.mid == mid))
    if found is not None:
        return found
    insert = dialect_insert(session, MaxMessage)
    await session.execute(insert.values(mid=mid, chat_id=chat_id).on_conflict_do_nothing())
    number = await session.scalar(select(MaxMessage.id).where(MaxMessage.mid == mid))
    assert number is not None
    return number


async def mid_of(session: AsyncSession, number: int) -> str | None:
    return await session.scalar(select(MaxMessage.mid).where(MaxMessage.id == number))


async def forget_before(session: AsyncSession, when: datetime) -> int:
    """MAX lets a bot edit its messages for a day or two; older numbers are not needed."""
    result = await session.execute(delete(MaxMessage).where(MaxMessage.created_at < when))
    return int(getattr(result, "rowcount", 0) or 0)


async def remember_file(session: AsyncSession, token: str, url: str, name: str) -> None:
    insert = dialect_insert(session, MaxFile)
    await session.execute(
        insert.values(token=token, url=url, name=name[:255]).on_conflict_do_nothing()
    )


async def file_of(session: AsyncSession, token: str) -> MaxFile | None:
    return await session.scalar(select(MaxFile).where(MaxFile.token == token))
