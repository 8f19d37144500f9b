"""The college every service test starts from (see tests/factories.py)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import College, make_college


@pytest.fixture
async def college(session: AsyncSession) -> College:
    return await make_college(session)
