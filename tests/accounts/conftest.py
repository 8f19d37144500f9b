from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.accounts.kit import OfficeCollege, make_office_college


@pytest.fixture
async def college(session_factory: async_sessionmaker[AsyncSession]) -> OfficeCollege:
    async with session_factory() as session:
        return await make_office_college(session)
