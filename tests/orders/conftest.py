"""Order tests start from the test college (tests/factories.py) with a secretary, on
17 November 2026 at noon, college time."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import Organisation, Person, Role
from tests.factories import College, add_member, add_person


@pytest.fixture
async def secretary(session_factory: async_sessionmaker[AsyncSession], college: College) -> Person:
    async with session_factory.begin() as session:
        org = await session.get(Organisation, college.org.id)
        assert org is not None
        person = await add_person(session, org, "Соколова", "Дарья", "Игоревна")
        await add_member(session, person, Role.SECRETARY)
    return person
