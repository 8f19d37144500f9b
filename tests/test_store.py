"""The store migrates and round-trips the types that differ between backends."""

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage import sqlite_driver
from storage.db import BUSY_TIMEOUT, create_engine
from storage.models import AuditEntry, Organisation
from storage.sqlite_driver import interactive_work


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


def _count_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the hand-offs to aiosqlite's thread (one element, so the caller sees it grow)."""
    trips = [0]
    real = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        trips[0] += 1
        return await real(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return trips


async def test_sqlite_reads_run_inline_and_writes_in_one_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows, row counts, new ids and errors come back as before; a read costs no hand-off to
    the thread, a write outside an update one."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one-trip.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        trips = _count_trips(monkeypatch)
        async with engine.begin() as conn:
            before = trips[0]
            inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')"))
            assert inserted.rowcount == 3
            assert trips[0] - before == 1
            before = trips[0]
            rows = (await conn.execute(text("SELECT v FROM t ORDER BY v"))).scalars().all()
            assert rows == ["a", "b", "c"]
            assert trips[0] == before
            changed = await conn.execute(text("UPDATE t SET v = v || '!' WHERE v != 'a'"))
            assert changed.rowcount == 2
            returned = await conn.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id"))
            assert returned.scalar_one() == 4
        async with engine.connect() as conn:  # only reads: commit and return cost no trip
            before = trips[0]
            await conn.execute(text("SELECT count(*) FROM t"))
            await conn.commit()
        assert trips[0] == before
        with pytest.raises(IntegrityError):
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        async with engine.connect() as conn:  # the failed insert was rolled back
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one() == 4
    finally:
        await engine.dispose()


async def test_an_updates_writes_run_inline_and_its_commit_in_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'inline.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
        trips = _count_trips(monkeypatch)
        with interactive_work():
            async with engine.connect() as conn:
                inserted = await conn.execute(text("INSERT INTO t (v) VALUES ('a'), ('b')"))
                assert inserted.rowcount == 2
                returned = await conn.execute(text("INSERT INTO t (v) VALUES ('c') RETURNING id"))
                assert returned.scalar_one() == 3
                assert trips[0] == 0
                await conn.commit()  # a commit may checkpoint the WAL: in the thread
                assert trips[0] == 1
                # Rows by the hundred (an import's flush) are written in the thread.
                many = [{"v": f"bulk-{n}"} for n in range(100)]
                values = ", ".join(f"(:v{n})" for n in range(100))
                bulk = text(f"INSERT INTO t (v) VALUES {values}")
                params = {f"v{n}": row["v"] for n, row in enumerate(many)}
                assert (await conn.execute(bulk, params)).rowcount == 100
                assert trips[0] == 2
                await conn.rollback()
            with pytest.raises(IntegrityError):
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO t (v) VALUES ('x')"))
                    await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        async with engine.connect() as conn:  # the failed transaction left nothing
            values = (await conn.execute(text("SELECT v FROM t ORDER BY v"))).scalars().all()
            assert values == ["a", "b", "c"]
    finally:
        await engine.dispose()


async def test_nothing_on_the_event_loop_waits_in_sqlites_busy_handler(tmp_path: Path) -> None:
    """The busy timeout is 0 for what runs on the event loop, and the full wait in the thread,
    where a statement that met a lock runs again."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'busy-timeout.db'}")
    try:
        async with engine.connect() as conn:
            inline = await conn.scalar(text("SELECT timeout FROM pragma_busy_timeout"))
            in_thread = await conn.scalar(text("PRAGMA busy_timeout"))  # not a SELECT: thread
            again = await conn.scalar(text("SELECT timeout FROM pragma_busy_timeout"))
        assert (inline, in_thread, again) == (0, BUSY_TIMEOUT * 1000, 0)
    finally:
        await engine.dispose()


async def test_a_long_read_goes_to_the_thread_and_still_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's read is interrupted on the event loop past its budget and runs again in the
    thread, with the same answer."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'long.db'}")
    many = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
        "SELECT count(*), sum(i) FROM n"
    )
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        trips = _count_trips(monkeypatch)
        monkeypatch.setattr(sqlite_driver, "INLINE_READ_BUDGET", 0.0)
        async with engine.connect() as conn:
            assert tuple((await conn.execute(many)).one()) == (200000, 200000 * 200001 // 2)
        assert trips[0] == 1
    finally:
        await engine.dispose()


async def test_a_write_behind_another_processs_lock_waits_in_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process (here another connection) holds the write lock: the update's write
    does not wait on the event loop, which keeps serving, and lands once the lock is free."""
    path = tmp_path / "busy.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
        trips = _count_trips(monkeypatch)
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO t (v) VALUES ('theirs')")

        async def write() -> None:
            with interactive_work():
                async with engine.begin() as conn:
                    await conn.execute(text("INSERT INTO t (v) VALUES ('ours')"))

        started = time.monotonic()
        writing = asyncio.create_task(write())
        while trips[0] == 0:  # the write went to the thread: the loop still runs this
            assert not writing.done(), writing
            await asyncio.sleep(0)
        # Not a speed figure: on the loop, the write would have slept SQLite's whole busy
        # timeout before giving up.
        assert time.monotonic() - started < BUSY_TIMEOUT / 2
        other.execute("COMMIT")
        await writing
        async with engine.connect() as conn:
            values = (await conn.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
        assert values == ["theirs", "ours"]
    finally:
        other.close()
        await engine.dispose()
