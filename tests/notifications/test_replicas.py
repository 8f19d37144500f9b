"""Several processes on one store (docs/replicas.md): outbox messages are taken with a lease,
each scheduled job runs once per due time, and on PostgreSQL one process is the sender.

Each "process" here is a sender or a job with its own engine (its own connections), so the
store sees them as it sees replicas. The real processes are in tests/e2e/test_replicas_e2e.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import due_time, once_per_due_time
from handlers.sender import Limits, Sender
from storage import outbox
from storage.db import create_engine, create_session_factory, migrate
from storage.models import JobRun, OutboxMessage, OutboxStatus
from storage.replicas import Election, run_once
from tests.fakebot import FakeBotAPI
from tests.notifications.test_delivery import FAST, NOW, queue

Factory = async_sessionmaker[AsyncSession]
LEASE = timedelta(seconds=60)


@pytest.fixture
async def other(db_url: str) -> AsyncIterator[Factory]:
    """A second process's sessions: the same store through an engine of its own."""
    engine = create_engine(db_url)
    yield create_session_factory(engine)
    await engine.dispose()


def on_postgresql(factory: Factory) -> bool:
    return factory.kw["bind"].dialect.name == "postgresql"


async def take(factory: Factory, holder: str, now: datetime = NOW, limit: int = 100) -> set[int]:
    async with factory.begin() as session:
        return {m.id for m in await outbox.claim_due(session, now, limit, holder, LEASE)}


async def stored(factory: Factory, message_id: int) -> OutboxMessage:
    async with factory() as session:
        message = await session.get(OutboxMessage, message_id)
        assert message is not None
        return message


async def test_a_message_taken_by_one_sender_is_not_taken_by_another(
    session_factory: Factory, other: Factory
) -> None:
    ids = {await queue(session_factory, 8_000_001 + n, f"m{n}") for n in range(6)}
    later = await queue(session_factory, 8_000_009, "later", not_before=NOW + timedelta(hours=1))

    first = await take(session_factory, "a:1", limit=4)
    second = await take(other, "b:2")

    assert len(first) == 4 and first | second == ids and not first & second
    assert await take(session_factory, "a:1") == set()  # nothing left, the later one not due
    message = await stored(session_factory, min(first))
    assert (message.claimed_by, message.claimed_until) == ("a:1", NOW + LEASE)
    assert (await stored(session_factory, later)).claimed_by is None


async def test_senders_taking_at_the_same_moment_never_share_a_message(
    session_factory: Factory, other: Factory, db_url: str
) -> None:
    ids = {await queue(session_factory, 8_000_001 + n % 7, f"m{n}") for n in range(60)}
    engine = create_engine(db_url)
    third = create_session_factory(engine)
    try:
        taken = await asyncio.gather(
            *(take(f, f"p:{n}", limit=7) for n in range(3) for f in (session_factory, other, third))
        )
    finally:
        await engine.dispose()
    together = [i for batch in taken for i in batch]
    assert len(together) == len(set(together))  # nobody got a message another got
    # On SQLite a taker may get fewer than asked (rows taken meanwhile stay the other's):
    # the rest is there for the next look.
    rest = await take(other, "p:9")
    assert set(together) | rest == ids and not set(together) & rest


async def test_a_lease_run_out_is_taken_again_and_the_old_holder_cannot_mark_it(
    session_factory: Factory, other: Factory
) -> None:
    message_id = await queue(session_factory, 8_000_001, "hello")
    assert await take(session_factory, "dead:1") == {message_id}
    # Its holder died: before the lease runs out nobody takes it, after it another does.
    assert await take(other, "b:2", NOW + LEASE - timedelta(seconds=1)) == set()
    assert await take(other, "b:2", NOW + LEASE) == {message_id}

    async with session_factory.begin() as session:
        assert not await outbox.mark_sent(session, message_id, NOW, 7, holder="dead:1")
        assert not await outbox.mark_failed(session, message_id, "late", holder="dead:1")
    async with other.begin() as session:
        assert await outbox.mark_sent(session, message_id, NOW + LEASE, 8, holder="b:2")
    message = await stored(session_factory, message_id)
    assert (message.status, message.telegram_message_id) == (OutboxStatus.SENT, 8)


async def test_a_renewed_lease_keeps_the_message_and_a_released_one_is_free_at_once(
    session_factory: Factory, other: Factory
) -> None:
    kept = await queue(session_factory, 8_000_001, "kept")
    given_back = await queue(session_factory, 8_000_002, "given back")
    assert await take(session_factory, "a:1") == {kept, given_back}

    async with session_factory.begin() as session:
        held = await outbox.renew_leases(session, {kept}, "a:1", NOW + 3 * LEASE)
        await outbox.release(session, {given_back}, "a:1")
    assert held == {kept}
    assert await take(other, "b:2", NOW + 2 * LEASE) == {given_back}
    async with other.begin() as session:  # a sender cannot renew what it does not hold
        assert await outbox.renew_leases(session, {kept}, "b:2", NOW + 9 * LEASE) == set()


async def test_a_message_put_back_for_later_is_free_for_any_sender(
    session_factory: Factory, other: Factory
) -> None:
    message_id = await queue(session_factory, 8_000_001, "flaky")
    assert await take(session_factory, "a:1") == {message_id}
    async with session_factory.begin() as session:
        later = NOW + timedelta(seconds=5)
        assert await outbox.retry_later(session, message_id, later, "502", holder="a:1")
    assert await take(other, "b:2", NOW + timedelta(seconds=5)) == {message_id}


