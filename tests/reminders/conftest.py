"""Reminder tests start from the test college (tests/factories.py: today is Tuesday
17 November 2026), committed, with English-speaking staff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.i18n import use_locale
from tests.factories import College, make_college


@pytest.fixture
async def college(session_factory: async_sessionmaker[AsyncSession]) -> College:
    async with session_factory() as session:
        return await make_college(session)


@pytest.fixture
def settings() -> Settings:
    return Settings(bot_token=None, default_locale="en")


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with use_locale("en"):
        yield
