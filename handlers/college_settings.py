"""The administrator's *College settings*: parents of adult students and leavers' personal
data (services/college_settings.py). Every press is authorised again by the service."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from core.config import Settings
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, message_of
from keyboards.college_settings import KEYS, CollegeCb, SettingsAction, settings_keyboard
from screens.college_settings import settings_screen
from services import college_settings
from services.access import Actor


async def show(
    query: CallbackQuery, session: AsyncSession, actor: Actor, settings: Settings
) -> None:
    current = await college_settings.current(session, actor, college_settings.Defaults.of(settings))
    await edit_or_send(message_of(query), settings_screen(current), settings_keyboard(current))


async def choose(
    query: CallbackQuery,
    callback_data: CollegeCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
) -> None:
    current = await college_settings.change(
        session,
        actor,
        KEYS[callback_data.key],
        callback_data.value,
        college_settings.Defaults.of(settings),
    )
    await session.flush()  # a rejected write fails before the person is told
    await edit_or_send(message_of(query), settings_screen(current), settings_keyboard(current))


def create_router() -> Router:
    router = journal_router("college_settings")
    cb = router.callback_query
    cb.register(show, CollegeCb.filter(F.act == SettingsAction.SHOW))
    cb.register(choose, CollegeCb.filter(F.act == SettingsAction.SET))
    return router
