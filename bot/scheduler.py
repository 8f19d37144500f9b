"""Background work: the scheduler's jobs and the sender that delivers what they queue.

``bot.app.run`` calls ``start_background`` once the bot exists and ``Background.stop`` on the
way out. Each job is added by its own ``add_…_job`` function, so a new job (the deadline
reminders) is one more function and one more line in ``start_background``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from services import digests, notifier
from services.delivery import Limits, Sender

log = logging.getLogger(__name__)

DIGEST_SCAN_MINUTES = 10  # digests are due at an hour; looking this often finds them on time


def create_scheduler(settings: Settings) -> AsyncIOScheduler:
    """A scheduler in the college's time zone; a job never runs twice at once, and runs it
    missed (the process was busy or down) collapse into one."""
    return AsyncIOScheduler(
        timezone=settings.tz,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )


def add_notifier_job(
    scheduler: AsyncIOScheduler,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    sender: Sender | None = None,
) -> Job:
    """Turn new journal events into messages every ``notifications.scan_seconds``."""

    async def notify() -> None:
        if await notifier.process_events(session_factory, settings) and sender is not None:
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
        if await digests.make_digests(session_factory, settings) and sender is not None:
            sender.wake()

    return scheduler.add_job(
        digest,
        IntervalTrigger(minutes=DIGEST_SCAN_MINUTES, timezone=settings.tz),
        id="digests",
        replace_existing=True,
        next_run_time=datetime.now(settings.tz),
    )


@dataclass
class Background:
    scheduler: AsyncIOScheduler
    sender: Sender
    stop_event: asyncio.Event
    sender_task: asyncio.Task[None]

    async def stop(self) -> None:
        """Stop the jobs, let the sender finish the messages it is sending, and return."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.stop_event.set()
        with contextlib.suppress(asyncio.CancelledError):
            await self.sender_task


async def start_background(
    bot: Bot, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> Background:
    sender = Sender(
        bot, session_factory, limits=Limits(per_second=settings.notifications.send_per_second)
    )
    scheduler = create_scheduler(settings)
    add_notifier_job(scheduler, settings, session_factory, sender)
    add_digest_job(scheduler, settings, session_factory, sender)
    scheduler.start()
    stop_event = asyncio.Event()
    task = asyncio.create_task(sender.run(stop_event), name="outbox-sender")
    log.info("background jobs and the outbox sender started")
    return Background(scheduler, sender, stop_event, task)
