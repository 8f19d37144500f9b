"""Curator tests start from the test college (tests/factories.py), committed, in English,
with a curator of the other group and helpers to mark absences."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.curator.kit import CuratorCollege, make_curator_college


@pytest.fixture
async def college(session_factory: async_sessionmaker[AsyncSession]) -> CuratorCollege:
    async with session_factory() as session:
        return await make_curator_college(session)


@pytest.fixture(autouse=True)
def _english(english: None) -> None:
    """Service-level texts are asserted in English (the msgids)."""
