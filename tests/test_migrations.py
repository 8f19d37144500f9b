"""The migrations build the very schema the models describe: autogenerate finds nothing to do
on a freshly migrated store (SQLite, or PostgreSQL when ``TEST_DATABASE_URL`` names one)."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import alembic_config, create_engine, head_revision, migrate, store_revision
from storage.models import Base
from tests.conftest import PG_URL
from tests.fakebot.process import REPO_ROOT


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_and_models_agree(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == []


async def test_exact_duplicates_stored_before_the_keys_are_removed(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.sqlite3'}"
    await asyncio.to_thread(command.upgrade, alembic_config(url), "0001")
    engine = create_engine(url)
    async with engine.begin() as conn:
        for sql in (
            "INSERT INTO organisations (id, code, name, short_name, region, timezone,"
            " created_at, updated_at) VALUES (1, 'c', 'C', '', '', 'UTC', :t, :t)",
            "INSERT INTO calendar_entries (org_id, kind, name, starts_on, ends_on)"
            " VALUES (1, 'holiday', 'New Year', '2027-01-01', '2027-01-01')",
            "INSERT INTO calendar_entries (org_id, kind, name, starts_on, ends_on)"
            " VALUES (1, 'holiday', 'New Year', '2027-01-01', '2027-01-01')",
            "INSERT INTO positions (id, org_id, code, name, rights, builtin)"
            " VALUES (1, NULL, 'teacher', 'T', '[]', 1), (2, NULL, 'teacher', 'T', '[]', 1)",
        ):
            await conn.execute(text(sql), {"t": "2026-12-01 00:00:00"})
    await engine.dispose()

    await migrate(url)

    engine = create_engine(url)
    async with engine.connect() as conn:
        calendar = (await conn.execute(text("SELECT count(*) FROM calendar_entries"))).scalar()
        positions = (await conn.execute(text("SELECT id FROM positions"))).scalars().all()
        differences = await conn.run_sync(_differences)
    await engine.dispose()
    assert calendar == 1 and positions == [1]
    assert differences == []


@pytest.mark.skipif(not PG_URL, reason="the lock is PostgreSQL's; SQLite has one process")
async def test_replicas_starting_at_once_migrate_one_by_one() -> None:
    """Three replicas of a new version start together on an empty PostgreSQL database (each
    migrates the store on start, as ``run`` does): one migrates while the others wait for it,
    and every one of them succeeds."""
    url = make_url(PG_URL).set(database=f"{make_url(PG_URL).database}_fresh")
    server = create_engine(
        make_url(PG_URL).set(database="postgres").render_as_string(False),
        isolation_level="AUTOCOMMIT",
    )
    async with server.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
    fresh = url.render_as_string(False)
    try:
        env = {**os.environ, "DATABASE_URL": fresh}
        env.pop("BOT_TOKEN", None)
        replicas = [
            await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "migrate", cwd=REPO_ROOT, env=env,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(3)
        ]  # fmt: skip
        for replica in replicas:
            _out, err = await replica.communicate()
            assert replica.returncode == 0, err.decode()
        engine = create_engine(fresh)
        try:
            assert await store_revision(engine) == head_revision()
        finally:
            await engine.dispose()
    finally:
        async with server.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
        await server.dispose()
