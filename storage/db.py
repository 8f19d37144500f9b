"""Engine, sessions and migrations.

Bound values never reach a log or an error message (``hide_parameters``): they are names,
phones and grades.

SQLite is tuned for a bot that many people tap at once: WAL so readers never wait for the
writer, a busy timeout instead of instant "database is locked", and foreign keys on.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, TypeVar, cast

import orjson
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import SQLColumnExpression, event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory lock taken around migrating: replicas starting at once migrate one by one.
# Not the sender's lock (storage/replicas.py), which its holder keeps while it runs.
MIGRATION_LOCK = 0x6D696772617465  # "migrate"

T = TypeVar("T")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def json_text(value: Any) -> str:
    """JSON as text, by orjson (several times quicker than the standard library); keys that
    are not strings become strings, as the standard library makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    kwargs.setdefault("json_serializer", json_text)
    kwargs.setdefault("json_deserializer", orjson.loads)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, hide_parameters=True, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
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
