"""The teacher's own week: what is missing in their lessons with a button to each, and what
they did late this week; nobody else's lessons, and only for teachers."""

from __future__ import annotations

from keyboards.monitoring import MonCb
from tests.botapp import BotApp
from tests.factories import College
from tests.monitoring.kit import keep_journal


async def test_missing_items_with_buttons(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    await teacher.click("🗓 My week")
    week = teacher.last.text
    assert week.startswith("🗓 My week · 16.11 – 17.11")
    # Monday's lesson: register not done (due today) and no topic (due on Monday).
    assert "Registers to finish" in week and "Past lessons without a topic" in week
    assert "• 16 Nov, pair 2 · ИС-21 · Математика — due today" in week
    # R8 outside its reminding season: still listed here.
    assert "• ИС-21 · Математика: work programme, calendar-thematic plan (КТП)" in week
    assert "Информатика" not in week  # the other teacher's
    assert "Lessons held this week: 3" in week
    assert "Nothing done late this week." in week
    labels = teacher.last.button_labels
    assert "📖 16.11 · ИС-21 · Математика" in labels
    assert not any("Информатика" in label for label in labels)  # the other teacher's
    await teacher.click("📖 16.11 · ИС-21 · Математика")
    assert "Математика" in teacher.last.text  # the lesson's card, in a new message
    assert any("My week" in text for text in teacher.texts)  # the week stays


async def test_late_items_of_the_week(app: BotApp, college: College) -> None:
    async with app.session_factory() as session:
        await keep_journal(session, college)
    app.stand_at(college.now)
    teacher = await app.link(college.teacher, language="en")
    await teacher.command("menu")
    await teacher.click("🗓 My week")
    week = teacher.last.text
    assert "Done late this week\nR2 topics: 1" in week
    labels = teacher.last.button_labels
    assert "📖 16.11 · ИС-21 · Математика" not in labels  # its register and topic are in


async def test_only_for_teachers(app: BotApp, college: College) -> None:
    app.stand_at(college.now)
    parent = await app.link(college.parents[college.students[0].id], language="en")
    await parent.command("menu")
    labels = parent.last.button_labels
    assert "📖 Diary" in labels and "🗓 My week" not in labels
    await parent.click_data(parent.last, MonCb(act="wk").pack())
    assert parent.alerts[-1].text == "This is for teachers."
