"""The main menu: who I am, what I can do now, switching role, child and language."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.i18n import I18n, _
from handlers.middlewares import LinkedOnly
from handlers.ui import alert, message_of
from keyboards import menu as kb
from keyboards.callbacks import MenuAction, MenuCb, parse_id
from screens.menu import menu_text
from services.people import identity as ident
from services.people.identity import Identity
from storage.models import Role


async def show_menu(message: Message, identity: Identity, *, edit: bool = False) -> None:
    text, markup = menu_text(identity), kb.main_menu(identity)
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


async def home(query: CallbackQuery, identity: Identity) -> None:
    await show_menu(message_of(query), identity, edit=True)


async def roles(query: CallbackQuery, identity: Identity) -> None:
    await message_of(query).edit_text(
        _("Which role do you want to use?"),
        reply_markup=kb.role_choice(identity.roles, identity.role),
    )


async def pick_role(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MenuCb,
    identity: Identity,
    session: AsyncSession,
) -> None:
    try:
        chosen = Role(callback_data.value)
    except ValueError:
        chosen = None
    if chosen is None or not ident.switch_role(identity, chosen):
        alert(callback_answer, _("This role is not yours."))
        return
    await session.flush()  # a rejected write fails before the person is told
    await show_menu(message_of(query), identity, edit=True)


async def children(query: CallbackQuery, identity: Identity) -> None:
    await message_of(query).edit_text(
        _("Whose journal do you want to see?"),
        reply_markup=kb.child_choice(identity.children, identity.child),
    )


async def pick_child(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MenuCb,
    identity: Identity,
    session: AsyncSession,
) -> None:
    student_id = parse_id(callback_data.value)
    if student_id is None or not ident.switch_child(identity, student_id):
        alert(callback_answer, _("Nothing to show here."))
        return
    await session.flush()  # a rejected write fails before the person is told
    await show_menu(message_of(query), identity, edit=True)


async def language(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: MenuCb,
    identity: Identity,
    session: AsyncSession,
    i18n: I18n,
) -> None:
    if not callback_data.value:
        await message_of(query).edit_text(
            _("Choose the language:"), reply_markup=kb.language_choice(i18n.current_locale)
        )
        return
    if callback_data.value not in i18n.available_locales:
        alert(callback_answer, _("This language is not available."))
        return
    identity.account.language = callback_data.value
    await session.flush()  # a rejected write fails before the person is told
    with i18n.use_locale(callback_data.value):
        await show_menu(message_of(query), identity, edit=True)
        callback_answer.text = _("Language changed.")


def create_router() -> Router:
    router = Router(name="menu")
    router.message.middleware(LinkedOnly())
    router.callback_query.middleware(LinkedOnly())
    router.callback_query.register(home, MenuCb.filter(F.action == MenuAction.HOME))
    router.callback_query.register(roles, MenuCb.filter(F.action == MenuAction.ROLES))
    router.callback_query.register(pick_role, MenuCb.filter(F.action == MenuAction.ROLE))
    router.callback_query.register(children, MenuCb.filter(F.action == MenuAction.CHILDREN))
    router.callback_query.register(pick_child, MenuCb.filter(F.action == MenuAction.CHILD))
    router.callback_query.register(language, MenuCb.filter(F.action == MenuAction.LANGUAGE))
    return router
