"""The store migrates and round-trips the types that differ between backends."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry, Organisation


async def test_datetimes_come_back_aware_utc(session: AsyncSession) -> None:
    org = Organisation(code="c1", name="College")
    session.add(org)
    await session.flush()
    sakhalin = timezone(timedelta(hours=11))
    at = datetime(2026, 11, 29, 9, 0, tzinfo=sakhalin)
    session.add(
        AuditEntry(org_id=org.id, action="create", entity="x", changes={"a": [1, 2]}, at=at)
    )
    await session.commit()
    session.expunge_all()
    entry = (await session.execute(select(AuditEntry))).scalar_one()
    assert entry.at == at
    assert entry.at.tzinfo is not None and entry.at.utcoffset() == timedelta(0)
    assert entry.at.astimezone(UTC).hour == 22
    assert entry.changes == {"a": [1, 2]}


async def test_a_failed_statement_does_not_quote_what_it_was_given(session: AsyncSession) -> None:
    session.add(Organisation(code="c1", name="College"))
    await session.flush()
    session.add(Organisation(code="c1", name="Ivanova Maria Petrovna"))
    with pytest.raises(DBAPIError) as failure:
        await session.flush()  # the code is taken: the error would quote the row
    assert "Ivanova" not in str(failure.value)
