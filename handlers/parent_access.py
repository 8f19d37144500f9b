"""The adult student's screen: their parents' access to the diary, allowed or stopped, and
changeable later (services/diary/adults.py)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, message_of
from keyboards.parent_access import ParentAccessAction, ParentsCb, choice_keyboard
from screens.parent_access import choice_screen
from services import policy
from services.access import Actor
from services.diary import adults


async def _render(query: CallbackQuery, choice: adults.Choice) -> None:
    may_choose = choice.adult and choice.mode == adults.STUDENT_DECIDES
    await edit_or_send(
        message_of(query), choice_screen(choice), choice_keyboard(choice, may_choose=may_choose)
    )


async def show(
    query: CallbackQuery, session: AsyncSession, actor: Actor, settings: Settings, clock: Clock
) -> None:
    policy.require(actor, policy.Action.CHOOSE_PARENT_ACCESS, None, adults.not_a_student())
    choice = await adults.current(session, actor, settings.adults.parents, actor.today(clock()))
    await _render(query, choice)


async def choose(
    query: CallbackQuery,
    callback_data: ParentsCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    clock: Clock,
) -> None:
    policy.require(actor, policy.Action.CHOOSE_PARENT_ACCESS, None, adults.not_a_student())
    allowed = callback_data.act is ParentAccessAction.ALLOW
    choice = await adults.choose(
        session, actor, allowed, default=settings.adults.parents, now=clock()
    )
    await session.flush()  # a rejected write fails before the person is told
    await _render(query, choice)


def create_router() -> Router:
    router = journal_router("parent_access")
    cb = router.callback_query
    cb.register(show, ParentsCb.filter(F.act == ParentAccessAction.SHOW))
    cb.register(
        choose, ParentsCb.filter(F.act.in_({ParentAccessAction.ALLOW, ParentAccessAction.STOP}))
    )
    return router
