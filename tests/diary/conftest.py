"""The test college (tests/factories.py), committed, for service and bot tests alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import use_locale
from tests.factories import College, make_college


@pytest.fixture
async def college(session_factory: async_sessionmaker[AsyncSession]) -> College:
    async with session_factory() as session:
        return await make_college(session)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service-level texts are asserted in English (the msgids)."""
    with use_locale("en"):
        yield
