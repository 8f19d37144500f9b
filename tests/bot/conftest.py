"""Bot-level tests start from the test college (tests/factories.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import College, make_college


@pytest.fixture
async def college(session_factory: async_sessionmaker[AsyncSession]) -> College:
    async with session_factory() as session:
        made = await make_college(session)
        await session.commit()
        return made