async def test_two_senders_draining_one_store_send_each_message_once(
    session_factory: Factory, other: Factory
) -> None:
    async with FakeBotAPI(strict_chats=False) as api:
        for n in range(30):
            await queue(session_factory, 8_000_001 + n % 10, f"message {n}")
        bot = api.make_bot()
        senders = [
            Sender(bot, session_factory, limits=FAST, holder="a:1"),
            Sender(bot, other, limits=FAST, holder="b:2"),
        ]
        sent = await asyncio.gather(*(s.drain_once(NOW) for s in senders))

    assert sum(sent) == 30  # whichever took what
    assert api.doubled == 0 and len(api.sent_counts()) == 30


async def test_a_split_message_s_parts_stay_with_its_sender(
    session_factory: Factory, other: Factory
) -> None:
    message_id = await queue(session_factory, 8_000_001, "word " * 1500)
    assert await take(session_factory, "a:1") == {message_id}
    async with session_factory.begin() as session:
        parts = await outbox.split_message(session, message_id, [("one", None), ("two", None)])
    assert [p.claimed_by for p in parts] == ["a:1", "a:1"]
    assert await take(other, "b:2") == set()


async def test_a_sender_that_stops_gives_back_what_it_had_not_sent(
    session_factory: Factory, other: Factory
) -> None:
    """Ten messages to one chat go one a second: a stop after the first leaves nine, which
    the next sender takes at once instead of after the lease."""
    async with FakeBotAPI(strict_chats=False) as api:
        ids = [await queue(session_factory, 8_000_001, f"m{n}", not_before=NOW) for n in range(10)]
        sender = Sender(api.make_bot(), session_factory, limits=Limits(), holder="a:1")
        stop = asyncio.Event()
        running = asyncio.create_task(sender.run(stop))
        await api.wait_until(lambda: len(api.calls("sendMessage")) >= 1, what="a first message")
        stop.set()
        await running
    sent = sender.stats.sent
    assert 1 <= sent < 10
    free = await take(other, "b:2", datetime.now(UTC))
    assert free == set(ids[sent:])


# --- scheduled jobs --------------------------------------------------------------------


async def test_a_job_due_once_runs_in_one_process(session_factory: Factory, other: Factory) -> None:
    due = datetime(2026, 11, 17, 3, 10, tzinfo=UTC)
    first = await asyncio.gather(
        run_once(session_factory, "digests", due, "a:1"), run_once(other, "digests", due, "b:2")
    )
    assert sorted(first) == [False, True]
    assert await run_once(other, "digests", due + timedelta(minutes=10), "b:2")
    assert await run_once(other, "retention", due, "b:2")  # another job, the same time
    async with session_factory() as session:
        assert len((await session.scalars(select(JobRun))).all()) == 3


async def test_two_processes_with_the_same_job_run_it_once_per_due_time(
    session_factory: Factory, other: Factory
) -> None:
    runs: list[str] = []

    async def work(name: str) -> None:
        runs.append(name)

    every = timedelta(minutes=10)
    jobs = [
        once_per_due_time("movement-orders", every, factory, work)
        for factory in (session_factory, other)
    ]
    before = due_time(datetime.now(UTC), every)
    await asyncio.gather(jobs[0]("a"), jobs[1]("b"))
    if due_time(datetime.now(UTC), every) == before:  # not across a due time's edge
        assert len(runs) == 1
    assert 1 <= len(runs) <= 2


def test_the_due_time_is_the_same_whenever_a_process_started() -> None:
    every = timedelta(minutes=10)
    a = datetime(2026, 11, 17, 3, 10, 1, tzinfo=UTC)
    b = datetime(2026, 11, 17, 3, 19, 59, tzinfo=UTC)
    assert due_time(a, every) == due_time(b, every) == datetime(2026, 11, 17, 3, 10, tzinfo=UTC)
    assert due_time(b + timedelta(seconds=1), every) == datetime(2026, 11, 17, 3, 20, tzinfo=UTC)


# --- the sender's election (PostgreSQL) ------------------------------------------------


async def test_one_sender_is_elected_and_a_standby_takes_over_when_it_dies(
    session_factory: Factory, other: Factory
) -> None:
    if not on_postgresql(session_factory):
        pytest.skip("the election is PostgreSQL's: SQLite serves one process by design")
    key = 0x7E57_0001  # not the bot's own lock, so a running bot is not disturbed
    first = Election(session_factory.kw["bind"], key)
    second = Election(other.kw["bind"], key)
    try:
        assert await first.try_win()
        assert not await second.try_win()
        assert await first.still_won() and not await second.still_won()
        assert first._connection is not None
        # The holder's process dies: PostgreSQL drops its connection and the lock with it.
        pid = await first._connection.scalar(text("SELECT pg_backend_pid()"))
        async with other() as session:
            await session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert not await first.still_won()
        assert await second.try_win() and await second.still_won()
        assert not await first.try_win()
    finally:
        await first.resign()
        await second.resign()


async def test_a_replica_starts_while_another_is_the_sender(
    session_factory: Factory, db_url: str
) -> None:
    """The sender's lock and the migration lock are different locks: a replica starting (a
    rolling upgrade) migrates, or finds nothing to migrate, while another one sends."""
    if not on_postgresql(session_factory):
        pytest.skip("the election is PostgreSQL's: SQLite serves one process by design")
    sender = Election(session_factory.kw["bind"])  # the bot's own lock, as a running sender
    try:
        assert await sender.try_win()
        await asyncio.wait_for(migrate(db_url), 60)  # bounds a failure: it waited for ever
    finally:
        await sender.resign()
