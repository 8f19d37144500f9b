"""The store migrates and round-trips the types that differ between backends."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import create_engine
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


async def test_sqlite_statements_go_to_the_driver_thread_once_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows, row counts, new ids and errors come back as before, one hand-off a statement."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-trip.db'}")
    trips = 0
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await real(self, fn, *args, **kwargs)

    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        async with engine.begin() as conn:
            before = trips
            inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')"))
            assert inserted.rowcount == 3
            assert trips - before == 1
            before = trips
            rows = (await conn.execute(text("SELECT v FROM t ORDER BY v"))).scalars().all()
            assert rows == ["a", "b", "c"]
            assert trips - before == 1
            changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE v != 'a'"))
            assert changed.rowcount == 2
            returned = await conn.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id"))
            assert returned.scalar_one() == 4
        async with engine.connect() as conn:  # only reads: commit and return cost no trip
            await conn.execute(text("SELECT count(*) FROM t"))
            before = trips
            await conn.commit()
        assert trips == before
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        async with engine.connect() as conn:  # the failed insert was rolled back
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 4
    finally:
        await engine.dispose()
