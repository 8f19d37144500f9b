"""Queries about colleges (organisations)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Organisation


async def pick(session: AsyncSession, code: str | None) -> Organisation | None:
    """The college with ``code``; without a code, the only college in the store (or None)."""
    if code:
        return await session.scalar(select(Organisation).where(Organisation.code == code))
    found = (await session.scalars(select(Organisation).limit(2))).all()
    return found[0] if len(found) == 1 else None
