"""The bot in MAX and in Telegram at once: one dispatcher, the fake Bot API of each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from itertools import count

import pytest
from aiogram import Bot
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import messenger_bots
from bot.max import create_max_bot
from bot.max.files import share_files
from bot.max.session import MaxSession
from storage.models import Person, TelegramAccount
from tests.botapp import BotApp
from tests.fakemax import FakeMaxAPI, MaxUser


@dataclass
class MaxApp:
    api: FakeMaxAPI
    bot: Bot
    tg: BotApp  # the same dispatcher, store and settings, in Telegram

    def __post_init__(self) -> None:
        self._ids = count(600_001)

    def stranger(self, first_name: str = "Guest", locale: str = "en") -> MaxUser:
        return MaxUser(self.api, next(self._ids), first_name, locale=locale)

    async def link(self, person: Person, *, language: str | None = "en") -> MaxUser:
        """A person whose MAX account is already linked (onboarding has its own tests)."""
        user = self.stranger(person.first_name)
        async with self.tg.session_factory.begin() as session:
            session.add(
                TelegramAccount(
                    telegram_user_id=user.stored_id,
                    chat_id=user.stored_id,
                    person_id=person.id,
                    language=language,
                )
            )
        return user


@pytest.fixture
async def max_api() -> AsyncIterator[FakeMaxAPI]:
    async with FakeMaxAPI() as api:
        yield api


@pytest.fixture
async def max_app(
    max_api: FakeMaxAPI, app: BotApp, session_factory: async_sessionmaker[AsyncSession]
) -> AsyncIterator[MaxApp]:
    settings = app.settings.model_copy(
        update={"max_bot_token": SecretStr(max_api.token), "max_api_url": max_api.base_url}
    )
    app.settings = settings
    app.dp["settings"] = settings
    session = MaxSession(max_api.token, session_factory, max_api.base_url)
    bot = create_max_bot(settings, session_factory, session)
    max_api.attach(app.dp, bot)
    app.dp["messenger_bots"] = messenger_bots(app.bot, bot)
    share_files(app.bot, bot)
    yield MaxApp(max_api, bot, app)
    await bot.session.close()
