"""Announcement tests start from the test college (tests/factories.py), committed, plus an
administrator, whom the factory college does not have; they read English."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from core.i18n import use_locale
from storage.models import Person, Role
from tests.factories import College, add_member, add_person


@pytest.fixture
async def admin(session_factory: async_sessionmaker[AsyncSession], college: College) -> Person:
    async with session_factory.begin() as session:
        person = await add_person(session, college.org, "Соколова", "Вера", "Андреевна")
        await add_member(session, person, Role.ADMIN)
    return person


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Service-level messages in English, as the test users read them."""
    with use_locale("en"):
        yield
