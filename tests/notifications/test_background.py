"""The background the bot starts: the notifier job queues, the sender delivers, stop is clean."""

from __future__ import annotations

from datetime import time

from bot.jobs import start_background
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
