"""End to end: several real ``journal-bot run`` processes on one store (docs/replicas.md).

Messages queued while three processes run go out once each; the sending process killed with
SIGKILL mid-send loses nothing, and the messages it had in flight at the kill are the only
ones that may go out twice; a scheduled job due once runs in one process. The fake Bot API
hands each update to one of the polling processes, as a load balancer would.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import create_engine, create_session_factory
from storage.models import JobRun, OutboxMessage, OutboxStatus
from tests.fakebot import FakeBotAPI
from tests.fakebot.process import BotProcess

pytestmark = pytest.mark.e2e

Factory = async_sessionmaker[AsyncSession]
PG_ONLY = "several senders on one store is PostgreSQL's scenario (set TEST_DATABASE_URL)"
SETTLE = 120.0  # bounds a failure only: the tests wait on events
START = 300.0  # so does this: several processes importing at once on a busy machine are slow


def on_postgresql(url: str) -> bool:
    return url.startswith("postgresql")


def environment(db_url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "POLLING_TIMEOUT": "1",  # each process asks every second: the waits below look as often
        "NOTIFICATIONS__LEASE_SECONDS": "3",
        "NOTIFICATIONS__ELECTION_SECONDS": "1",
    }


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Factory]:
    engine = create_engine(db_url)
    yield create_session_factory(engine)
    await engine.dispose()


@contextlib.asynccontextmanager
async def processes(api: FakeBotAPI, db_url: str, n: int) -> AsyncIterator[list[BotProcess]]:
    async with contextlib.AsyncExitStack() as stack:
        started = []
        for _ in range(n):  # one after another: each is polling when the next starts
            started.append(
                await stack.enter_async_context(
                    BotProcess(api, env=environment(db_url), start_timeout=START)
                )
            )
        yield started


async def queue_messages(store: Factory, chats: int, each: int) -> int:
    now = datetime.now(UTC)
    async with store.begin() as session:
        for n in range(chats * each):
            chat = 9_100_001 + n % chats
            session.add(
                OutboxMessage(
                    dedup_key=f"replicas:{n}",
                    chat_id=chat,
                    kind="announcement",
                    text=f"Message {n} to {chat}",
                    not_before=now,
                    created_at=now,
                )
            )
    return chats * each


async def until(api: FakeBotAPI, check: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait until ``check`` holds, looking again at each request of the bots (they poll every
    second, so it is looked at that often); at most ``SETTLE`` seconds in all."""
    deadline = asyncio.get_running_loop().time() + SETTLE
    while not await check():
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            raise AssertionError(f"not within {SETTLE} s: {what}")
        await api.wait_until(more_requests(api), within=left, what=what)


def more_requests(api: FakeBotAPI) -> Callable[[], bool]:
    seen = len(api.requests)
    return lambda: len(api.requests) > seen


async def count(store: Factory, *where: ColumnElement[bool]) -> int:
    async with store() as session:
        query = select(func.count()).select_from(OutboxMessage).where(*where)
        return int(await session.scalar(query) or 0)


async def holders(store: Factory) -> set[str]:
    async with store() as session:
        rows = await session.scalars(
            select(OutboxMessage.claimed_by).where(OutboxMessage.claimed_by.is_not(None)).distinct()
        )
        return {h for h in rows if h}


def all_sent(store: Factory, total: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return await count(store, OutboxMessage.status == OutboxStatus.SENT) == total

    return check


async def test_three_processes_send_each_queued_message_once(db_url: str, store: Factory) -> None:
    if not on_postgresql(db_url):
        pytest.skip(PG_ONLY)
    async with (
        FakeBotAPI(strict_chats=False, shared_polling=True) as api,
        processes(api, db_url, 3),
    ):
        total = await queue_messages(store, chats=12, each=2)
        await until(api, all_sent(store, total), f"{total} messages sent")

    sent = api.sent_counts()
    assert len(sent) == total and api.doubled == 0, sent.most_common(3)
    assert len(await holders(store)) == 1  # one process is the deployment's sender


async def test_the_sender_killed_mid_send_loses_nothing(db_url: str, store: Factory) -> None:
    if not on_postgresql(db_url):
        pytest.skip(PG_ONLY)
    chats = 4
    async with (
        FakeBotAPI(strict_chats=False, shared_polling=True) as api,
        processes(api, db_url, 3) as running,
    ):
        # One a second to a chat: ten each to four chats take about ten seconds to send.
        total = await queue_messages(store, chats=chats, each=10)
        await api.wait_until(lambda: api.sent_counts().total() >= 8, within=SETTLE, what="sends")
        (sender,) = await holders(store)
        victim = next(p for p in running if p.process and sender.endswith(f":{p.process.pid}"))
        assert victim.process is not None
        victim.process.kill()
        await victim.process.wait()
        # Taken by the dead process and not marked: the only messages that may go twice.
        in_flight = await count(
            store,
            OutboxMessage.claimed_by == sender,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        await until(api, all_sent(store, total), f"{total} messages sent after the kill")

    sent = api.sent_counts()
    assert len(sent) == total, "every message reached its chat"
    # At most one message a chat was between Telegram and the store when the process died.
    assert api.doubled <= min(in_flight, chats), (api.doubled, in_flight)
    assert sent.total() == total + api.doubled
    assert len(await holders(store)) == 2  # a standby took over
    assert victim.returncode == -9


async def test_a_job_due_once_runs_in_one_of_two_processes(db_url: str, store: Factory) -> None:
    """The digests, reminders and orders jobs run at start-up: the second process to start
    finds each already run for that due time, unless a due time began in between."""
    jobs = ("digests", "reminders", "movement-orders")
    async with (
        FakeBotAPI(strict_chats=False, shared_polling=True) as api,
        processes(api, db_url, 2) as running,
    ):

        async def both_looked() -> bool:
            return all(
                all(re.search(rf"job {job} due .*: ", p.stderr) for job in jobs) for p in running
            )

        try:
            await until(api, both_looked, "both processes at their start-up jobs")
        except AssertionError as exc:
            tails = "\n---\n".join(p.stderr[-1500:] for p in running)  # what each printed last
            raise AssertionError(f"{exc}\n{tails}") from None

    runs: dict[tuple[str, str], list[int]] = {}
    for n, proc in enumerate(running):
        for job, due in re.findall(r"job (\S+) due (\S+ \S+): runs here", proc.stderr):
            runs.setdefault((job, due), []).append(n)
    assert all(len(who) == 1 for who in runs.values()), runs
    async with store() as session:
        rows = (await session.scalars(select(JobRun).where(JobRun.job.in_(jobs)))).all()
    assert {(r.job, f"{r.due_at:%Y-%m-%d %H:%M:%S}Z") for r in rows} == set(runs)
    skipped = sum(p.stderr.count("run by another process") for p in running)
    assert skipped + len(runs) >= 2 * len(jobs)  # each looked at each job


async def test_two_processes_on_sqlite_send_each_message_once(db_url: str, store: Factory) -> None:
    """SQLite serves one process by design, but a second one started by mistake (or during an
    upgrade) must not send anything twice: the lease does it, without an election."""
    if on_postgresql(db_url):
        pytest.skip("SQLite's case; PostgreSQL's is the three processes above")
    async with (
        FakeBotAPI(strict_chats=False, shared_polling=True) as api,
        processes(api, db_url, 2),
    ):
        total = await queue_messages(store, chats=20, each=1)
        await until(api, all_sent(store, total), f"{total} messages sent")

    assert len(api.sent_counts()) == total and api.doubled == 0
