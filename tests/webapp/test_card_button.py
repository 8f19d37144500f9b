"""The journal grid is opened from the lesson card, only when it is served."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.factories import College
from tests.fakebot import FakeBotAPI
from tests.webapp import kit


async def test_the_lesson_card_has_a_journal_grid_button_naming_only_the_lesson(
    fake_api: FakeBotAPI,
    session_factory: async_sessionmaker[AsyncSession],
    db_url: str,
    college: College,
) -> None:
    app = kit.bot_app(fake_api, session_factory, db_url, kit.URL)
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await kit.open_card(app, teacher)
    [button] = kit.web_app_buttons(teacher)
    assert button["text"] == "📊 Journal grid"
    assert button["web_app"] == {"url": f"{kit.URL}?lesson={college.lessons.today.id}"}


async def test_without_the_grid_address_the_card_has_no_such_button(
    fake_api: FakeBotAPI,
    session_factory: async_sessionmaker[AsyncSession],
    db_url: str,
    college: College,
) -> None:
    app = kit.bot_app(fake_api, session_factory, db_url, None)
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await kit.open_card(app, teacher)
    assert kit.web_app_buttons(teacher) == []
    assert "Математика" in teacher.last.text
