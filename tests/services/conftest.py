"""The college every service test starts from (see tests/factories.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import use_locale
from tests.factories import College, make_college


@pytest.fixture
async def college(session: AsyncSession) -> College:
    return await make_college(session)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English (the msgids), whatever catalogs exist."""
    with use_locale("en"):
        yield
