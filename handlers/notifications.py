"""🔔 Notifications: how a parent or a student wants to hear about grades and attendance."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from core.i18n import _
from handlers.middlewares import LinkedOnly
from handlers.ui import Stale, alert, message_of
from keyboards import notifications as kb
from keyboards.notifications import NotifyAction, NotifyCb
from screens.notifications import settings_text
from services.notifications import prefs
from services.people.identity import Identity
from services.policy import Action
from storage.models import Role


async def show(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
) -> None:
    if Action.CHOOSE_NOTIFICATIONS not in identity.rights_as(identity.role):
        alert(callback_answer, _("Notifications are for parents and students."))
        return
    await _render(query, identity, session, settings)


async def cycle(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: NotifyCb,
    identity: Identity,
    session: AsyncSession,
    settings: Settings,
) -> None:
    if (
        Action.CHOOSE_NOTIFICATIONS not in identity.rights_as(identity.role)
        or callback_data.kind not in prefs.KINDS
    ):
        raise Stale()
    mode = await prefs.cycle(
        session,
        org_id=identity.org_id,
        person_id=identity.person.id,
        kind=callback_data.kind,
        as_parent=identity.role is Role.PARENT,
    )
    await session.flush()  # a rejected write fails before the person is told
    await _render(query, identity, session, settings)
    callback_answer.text = kb.choice_label(callback_data.kind, mode)


async def _render(
    query: CallbackQuery, identity: Identity, session: AsyncSession, settings: Settings
) -> None:
    as_parent = identity.role is Role.PARENT
    modes = await prefs.preferences(session, identity.person.id, as_parent=as_parent)
    await message_of(query).edit_text(
        settings_text(settings.notifications, as_parent=as_parent),
        reply_markup=kb.preferences(modes),
    )


def create_router() -> Router:
    router = Router(name="notifications")
    router.message.middleware(LinkedOnly())
    router.callback_query.middleware(LinkedOnly())
    router.callback_query.register(show, NotifyCb.filter(F.action == NotifyAction.SHOW))
    router.callback_query.register(cycle, NotifyCb.filter(F.action == NotifyAction.CYCLE))
    return router
