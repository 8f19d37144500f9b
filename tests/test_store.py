"""The store migrates and round-trips the types that differ between backends."""

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
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
