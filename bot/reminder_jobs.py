"""The deadline scheduler's job: a scan every ``reminders.scan_minutes`` (services/reminders.py).

``bot/scheduler.py`` creates the scheduler; ``start_background`` calls
``register_reminder_jobs(scheduler, settings, session_factory, sender)`` next to the other
jobs. The scheduler's defaults (coalesce, one instance at a time) make a missed run one run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from keyboards.reminders import digest_markup
from services import reminders
from services.delivery import Sender
from services.reminders import ScanMemo, ScanReport

log = logging.getLogger(__name__)

JOB_ID = "reminders"


async def scan_reminders(
    session_factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    memo: ScanMemo | None = None,
) -> ScanReport:
    """One scan with the digests' buttons; ``now`` moves the clock in tests and benchmarks."""
    return await reminders.scan(
        session_factory, settings, now=now, memo=memo, keyboard=digest_markup
    )


def register_reminder_jobs(
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

    return scheduler.add_job(
        scan,
        IntervalTrigger(minutes=settings.reminders.scan_minutes, timezone=settings.tz),
        id=JOB_ID,
        replace_existing=True,
        next_run_time=datetime.now(settings.tz),
    )
