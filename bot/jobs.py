"""Background work, all in one place: every scheduled job and the sender that delivers what
the jobs queue.

``bot.app.run`` calls ``start_background`` once the bot exists and ``Background.stop`` on the
way out. Each job is added by its own ``add_…_job`` function and listed in ``start_background``;
a new job is one more function and one more line there. The scheduler's defaults (coalesce,
one instance at a time) make a missed run one run.

Several processes on one store (docs/replicas.md): each job runs once per due time across
them (``once_per_due_time``: the process that records the run in ``job_runs`` runs it); the
notifier is safe to run everywhere (an event is claimed by a conditional update); the sender
and the announcement progress run in the one process elected on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BufferedInputFile
from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.max.routing import routing_bot
from core.clock import utcnow
from core.config import Settings
from core.i18n import use_locale
from core.messenger import Messenger
from handlers.announcement_progress import refresh_progress
from handlers.sender import MAX_LIMITS, Limits, Sender
from keyboards.reminders import digest_markup
from screens import notifications as notices
from screens import parent_access
from screens import region as region_text
from screens.monitoring_book import region_to_xlsx
from screens.reminders import digest_text
from services import retention
from services.diary import adults
from services.monitoring import region
from services.notifications import digests, notifier
from services.orders import effects as order_effects
from services.reminders import scan as reminders
from services.reminders.scan import ScanMemo, ScanReport
from storage import max_messages
from storage.people import forget_processed_before
from storage.replicas import Election, forget_job_runs_before, replica_name, run_once

log = logging.getLogger(__name__)

DIGEST_SCAN_MINUTES = 10  # digests are due at an hour; looking this often finds them on time
PROGRESS_SECONDS = 5  # how often an announcement's author sees the sending progress


def due_time(now: datetime, every: timedelta) -> datetime:
    """The due time a run at ``now`` stands for: ``now`` rounded down to a multiple of
    ``every`` since the epoch, the same in every process whenever it started."""
    step = every.total_seconds()
    return datetime.fromtimestamp(now.timestamp() // step * step, UTC)


def once_per_due_time(
    job: str,
    every: timedelta,
    session_factory: async_sessionmaker[AsyncSession],
    work: Callable[..., Awaitable[object]],
) -> Callable[..., Awaitable[None]]:
    """``work`` run by one process per due time, whichever records it first in ``job_runs``.
    A process dying mid-run leaves that due time done: every guarded job catches up at its
    next run (orders, digests, reminders and workbooks are found by what is still due)."""
    runner = replica_name()

    async def run(*args: Any, **kwargs: Any) -> None:
        due = due_time(utcnow(), every)
        at = f"{due:%Y-%m-%d %H:%M:%S}Z"
        if not await run_once(session_factory, job, due, runner):
            log.info("job %s due %s: run by another process", job, at)
            return
        log.info("job %s due %s: runs here", job, at)
        await work(*args, **kwargs)

    return run


JOB_DRAIN = 10.0  # seconds a stop gives the jobs running at that moment to finish


class DrainingExecutor(AsyncIOExecutor):
    """APScheduler's asyncio executor, which cancels the jobs running when the scheduler shuts
    down. A stop first lets them finish (a job cut off rolls its transaction back, harmless,
    but leaves a traceback in the log), within ``JOB_DRAIN``."""

    async def drain(self, within: float) -> None:
        running = [f for f in self._pending_futures if not f.done()]
        if running:
            await asyncio.wait(running, timeout=within)


class JournalScheduler(AsyncIOScheduler):
    def __init__(self, **options: Any) -> None:
        self.draining = DrainingExecutor()
        super().__init__(executors={"default": self.draining}, **options)

    async def stop(self) -> None:
        """No new runs; the running ones finish (within ``JOB_DRAIN``); then shut down."""
        if not self.running:
            return
        self.pause()
        await self.draining.drain(JOB_DRAIN)
        self.shutdown(wait=False)


def create_scheduler(settings: Settings) -> JournalScheduler:
    """A scheduler in the college's time zone; a job never runs twice at once, and runs it
    missed (the process was busy or down) collapse into one."""
    return JournalScheduler(
        timezone=settings.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )


async def notify_events(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
) -> int:
    """Turn new journal events into queued notices; ``now`` moves the clock in tests."""
    return await notifier.process_events(session_factory, settings, notice=notices.notice, now=now)


async def queue_digests(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
) -> int:
    """Queue the daily and weekly digests that are due; ``now`` moves the clock in tests."""
    return await digests.make_digests(
        session_factory,
        settings,
        daily_text=notices.daily_digest,
        weekly_text=notices.weekly_digest,
        now=now,
    )


def add_notifier_job(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    sender: Sender | None = None,
) -> Job:
    """Turn new journal events into messages every ``notifications.scan_seconds``."""

    async def notify() -> None:
        if await notify_events(session_factory, settings) and sender is not None:
            sender.wake()

    return scheduler.add_job(
        notify,
        IntervalTrigger(seconds=settings.notifications.scan_seconds, timezone=settings.tz),
        id="notifier",
        replace_existing=True,
        next_run_time=datetime.now(settings.tz),
    )


def add_digest_job(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    sender: Sender | None = None,
) -> Job:
    """Queue the daily digests and the weekly summaries that are due."""

    async def digest() -> None:
        if await queue_digests(session_factory, settings) and sender is not None:
            sender.wake()

    every = timedelta(minutes=DIGEST_SCAN_MINUTES)
    return scheduler.add_job(
        once_per_due_time("digests", every, session_factory, digest),
        IntervalTrigger(seconds=every.total_seconds(), timezone=settings.tz),
        id="digests",
        replace_existing=True,
        next_run_time=datetime.now(settings.tz),
    )


JOB_ID = "reminders"


async def scan_reminders(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    memo: ScanMemo | None = None,
) -> ScanReport:
    """One scan with the digests' text and buttons; ``now`` moves the clock in tests and
    benchmarks."""
    return await reminders.scan(
        session_factory, settings, now=now, memo=memo, text=digest_text, keyboard=digest_markup
    )


def add_reminder_job(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    sender: Sender | None = None,
) -> Job:
    """Add the periodic deadline scan; the sender, when given, is woken when it queued."""
    memo = ScanMemo()

    async def scan() -> None:
        report = await scan_reminders(session_factory, settings, memo=memo)
        if report.queued:
            log.info("deadline reminders: %s messages queued", report.queued)
            if sender is not None:
                sender.wake()

    every = timedelta(minutes=settings.reminders.scan_minutes)
    return scheduler.add_job(
        once_per_due_time(JOB_ID, every, session_factory, scan),
        IntervalTrigger(seconds=every.total_seconds(), timezone=settings.tz),
        id=JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now(settings.tz),
    )


ORDERS_SCAN_MINUTES = 10  # orders take effect at the college's midnight; found within this


async def apply_orders(
    session_factory: async_sessionmaker[AsyncSession], *, now: datetime | None = None
) -> int:
    """Make the effects of movement orders whose effective date has come (and of any missed
    while the bot was stopped); ``now`` moves the clock in tests."""
    async with session_factory.begin() as session:
        applied = await order_effects.apply_due(session, now or utcnow())
    if applied:
        log.info("movement orders: %s took effect", applied)
    return applied


def add_orders_job(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> Job:
    """Orders dated ahead take effect by themselves; the first run is at start-up."""
    every = timedelta(minutes=ORDERS_SCAN_MINUTES)
    return scheduler.add_job(
        once_per_due_time("movement-orders", every, session_factory, apply_orders),
        IntervalTrigger(seconds=every.total_seconds(), timezone=settings.tz),
        args=[session_factory],
        id="movement-orders",
        replace_existing=True,
        next_run_time=datetime.now(settings.tz),
    )


REGIONAL_MINUTES = 30  # the monthly workbook goes out within this of its hour


async def send_regional_workbooks(
    session_factory: async_sessionmaker[AsyncSession],
    bot: Bot,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> int:
    """Send each regional specialist last month's workbook on the month's first working day,
    once (sent directly: a file, not a message of the outbox). ``now`` moves the clock in
    tests. Returns how many were sent."""
    now = now or utcnow()
    async with session_factory() as session:
        due = await region.monthly_due(session, now)
    sent = 0
    for monthly in due:
        with use_locale(monthly.locale or settings.default_locale):
            book = region_to_xlsx(monthly.region)
            caption = region_text.book_caption(monthly.region)
        name = f"region-{monthly.region.span.first:%Y-%m}.xlsx"
        try:
            await bot.send_document(
                monthly.chat_id, BufferedInputFile(book, filename=name), caption=caption
            )
        except TelegramAPIError:
            log.exception("the regional workbook for person %s was not sent", monthly.person_id)
            continue  # tried again at the next run
        async with session_factory.begin() as session:
            await region.record_sent(session, monthly)
        sent += 1
    return sent


def add_regional_job(
    scheduler: AsyncIOScheduler,
    bot: Bot,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> Job:
    """The regional specialists' monthly workbook (issue 10, point 6)."""
    every = timedelta(minutes=REGIONAL_MINUTES)
    # Not idempotent by itself: the workbook goes out before it is recorded as sent.
    return scheduler.add_job(
        once_per_due_time("regional-workbooks", every, session_factory, send_regional_workbooks),
        IntervalTrigger(seconds=every.total_seconds(), timezone=settings.tz),
        args=[session_factory, bot, settings],
        id="regional-workbooks",
        replace_existing=True,
    )


