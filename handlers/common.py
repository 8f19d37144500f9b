"""Commands that work everywhere: /help, /menu, /language, /cancel."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import Message

from core.i18n import I18n, _
from handlers.menu import show_menu
from handlers.ui import stale_button
from keyboards import menu as kb
from screens.accounts import account_revoked, max_turned_off, open_your_link
from screens.menu import help_text
from services.people.identity import Identity


async def help_(message: Message, identity: Identity | None) -> None:
    await message.answer(help_text(linked=identity is not None))


async def cancel(message: Message, state: FSMContext, identity: Identity | None) -> None:
    had_state = await state.get_state() is not None
    await state.clear()
    await message.answer(_("Cancelled.") if had_state else _("There is nothing to cancel."))
    if identity is not None:
        await show_menu(message, identity)


async def menu(
    message: Message, identity: Identity | None, revoked: bool = False, messenger_off: bool = False
) -> None:
    if identity is None:
        if messenger_off:
            await message.answer(max_turned_off())
            return
        await message.answer(account_revoked() if revoked else open_your_link())
        return
    await show_menu(message, identity)


async def language(message: Message, i18n: I18n) -> None:
    await message.answer(
        _("Choose the language:"), reply_markup=kb.language_choice(i18n.current_locale)
    )


async def unknown(message: Message, identity: Identity | None, revoked: bool = False) -> None:
    if identity is None:
        await message.answer(account_revoked() if revoked else open_your_link())
        return
    await message.answer(_("I did not understand that. Use the menu below."))
    await show_menu(message, identity)


def create_router() -> Router:
    """The commands, tried first: a conversation's own handlers never take a text starting
    with "/", so nothing else could answer one, and a command does not walk past every
    feature's filters to be found."""
    router = Router(name="commands")
    router.message.register(help_, Command("help"))
    router.message.register(cancel, Command("cancel"))
    router.message.register(menu, Command("menu"))
    router.message.register(language, Command("language"))
    return router


def create_fallback_router() -> Router:
    """What no feature took: a stale button, a text out of place. Tried last."""
    router = Router(name="fallback")
    router.callback_query.register(stale_button, F.data)
    router.message.register(unknown)
    return router
