"""The background the bot starts: the notifier job queues, the sender delivers, stop is clean."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time

import pytest

from bot.jobs import create_scheduler, start_background
from core.config import Notifications, Settings
from tests.botapp import BotApp
from tests.factories import College
from tests.notifications import kit


async def test_a_grade_reaches_the_parent_through_the_running_background(
    app: BotApp, college: College
) -> None:
    student = college.students[0]
    parent = await app.link(college.parents[student.id], language="en")
    settings = Settings(
        bot_token=None,
        notifications=Notifications(merge_minutes=0, quiet_from=time(0), quiet_to=time(0)),
    )
    await kit.add_grade(app.session_factory, college, student, "4", college.now)

    background = await start_background(app.bot, settings, app.session_factory)
    assert {job.id for job in background.scheduler.get_jobs()} == {
        "notifier",
        "digests",
        "reminders",
        "movement-orders",
        "retention",
        "announcement-progress",
        "forget-updates",
        "regional-workbooks",
    }
    try:
        await app.api.wait_until(lambda: bool(parent.messages), what="the parent's message")
    finally:
        await background.stop()

    assert [m.text.splitlines()[0] for m in parent.messages] == [
        f"📘 {student.person.first_name}: new grade 4"
    ]
    assert not background.scheduler.running
    assert background.sender_task.done()


async def test_a_stop_lets_a_running_job_finish_instead_of_cutting_it_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A job half-way through its transaction when the process stops finishes it; APScheduler
    alone would cancel it and log a traceback."""
    scheduler = create_scheduler(Settings(bot_token=None))
    started, release, finished = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def job() -> None:
        started.set()
        await release.wait()
        finished.set()

    scheduler.add_job(job, "date", run_date=datetime.now(UTC), id="slow")
    scheduler.start()
    try:
        await asyncio.wait_for(started.wait(), 30)
        stopping = asyncio.create_task(scheduler.stop())
        await asyncio.sleep(0)
        assert not stopping.done()  # waiting for the job, not cancelling it
        release.set()
        await asyncio.wait_for(stopping, 30)
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=False)
    assert finished.is_set()
    assert not scheduler.running
    assert "raised an exception" not in caplog.text
