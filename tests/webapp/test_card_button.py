"""The journal grid is opened from the lesson card, only when it is served."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_dispatcher
from core.config import Settings
from core.i18n import create_i18n
from keyboards.journal import grid_link
from tests.botapp import BotApp
from tests.factories import College
from tests.fakebot import FakeBotAPI, TgUser
from tests.webapp import kit


@pytest.fixture(autouse=True)
def _forget_the_address() -> Iterator[None]:
    yield
    grid_link.url = None


def bot_app(
    api: FakeBotAPI, factory: async_sessionmaker[AsyncSession], db_url: str, url: str | None
) -> BotApp:
    settings = Settings(
        bot_token=api.token, telegram_api_url=api.base_url, database_url=db_url, webapp_url=url
    )
    i18n = create_i18n(settings.default_locale)
    bot = api.make_bot()
    dp = create_dispatcher(settings, factory, i18n)
    dp["i18n"] = i18n
    api.attach(dp, bot)
    return BotApp(api, bot, dp, settings, factory)


async def open_card(app: BotApp, college: College) -> TgUser:
    app.stand_at(college.now)
    teacher = await app.link(college.teacher)
    await teacher.command("menu")
    await teacher.click("📅 My lessons")
    label = next(b for b in teacher.last.button_labels if "Математика" in b and "09:00" in b)
    await teacher.click(label)
    return teacher


def web_app_buttons(user: TgUser) -> list[dict[str, object]]:
    rows = user.last.raw.get("reply_markup", {}).get("inline_keyboard", [])
    return [b for row in rows for b in row if "web_app" in b]


async def test_the_lesson_card_has_a_journal_grid_button_naming_only_the_lesson(
    fake_api: FakeBotAPI,
    session_factory: async_sessionmaker[AsyncSession],
    db_url: str,
    college: College,
) -> None:
    app = bot_app(fake_api, session_factory, db_url, kit.URL)
    teacher = await open_card(app, college)
    [button] = web_app_buttons(teacher)
    assert button["text"] == "📊 Journal grid"
    assert button["web_app"] == {"url": f"{kit.URL}?lesson={college.lessons.today.id}"}


async def test_without_the_grid_address_the_card_has_no_such_button(
    fake_api: FakeBotAPI,
    session_factory: async_sessionmaker[AsyncSession],
    db_url: str,
    college: College,
) -> None:
    app = bot_app(fake_api, session_factory, db_url, None)
    teacher = await open_card(app, college)
    assert web_app_buttons(teacher) == []
    assert "Математика" in teacher.last.text
