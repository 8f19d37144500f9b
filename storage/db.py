"""Engine, sessions and migrations.

Bound values never reach a log or an error message (``hide_parameters``): they are names,
phones and grades.

SQLite is tuned for a bot that many people tap at once: WAL so readers never wait for the
writer, a busy timeout instead of instant "database is locked", and foreign keys on. Writers
of one process queue at an in-process gate (``WriteGate``) instead of sleeping in SQLite's
busy handler, which polls with growing sleeps and lets a late arrival overtake.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import SQLColumnExpression, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool
from sqlalchemy.util.concurrency import await_only, in_greenlet

from storage.sqlite_driver import BUSY_TIMEOUT_MS, WRITE, OneTripConnection, one_trip_dbapi

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory locks of the bot, each its own key: one held by the elected sender for as
# long as it sends, one taken around migrating (replicas starting at once migrate one by one).
# A shared key would keep a replica starting beside a running sender waiting to migrate forever.
SENDER_LOCK = 0x6A6F75726E616C  # "journal"
MIGRATION_LOCK = 0x6A6F75726E6D67  # "journmg"
SQLITE_CONNECTIONS = 3  # a process's connections to a SQLite store (see create_engine)
BUSY_TIMEOUT = BUSY_TIMEOUT_MS / 1000  # seconds a writer waits, at the gate or in SQLite

T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The journal's driver waits for locks in its thread only (storage/sqlite_driver.py).
    waits = 0 if isinstance(dbapi_connection, OneTripConnection) else BUSY_TIMEOUT_MS
    cursor.execute(f"PRAGMA busy_timeout={waits}")
    cursor.close()


def json_text(value: Any) -> str:
    """JSON as text, by orjson (several times quicker than the standard library); keys that
    are not strings become strings, as the standard library makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_HELD = "write_gate_held"


class WriteGate:
    """SQLite writers of this process take their turn, first come first served.

    SQLite has one writer at a time; the others sleep in its busy handler, polling with sleeps
    growing to 100 ms, so under load a write waits far longer than the writer before it took.
    The gate is an asyncio lock taken just before a connection's first write statement (the
    moment pysqlite opens the write transaction) and released when the connection goes back to
    the pool, after its commit or rollback. Reads never take it. Other processes (the CLI, a
    backup) still meet the busy timeout as before.
    """

    def __init__(self, timeout: float = BUSY_TIMEOUT) -> None:
        self.timeout = timeout
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.waits = 0  # writes that found the gate taken (for the benchmarks)

    def install(self, engine: AsyncEngine) -> None:
        event.listen(engine.sync_engine, "before_cursor_execute", self._before_execute)
        event.listen(engine.sync_engine, "checkin", self._checkin)

    def _current_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:  # a new loop (tests): a fresh lock
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def _acquire(self) -> asyncio.Lock:
        lock = self._current_lock()
        if lock.locked():
            self.waits += 1
        async with asyncio.timeout(self.timeout):
            await lock.acquire()
        return lock

    def _before_execute(
        self, conn: Any, _cursor: Any, statement: str, *_args: Any, **_kwargs: Any
    ) -> None:
        if _HELD in conn.info or not in_greenlet() or not WRITE.match(statement):
            return
        try:
            conn.info[_HELD] = await_only(self._acquire())
        except TimeoutError as exc:
            # What SQLite itself would have said after its busy timeout.
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError(statement, None, locked) from exc

    def _checkin(self, _dbapi_connection: Any, record: Any) -> None:
        lock = record.info.pop(_HELD, None) if record is not None else None
        if lock is not None and lock.locked():
            lock.release()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        if parsed.get_driver_name() == "aiosqlite":
            kwargs.setdefault("module", one_trip_dbapi())
            if "poolclass" not in kwargs:
                # Each aiosqlite connection is a thread of its own. SQLite writes one at a time
                # (the gate below), so more connections than a few only add threads fighting
                # for the interpreter: a burst of 165 /menu cost 3.5 ms of CPU each with the
                # default 15, 2.8 ms with 3 (bench/updates.py).
                kwargs.setdefault("pool_size", SQLITE_CONNECTIONS)
                kwargs.setdefault("max_overflow", 0)
        engine = create_async_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        WriteGate().install(engine)
        return engine
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


def dialect_insert(session: AsyncSession, entity: Any) -> postgresql.Insert | sqlite.Insert:
    """INSERT into ``entity`` in the session's dialect: the generic one knows no ON CONFLICT."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(entity)
    return sqlite.insert(entity)


def not_null(column: SQLColumnExpression[T | None]) -> SQLColumnExpression[T]:
    """A nullable column the query's WHERE or JOIN keeps from being NULL, typed as such (the
    SQL is the same)."""
    return cast(SQLColumnExpression[T], column)


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade(url: str) -> None:
    command.upgrade(alembic_config(url), "head")


async def migrate(url: str) -> None:
    """Create the database if needed and bring it to the newest revision.

    On PostgreSQL several replicas may start at once (a rolling upgrade, a restart of the
    whole region): the first takes an advisory lock and migrates, the others wait for it and
    then find the store at head, so there is nothing left for them to do."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if parsed.get_backend_name() != "postgresql":
        # Alembic's env runs its own event loop for async engines, so keep it off ours.
        await asyncio.to_thread(_upgrade, url)
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as lock:
            await lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                await asyncio.to_thread(_upgrade, url)
            finally:
                await lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
    finally:
        await engine.dispose()


def head_revision() -> str | None:
    """The newest migration this code knows."""
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def store_revision(engine: AsyncEngine) -> str | None:
    """The migration the store is at (None for a store never migrated); raises when the
    store cannot be reached."""
    async with engine.connect() as conn:
        if not await conn.run_sync(lambda c: inspect(c).has_table("alembic_version")):
            return None
        return await conn.scalar(text("SELECT version_num FROM alembic_version"))
