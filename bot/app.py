"""Factories for the bot and the dispatcher, and the long-running ``run``."""

from __future__ import annotations

import logging
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import SUPPORTED_LOCALES, Settings
from bot.i18n import _, create_i18n
from bot.middlewares import IdentityMiddleware, LocaleMiddleware, StoreSessionMiddleware
from bot.reminder_jobs import register_reminder_jobs
from bot.scheduler import start_background
from handlers import get_routers
from handlers.announcement_progress import refresh_progress
from storage.db import create_engine, create_session_factory, migrate
from storage.fsm import StoreFSMStorage
from storage.models import utcnow
from storage.people import forget_processed_before

log = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required")
    session = None
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n | None = None,
) -> Dispatcher:
    i18n = i18n or create_i18n(settings.default_locale)
    dp = Dispatcher(
        storage=StoreFSMStorage(session_factory),
        settings=settings,
        session_factory=session_factory,
        clock=utcnow,  # handlers ask the clock, so tests can stand on a chosen day
    )
    dp.update.outer_middleware(StoreSessionMiddleware(session_factory))
    dp.update.outer_middleware(IdentityMiddleware())
    LocaleMiddleware(i18n).setup(dp)
    dp.include_routers(*get_routers())
    dp.startup.register(set_commands)
    return dp


async def set_commands(bot: Bot, i18n: I18n) -> None:
    """Command list per language, plus the default for everyone else."""
    for locale in (None, *SUPPORTED_LOCALES):
        with i18n.use_locale(locale or i18n.default_locale):
            commands = [
                BotCommand(command="menu", description=_("Main menu")),
                BotCommand(command="help", description=_("Help")),
                BotCommand(command="language", description=_("Language")),
                BotCommand(command="cancel", description=_("Cancel the current action")),
            ]
        await bot.set_my_commands(commands, language_code=locale)


async def forget_old_updates(session_factory: async_sessionmaker[AsyncSession]) -> None:
    """Telegram redelivers an update for at most a day; older ids need not be remembered."""
    async with session_factory.begin() as session:
        await forget_processed_before(session, utcnow() - timedelta(days=2))


async def run(settings: Settings) -> None:
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    i18n = create_i18n(settings.default_locale)
    bot = create_bot(settings)
    dp = create_dispatcher(settings, session_factory, i18n)
    background = await start_background(bot, settings, session_factory)
    register_reminder_jobs(background.scheduler, settings, session_factory, background.sender)
    background.scheduler.add_job(
        refresh_progress,
        "interval",
        seconds=5,
        args=[bot, session_factory],
        id="announcement-progress",
    )
    background.scheduler.add_job(
        forget_old_updates, "interval", hours=6, args=[session_factory], id="forget-updates"
    )
    try:
        await dp.start_polling(
            bot,
            allowed_updates=dp.resolve_used_update_types(),
            polling_timeout=settings.polling_timeout,
            i18n=i18n,
        )
    finally:
        await background.stop()
        await bot.session.close()
        await engine.dispose()
