"""Factories for the bot and the dispatcher, and the long-running ``run``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import BotCommand, MenuButtonWebApp, WebAppInfo
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.jobs import start_background
from bot.max import create_max_bot, poll_max
from bot.max.files import share_files
from core.config import SUPPORTED_LOCALES, Settings
from core.i18n import I18n, _, create_i18n
from core.messenger import Messenger
from handlers import get_routers
from handlers.errors import apologise
from handlers.fsm import StoreFSMStorage
from handlers.inline_filters import check_filters_in_place
from handlers.interactions import InteractionMiddleware, NoteReplies
from handlers.json_session import JsonSession, read_answer
from handlers.middlewares import (
    AnswerPresses,
    IdentityMiddleware,
    LocaleMiddleware,
    RefusalMiddleware,
    StoreSessionMiddleware,
)
from handlers.responses import KeepResponseModels
from handlers.retry import RetryAfter
from keyboards.journal import grid_link
from storage.db import create_engine, create_session_factory, json_text, migrate
from storage.models import utcnow

log = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is required")
    url = settings.telegram_api_url
    session = JsonSession(api=TelegramAPIServer.from_base(url) if url else PRODUCTION)
    wire_session(session)
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def wire_session(session: BaseSession) -> None:
    """What every request of the bot goes through: a 429 is waited out, not dropped; the
    answer's model is built once per kind of request; JSON is read and written by orjson,
    a sent message's echo of itself left unread; a reply keeps the outbox off its chat for a
    moment (handlers/interactions.py)."""
    session.json_loads = read_answer
    session.json_dumps = json_text
    session.middleware(KeepResponseModels())
    session.middleware(RetryAfter())
    session.middleware(NoteReplies())


def create_dispatcher(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    i18n: I18n | None = None,
) -> Dispatcher:
    i18n = i18n or create_i18n(settings.default_locale)
    storage = StoreFSMStorage(session_factory)
    dp = Dispatcher(
        storage=storage,
        disable_fsm=True,  # registered below, inside the update's session
        settings=settings,
        session_factory=session_factory,
        clock=utcnow,  # handlers ask the clock, so tests can stand on a chosen day
    )
    grid_link.url = settings.webapp_url  # the lesson card's journal grid button
    engine = session_factory.kw["bind"]
    dp.update.outer_middleware(InteractionMiddleware(engine))  # before anything replies

    def state_key(data: dict[str, Any]) -> str | None:
        context = dp.fsm.resolve_event_context(data["bot"], data)
        return None if context is None else storage.key_of(context.key)

    dp.update.outer_middleware(StoreSessionMiddleware(session_factory, state_key))
    # The conversation state is read through the update's session, not a session of its own.
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(IdentityMiddleware())
    dp.update.outer_middleware(LocaleMiddleware(i18n))
    dp.callback_query.middleware(AnswerPresses())
    for observer in (dp.message, dp.callback_query):
        observer.middleware(RefusalMiddleware())
    dp.include_routers(*get_routers())
    check_filters_in_place(dp)
    dp.errors.register(apologise)
    dp.startup.register(set_commands)
    dp.startup.register(set_menu_button)
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


async def set_menu_button(bot: Bot, settings: Settings, i18n: I18n) -> None:
    """The chat's menu button opens the journal grid when it is served (``WEBAPP_URL``);
    otherwise it stays the list of commands."""
    if not settings.webapp_url:
        return
    with i18n.use_locale(i18n.default_locale):
        text = _("Journal")
    await bot.set_chat_menu_button(
        menu_button=MenuButtonWebApp(text=text, web_app=WebAppInfo(url=settings.webapp_url))
    )


async def run(settings: Settings) -> None:
    """Telegram, MAX or both (docs/max.md), one dispatcher and one store for them."""
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    i18n = create_i18n(settings.default_locale)
    bot = create_bot(settings) if settings.telegram_on else None
    max_bot = create_max_bot(settings, session_factory) if settings.max_on else None
    dp = create_dispatcher(settings, session_factory, i18n)
    dp["messenger_bots"] = messenger_bots(bot, max_bot)
    if bot is not None and max_bot is not None:
        share_files(bot, max_bot)
    background = await start_background(bot, settings, session_factory, max_bot)
    stop = asyncio.Event()
    max_task: asyncio.Task[None] | None = None
    mini_app = None
    try:
        if bot is not None and settings.webapp_url and not settings.webhook_url:
            # Long polling has no server of its own: the journal grid gets one.
            from webapp.app import serve_mini_app

            mini_app = await serve_mini_app(settings, session_factory)
        if max_bot is not None:
            max_task = asyncio.create_task(
                run_max(max_bot, dp, settings, i18n, stop), name="max-updates"
            )
            max_task.add_done_callback(_log_end)
        if bot is None:
            assert max_task is not None
            await _until_signal(stop, max_task)
        elif settings.webhook_url:
            from bot.web import serve_webhook

            await serve_webhook(bot, dp, settings, engine, i18n=i18n)
        else:
            await drop_webhook(bot)
            await dp.start_polling(
                bot,
                allowed_updates=dp.resolve_used_update_types(),
                polling_timeout=settings.polling_timeout,
                i18n=i18n,
            )
    finally:
        if mini_app is not None:
            await mini_app.cleanup()
        stop.set()
        if max_task is not None:
            max_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await max_task
        await background.stop()
        for each in (bot, max_bot):
            if each is not None:
                await each.session.close()
        await engine.dispose()


def messenger_bots(telegram: Bot | None, max_bot: Bot | None) -> dict[Messenger, Bot]:
    """The bot of each messenger the journal runs in (the links of 📱 Messengers)."""
    found = {Messenger.TELEGRAM: telegram, Messenger.MAX: max_bot}
    return {m: b for m, b in found.items() if b is not None}


async def run_max(
    max_bot: Bot, dp: Dispatcher, settings: Settings, i18n: I18n, stop: asyncio.Event
) -> None:
    """MAX's side of ``run``: its commands, then its updates by webhook or long polling."""
    from bot.max.session import MaxSession
    from bot.max.webhook import drop_subscriptions, serve_max_webhook

    try:
        await set_commands(max_bot, i18n)
    except Exception:  # the commands are a convenience: the bot works without them
        log.exception("MAX: the command list was not set")
    if settings.max_webhook_url:
        await serve_max_webhook(max_bot, dp, settings, stop, i18n=i18n)
        return
    assert isinstance(max_bot.session, MaxSession)
    try:
        await drop_subscriptions(max_bot.session)
    except Exception:
        log.exception("MAX: the subscriptions could not be read")
    await poll_max(max_bot, dp, polling_timeout=settings.polling_timeout, stop=stop, i18n=i18n)


async def _until_signal(stop: asyncio.Event, max_task: asyncio.Task[None]) -> None:
    """Only MAX: run until SIGINT or SIGTERM (aiogram's polling does this for Telegram), or
    until MAX's side fails (its listener could not start, say): then the process ends with it."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):  # the journal runs on Linux (docs/deploy.md)
        loop.add_signal_handler(sig, stop.set)
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait({stopped, max_task}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if max_task.done() and not max_task.cancelled() and max_task.exception() is not None:
        raise RuntimeError("MAX's side of the bot stopped") from max_task.exception()


def _log_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("MAX: updates are no longer received", exc_info=task.exception())


async def drop_webhook(bot: Bot) -> None:
    """Telegram refuses getUpdates while a webhook is registered: a bot moved back from
    webhook mode to polling removes it, keeping the updates waiting for it."""
    info = await bot.get_webhook_info()
    if info.url:
        log.warning("long polling: removing the webhook registered earlier")
        await bot.delete_webhook(drop_pending_updates=False)
