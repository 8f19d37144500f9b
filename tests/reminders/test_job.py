"""The scan is a job of the bot's scheduler, every ``reminders.scan_minutes``."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import JOB_ID, add_reminder_job, create_scheduler
from core.config import Reminders, Settings


async def test_the_scan_runs_every_scan_minutes(
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    settings = Settings(bot_token=None, reminders=Reminders(scan_minutes=3))
    scheduler = create_scheduler(settings)
    job = add_reminder_job(scheduler, settings, session_factory)
    assert scheduler.get_job(JOB_ID) is job
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(minutes=3)
    assert job.next_run_time is not None  # the first scan right at start, then every 3 minutes
