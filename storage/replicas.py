"""What lets several processes share one store (docs/replicas.md): each process's name, the
election of the one sender of the deployment, and one run of a scheduled job per due time."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import SENDER_LOCK, dialect_insert
from storage.models import JobRun, utcnow


def replica_name() -> str:
    """This process among the replicas, as the store records it (host and process id)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}"


class Election:
    """One sender for the whole deployment on PostgreSQL: the process holding a session-level
    advisory lock on a connection of its own. PostgreSQL releases the lock when that
    connection dies (the process was killed, the machine went away), and a standby that asks
    again wins it."""

    def __init__(self, engine: AsyncEngine, key: int = SENDER_LOCK) -> None:
        self.engine = engine
        self.key = key
        self._connection: AsyncConnection | None = None

    @staticmethod
    def needed(engine: AsyncEngine) -> bool:
        """SQLite serves one process by design: nobody to elect."""
        return engine.dialect.name == "postgresql"

    async def try_win(self) -> bool:
        try:
            if self._connection is None:
                self._connection = await self.engine.connect()
            won = await self._connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
            )
            await self._connection.commit()  # no idle transaction; the session lock stays
            return bool(won)
        except Exception:
            await self._drop()
            raise

    async def still_won(self) -> bool:
        """False once the lock's connection is gone (then so is the lock)."""
        if self._connection is None:
            return False
        try:
            held = await self._connection.scalar(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND pid = pg_backend_pid() AND classid::bigint = :high"
                    " AND objid::bigint = :low"
                ),
                {"high": self.key >> 32, "low": self.key & 0xFFFFFFFF},
            )
            await self._connection.commit()
            return bool(held)
        except Exception:
            await self._drop()
            return False

    async def resign(self) -> None:
        if self._connection is not None:
            try:
                await self._connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": self.key}
                )
                await self._connection.commit()
            finally:
                await self._drop()

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.invalidate()  # never back to the pool with a lock on it
            finally:
                await connection.close()


async def run_once(
    session_factory: async_sessionmaker[AsyncSession], job: str, due_at: datetime, runner: str
) -> bool:
    """Record that ``runner`` runs ``job`` for ``due_at``; False when another process already
    did (the row exists): then this one skips the run."""
    async with session_factory.begin() as session:
        result = await session.execute(
            dialect_insert(session, JobRun)
            .values(job=job, due_at=due_at, runner=runner, started_at=utcnow())
            .on_conflict_do_nothing(index_elements=["job", "due_at"])
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


async def forget_job_runs_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(JobRun).where(JobRun.started_at < before))
