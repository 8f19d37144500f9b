"""Users speak English unless a test says otherwise (the msgids are English, so tests read
the way the screens do); tests of the Russian screens pass ``language_code="ru"``.

The bot wired to the fake Bot API server in-process: dispatcher-level tests that still go
over HTTP, so what a test sees is what a person would see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from itertools import count

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import create_dispatcher
from core.config import Settings
from core.i18n import create_i18n
from storage.models import Person, TelegramAccount
from tests.fakebot import FakeBotAPI, TgUser


@dataclass
class BotApp:
    api: FakeBotAPI
    bot: Bot
    dp: Dispatcher
    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    _ids: count[int] = field(default_factory=lambda: count(5_000_001))

    def stand_at(self, now: datetime) -> None:
        """The bot's clock reads ``now`` (an aware datetime) from here on."""
        self.dp["clock"] = lambda: now

    def stranger(self, first_name: str = "Guest", language_code: str | None = "en") -> TgUser:
        return TgUser(self.api, next(self._ids), first_name, language_code=language_code)

    async def link(
        self, person: Person, *, language: str | None = None, language_code: str | None = "en"
    ) -> TgUser:
        """A person whose Telegram account is already linked (onboarding has its own tests)."""
        user = self.stranger(person.first_name, language_code)
        async with self.session_factory.begin() as session:
            session.add(
                TelegramAccount(
                    telegram_user_id=user.id,
                    chat_id=user.chat_id,
                    person_id=person.id,
                    language=language,
                )
            )
        return user


async def start_app(
    api: FakeBotAPI, session_factory: async_sessionmaker[AsyncSession], db_url: str
) -> BotApp:
    settings = Settings(bot_token=api.token, telegram_api_url=api.base_url, database_url=db_url)
    i18n = create_i18n(settings.default_locale)
    bot = api.make_bot()
    dp = create_dispatcher(settings, session_factory, i18n)
    dp["i18n"] = i18n
    api.attach(dp, bot)
    return BotApp(api, bot, dp, settings, session_factory)
