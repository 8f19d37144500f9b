"""📱 Messengers: which of a person's accounts (Telegram, MAX) get the journal's messages, and
a fresh link of their own to open the journal in another messenger (docs/max.md)."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.messenger import Messenger, start_link
from handlers.middlewares import LinkedOnly
from handlers.ui import bot_addresses, edit_or_send, message_of
from keyboards import messengers as kb
from keyboards.messengers import MessengerAction, MessengerCb
from screens import messengers as text
from services.people import messengers
from services.people.identity import Identity


async def show(
    query: CallbackQuery,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    await _render(query, identity, session, settings, messenger_bots)


async def toggle(
    query: CallbackQuery,
    callback_data: MessengerCb,
    callback_answer: CallbackAnswer,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    account = await messengers.toggle_notify(session, identity.person, callback_data.id)
    await session.flush()  # a rejected write fails before the person is told
    callback_answer.text = text.label(account)
    await _render(query, identity, session, settings, messenger_bots)


async def link(
    query: CallbackQuery,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    issued = await messengers.fresh_code(
        session,
        identity.person,
        now=clock(),
        ttl=timedelta(days=settings.rules.invite_ttl_days),
    )
    await session.flush()  # a rejected write fails before the person is told
    addresses = await bot_addresses(bot, messenger_bots)
    links = {m: start_link(address, issued.code) for m, address in addresses.items()}
    await edit_or_send(
        message_of(query), text.fresh_links(links, issued.expires_at, settings.tz), kb.back()
    )


async def _render(
    query: CallbackQuery,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
    messenger_bots: dict[Messenger, Bot] | None,
) -> None:
    accounts = await messengers.of_person(session, identity.person.id)
    both = len(messenger_bots or {}) > 1
    screen = text.screen(accounts, settings.tz, both=both)
    await edit_or_send(message_of(query), screen, kb.screen(accounts))


def create_router() -> Router:
    router = Router(name="messengers")
    router.callback_query.middleware(LinkedOnly())
    router.callback_query.register(show, MessengerCb.filter(F.act == MessengerAction.SHOW))
    router.callback_query.register(toggle, MessengerCb.filter(F.act == MessengerAction.NOTIFY))
    router.callback_query.register(link, MessengerCb.filter(F.act == MessengerAction.LINK))
    return router
