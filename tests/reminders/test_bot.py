"""A digest as a person gets it: sent through the outbox to (the fake) Telegram, and its buttons
open the screens they name."""

from __future__ import annotations

from datetime import date

from bot.jobs import scan_reminders
from handlers.sender import Sender
from tests.botapp import BotApp
from tests.factories import College, make_college
from tests.reminders.kit import at

TUESDAY = date(2026, 11, 17)


async def test_the_teacher_opens_the_lesson_from_the_morning_digest(app: BotApp) -> None:
    async with app.session_factory() as session:
        college: College = await make_college(session)
    now = at(TUESDAY, 8, 0)
    app.stand_at(now)
    teacher = await app.link(college.teacher, language="en")

    report = await scan_reminders(app.session_factory, app.settings, now=now)
    assert report.queued == 1
    assert await Sender(app.bot, app.session_factory).drain_once(now) == 1

    digest = teacher.last
    assert "Registers to finish" in digest.text
    assert "16 Nov, pair 2 · ИС-21 · Математика — due today" in digest.text
    assert digest.button_labels == ["📖 16.11 · ИС-21 · Математика", "☰ Menu"]

    await teacher.click("📖 16.11 · ИС-21 · Математика")
    assert "Математика" in teacher.last.text and "ИС-21" in teacher.last.text
    assert any("Алексеев" in label for label in teacher.last.button_labels)  # the register
    # The card comes as a new message: the digest stays to open its other lessons.
    assert teacher.last.message_id != digest.message_id
    assert "Registers to finish" in digest.text and not digest.edited
