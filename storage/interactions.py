"""When a person last talked with the bot, for a sender in another process (PostgreSQL).

Times are the store's own clock (``clock_timestamp()``), written and compared there, so the
clocks of the replicas never enter into it.
"""

from __future__ import annotations

from sqlalchemy import delete, exists, func, literal, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.models import ChatInteraction, OutboxMessage, OutboxStatus


async def note_interaction(conn: AsyncConnection, chat_id: int) -> None:
    """Record that ``chat_id`` spoke now, if a message waits for it in the outbox; otherwise
    write nothing (the common case costs one indexed read). PostgreSQL only."""
    waiting = exists().where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.status == OutboxStatus.PENDING
    )
    now = func.clock_timestamp()
    rows = select(literal(chat_id), now).where(waiting)
    insert = postgresql.insert(ChatInteraction).from_select(["chat_id", "at"], rows)
    await conn.execute(
        insert.on_conflict_do_update(index_elements=["chat_id"], set_={"at": insert.excluded.at})
    )


async def seconds_since_interaction(session: AsyncSession, chat_id: int) -> float | None:
    """How long ago ``chat_id`` last spoke, by the store's clock; None if not recorded."""
    since = func.extract("epoch", func.clock_timestamp() - ChatInteraction.at)
    value = await session.scalar(select(since).where(ChatInteraction.chat_id == chat_id))
    return None if value is None else float(value)


async def forget_interactions(session: AsyncSession, older_than: float) -> int:
    """Drop what is more than ``older_than`` seconds old: it no longer holds anything back."""
    cutoff = func.clock_timestamp() - func.make_interval(0, 0, 0, 0, 0, 0, older_than)
    result = await session.execute(delete(ChatInteraction).where(ChatInteraction.at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