async def forget_old_updates(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Telegram redelivers an update for at most a day; older ids need not be remembered. Nor
    are the runs of scheduled jobs older than a week, nor the numbers of MAX's messages."""
    async with session_factory.begin() as session:
        await forget_processed_before(session, utcnow() - timedelta(days=2))
        await forget_job_runs_before(session, utcnow() - timedelta(days=7))
        # A MAX message pressed later gets a number again (its id comes with the press).
        await max_messages.forget_before(session, utcnow() - timedelta(days=7))


async def clean_up(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> None:
    """The daily clean-up (ended roles, delivered texts, old drafts and attempts, leavers),
    and parents told once when their child has turned 18."""
    now = utcnow()
    today = now.astimezone(settings.tz).date()
    async with session_factory.begin() as session:
        swept = await retention.sweep(session, settings.retention, now=now, today=today)
        told = await adults.tell_parents(
            session,
            default=settings.adults.parents,
            today=today,
            now=now,
            default_locale=settings.default_locale,
            render=parent_access.parents_told,
        )
    log.info("daily clean-up: %s; parents told of a child's 18th birthday: %d", swept, told)


def add_retention_job(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> Job:
    """Once a day, at ``retention.hour`` college time."""
    at = settings.retention.hour
    # Erasing leavers writes the audit: two processes at once would write it twice.
    return scheduler.add_job(
        once_per_due_time("retention", timedelta(days=1), session_factory, clean_up),
        CronTrigger(hour=at.hour, minute=at.minute, timezone=settings.tz),
        args=[settings, session_factory],
        id="retention",
        replace_existing=True,
    )


def add_housekeeping_jobs(
    scheduler: AsyncIOScheduler,
    bot: Bot,
    session_factory: async_sessionmaker[AsyncSession],
    seat: SenderSeat | None = None,
) -> None:
    """The announcement authors' progress messages (shown by the process that sends, so by
    one), and forgetting old update ids."""

    async def progress() -> None:
        if seat is None or seat.held:
            await refresh_progress(bot, session_factory)

    scheduler.add_job(
        progress,
        IntervalTrigger(seconds=PROGRESS_SECONDS),
        id="announcement-progress",
        replace_existing=True,
    )
    every = timedelta(hours=6)
    scheduler.add_job(
        once_per_due_time("forget-updates", every, session_factory, forget_old_updates),
        IntervalTrigger(seconds=every.total_seconds()),
        args=[session_factory],
        id="forget-updates",
        replace_existing=True,
    )


@dataclass
class SenderSeat:
    """Whether this process is the deployment's sender now (always, on SQLite)."""

    held: bool = False
    terms: int = 0  # how many times it became the sender


async def send_while_elected(
    sender: Sender,
    election: Election | None,
    stop_event: asyncio.Event,
    seat: SenderSeat,
    every: float,
) -> None:
    """Run the sender while this process holds the sender's lock; stand by otherwise, asking
    every ``every`` seconds. Without an election (SQLite) the sender simply runs."""
    if election is None:
        seat.held, seat.terms = True, 1
        await run_senders(sender, stop_event)
        return
    try:
        while not stop_event.is_set():
            try:
                won = await election.try_win()
            except Exception:
                log.exception("the sender's election could not reach the store")
                won = False
            if not won:
                await _wait(stop_event, every)
                continue
            seat.held, seat.terms = True, seat.terms + 1
            log.info("this process is the sender now (holder %s)", sender.holder)
            term = asyncio.Event()
            watch = asyncio.create_task(_watch(election, stop_event, term, every))
            try:
                await run_senders(sender, term)
            finally:
                seat.held = False
                watch.cancel()
            if not stop_event.is_set():
                log.warning("this process lost the sender's lock; standing by")
    finally:
        with contextlib.suppress(Exception):
            await election.resign()


async def run_senders(sender: Sender, stop_event: asyncio.Event) -> None:
    """The sender and its partners (one per messenger) until ``stop_event``."""
    await asyncio.gather(*(s.run(stop_event) for s in (sender, *sender.partners)))


async def _watch(
    election: Election, stop_event: asyncio.Event, term: asyncio.Event, every: float
) -> None:
    """End the sender's term when the process stops or the lock is gone."""
    try:
        while not stop_event.is_set() and await election.still_won():
            await _wait(stop_event, every)
    finally:
        term.set()


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


@dataclass
class Background:
    scheduler: JournalScheduler
    sender: Sender
    stop_event: asyncio.Event
    sender_task: asyncio.Task[None]
    seat: SenderSeat = field(default_factory=SenderSeat)

    async def stop(self) -> None:
        """Stop the jobs, let the sender finish the messages it is sending, and return."""
        await self.scheduler.stop()
        self.stop_event.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self.sender_task


async def start_background(
    bot: Bot | None,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    max_bot: Bot | None = None,
) -> Background:
    """The jobs and the outbox senders: one sender per messenger, each with its own limits
    (Telegram's, MAX's: docs/max.md), run together by the elected process."""
    cfg = settings.notifications
    senders: list[Sender] = []
    if bot is not None:
        senders.append(
            Sender(
                bot,
                session_factory,
                limits=Limits(per_second=cfg.send_per_second),
                attempts=cfg.send_attempts,
                lease=cfg.lease_seconds,
                messenger=Messenger.TELEGRAM,
            )
        )
    if max_bot is not None:
        senders.append(
            Sender(
                max_bot,
                session_factory,
                limits=MAX_LIMITS,
                attempts=cfg.send_attempts,
                lease=cfg.lease_seconds,
                messenger=Messenger.MAX,
            )
        )
    if not senders:
        raise ValueError("no messenger to send to")
    sender = senders[0]
    sender.partners = senders[1:]
    direct = routing_bot(bot, max_bot)  # writes to a chat through its messenger's bot
    engine = session_factory.kw["bind"]
    election = Election(engine) if Election.needed(engine) else None
    seat = SenderSeat()
    scheduler = create_scheduler(settings)
    add_notifier_job(scheduler, settings, session_factory, sender)
    add_digest_job(scheduler, settings, session_factory, sender)
    add_reminder_job(scheduler, settings, session_factory, sender)
    add_orders_job(scheduler, settings, session_factory)
    add_housekeeping_jobs(scheduler, direct, session_factory, seat)
    add_regional_job(scheduler, direct, settings, session_factory)
    add_retention_job(scheduler, settings, session_factory)
    scheduler.start()
    stop_event = asyncio.Event()
    task = asyncio.create_task(
        send_while_elected(sender, election, stop_event, seat, cfg.election_seconds),
        name="outbox-sender",
    )
    log.info("background jobs and the outbox sender started")
    return Background(scheduler, sender, stop_event, task, seat)
