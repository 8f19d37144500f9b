"""Shared fixtures: a migrated store per test, on SQLite by default or on PostgreSQL when
``TEST_DATABASE_URL`` names one (``.ci/run`` does both).

Tests run in parallel (pytest-xdist): each worker has its own temporary SQLite files, and on
PostgreSQL its own database, ``<name>_gw0``, ``<name>_gw1``…, created next to the one named.
"""

from __future__ import annotations

# isort: off
import bot as _product  # noqa: F401  (first: Telegram's types built on first use, as in the product)
# isort: on

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from core.config import Settings
from core.i18n import create_i18n, use_locale
from storage.db import create_engine, create_session_factory, migrate
from storage.models import Base
from tests.botapp import BotApp, start_app
from tests.factories import College, make_college
from tests.fakebot import FakeBotAPI


def _worker_database(url: str) -> str:
    """The database of this xdist worker (the one named when tests run in one process)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(False)


PG_URL = _worker_database(os.environ.get("TEST_DATABASE_URL", ""))


async def _create_database(url: str) -> None:
    name = make_url(url).database
    server = make_url(os.environ["TEST_DATABASE_URL"])
    engine = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not found:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _i18n() -> None:
    create_i18n("ru")


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Migrate once per run; each test gets a copy (SQLite) or truncated tables (PostgreSQL)."""
    import asyncio

    if PG_URL:

        async def reset() -> None:
            if PG_URL != os.environ["TEST_DATABASE_URL"]:
                await _create_database(PG_URL)
            engine = create_engine(PG_URL)
            async with engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
            await engine.dispose()
            await migrate(PG_URL)

        asyncio.run(reset())
        return PG_URL
    path = tmp_path_factory.mktemp("template") / "journal.sqlite3"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
    return str(path)


@pytest.fixture
async def db_url(_template_db: str, tmp_path: Path) -> AsyncIterator[str]:
    if PG_URL:
        # DELETE is ~20x faster than TRUNCATE on tables this small; ids are never assumed.
        engine = create_engine(PG_URL)
        async with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                await conn.execute(table.delete())
        await engine.dispose()
        yield PG_URL
        return
    path = tmp_path / "journal.sqlite3"
    shutil.copyfile(_template_db, path)
    yield f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def app(
    fake_api: FakeBotAPI, session_factory: async_sessionmaker[AsyncSession], db_url: str
) -> BotApp:
    return await start_app(fake_api, session_factory, db_url)


@pytest.fixture
async def college(session_factory: async_sessionmaker[AsyncSession]) -> College:
    """The test college of tests/factories.py, committed (its objects are detached)."""
    async with session_factory() as session:
        made = await make_college(session)
        await session.commit()
        return made


@pytest.fixture
def settings() -> Settings:
    return Settings(bot_token=None, default_locale="en")


@pytest.fixture
def english() -> Iterator[None]:
    """Texts asserted in English (the msgids); folders that want it ask for it autouse."""
    with use_locale("en"):
        yield
