"""🔔 Notifications: how a parent or a student wants to hear about grades and attendance."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.i18n import _
from handlers.middlewares import LinkedOnly
from keyboards import notifications as kb
from keyboards.notifications import NotifyCb
from screens.notifications import settings_text
from services.notifications import prefs
from services.people.identity import Identity
from storage.models import Role

LISTENERS = (Role.PARENT, Role.STUDENT)


async def show(
    query: CallbackQuery, identity: Identity, session: AsyncSession, settings: Settings
) -> None:
    if identity.role not in LISTENERS:
        await query.answer(_("Notifications are for parents and students."), show_alert=True)
        return
    await _render(query, identity, session, settings)
    await query.answer()


async def cycle(
    query: CallbackQuery,
    callback_data: NotifyCb,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
) -> None:
    if identity.role not in LISTENERS or callback_data.kind not in prefs.KINDS:
        await query.answer(_("This button is no longer active. Open /menu."), show_alert=True)
        return
    mode = await prefs.cycle(
        session,
        org_id=identity.org_id,
        person_id=identity.person.id,
        kind=callback_data.kind,
        as_parent=identity.role is Role.PARENT,
    )
    await session.commit()
    await _render(query, identity, session, settings)
    await query.answer(kb.choice_label(callback_data.kind, mode))


async def _render(
    query: CallbackQuery, identity: Identity, session: AsyncSession, settings: Settings
) -> None:
    as_parent = identity.role is Role.PARENT
    modes = await prefs.preferences(session, identity.person.id, as_parent=as_parent)
    message = query.message
    assert isinstance(message, Message)
    await message.edit_text(
        settings_text(settings.notifications, as_parent=as_parent),
        reply_markup=kb.preferences(modes),
    )


def create_router() -> Router:
    router = Router(name="notifications")
    router.message.middleware(LinkedOnly())
    router.callback_query.middleware(LinkedOnly())
    router.callback_query.register(show, NotifyCb.filter(F.action == "show"))
    router.callback_query.register(cycle, NotifyCb.filter(F.action == "cycle"))
    return router
