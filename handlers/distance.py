"""The deputy director declares distance days: the days (typed, or today), the groups (all or
chosen), the platform, then the preview and the declaration, announced to the groups' students
and parents. The draft lives in the conversation; services/calendar/distance.py checks it all
again at each step and at the declaration."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.errors import Denied
from handlers.middlewares import journal_router
from handlers.ui import Stale, edit_or_send, message_of
from keyboards import announcements as ann_kb
from keyboards import distance as kb
from keyboards.distance import DistanceAction, DistCb
from screens import distance as text
from services.access import Actor
from services.calendar import distance as svc
from services.calendar.distance import Plan


class DistanceDraft(StatesGroup):
    days = State()
    groups = State()
    platform = State()
    confirm = State()


def _days(data: dict[str, Any]) -> tuple[date, date]:
    try:
        return date.fromordinal(int(data["first"])), date.fromordinal(int(data["last"]))
    except (KeyError, ValueError, TypeError, OverflowError):
        raise Stale() from None


async def _state_data(state: FSMContext, *states: State) -> dict[str, Any]:
    if await state.get_state() not in {s.state for s in states}:
        raise Stale()
    return await state.get_data()


async def start(
    query: CallbackQuery, session: AsyncSession, actor: Actor, state: FSMContext
) -> None:
    await svc.choosable_groups(session, actor)  # refuses whoever may not declare
    await state.clear()
    await state.set_state(DistanceDraft.days)
    await edit_or_send(message_of(query), text.ask_days(), kb.days())


async def _ask_groups(
    target: Message,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    first: date,
    last: date,
    *,
    fresh: bool,
) -> None:
    found = await svc.choosable_groups(session, actor)
    await state.set_state(DistanceDraft.groups)
    await state.set_data({"first": first.toordinal(), "last": last.toordinal(), "groups": []})
    await edit_or_send(
        target, text.ask_groups(first, last, len(found)), kb.groups(found, []), fresh=fresh
    )


async def today(
    query: CallbackQuery, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    await _state_data(state, DistanceDraft.days)
    day = actor.today(clock())
    await _ask_groups(message_of(query), session, actor, state, day, day, fresh=False)


async def typed_days(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    first, last = svc.parse_days(message.text or "", actor.today(clock()))
    await _ask_groups(message, session, actor, state, first, last, fresh=True)


async def toggle_group(
    query: CallbackQuery,
    callback_data: DistCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    data = await _state_data(state, DistanceDraft.groups)
    first, last = _days(data)
    found = await svc.choosable_groups(session, actor)
    if callback_data.g not in {gid for gid, _n in found}:
        raise Denied(svc.no_such_group())
    chosen = set(data.get("groups", [])) ^ {callback_data.g}
    await state.update_data(groups=sorted(chosen))
    await edit_or_send(
        message_of(query), text.ask_groups(first, last, len(found)), kb.groups(found, chosen)
    )


async def _ask_platform(query: CallbackQuery, state: FSMContext, groups: list[int] | None) -> None:
    await state.update_data(groups=groups, everyone=groups is None)
    await state.set_state(DistanceDraft.platform)
    await edit_or_send(message_of(query), text.ask_platform(), kb.cancel_only())


async def all_groups(query: CallbackQuery, state: FSMContext) -> None:
    await _state_data(state, DistanceDraft.groups)
    await _ask_platform(query, state, None)


async def chosen_groups(query: CallbackQuery, state: FSMContext) -> None:
    data = await _state_data(state, DistanceDraft.groups)
    await _ask_platform(query, state, [int(g) for g in data.get("groups", [])])


async def _plan(session: AsyncSession, actor: Actor, data: dict[str, Any]) -> Plan:
    first, last = _days(data)
    groups = None if data.get("everyone") else [int(g) for g in data.get("groups") or []]
    return await svc.plan(session, actor, first, last, groups, str(data.get("platform", "")))


async def typed_platform(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext
) -> None:
    data = await _state_data(state, DistanceDraft.platform)
    data["platform"] = svc.clean_platform(message.text)
    plan = await _plan(session, actor, data)
    await state.set_state(DistanceDraft.confirm)
    await state.set_data(data)
    await edit_or_send(message, text.preview(plan), kb.confirm(), fresh=True)


async def confirm(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
) -> None:
    data = await _state_data(state, DistanceDraft.confirm)
    message = message_of(query)
    plan = await _plan(session, actor, data)
    announcement = await svc.declare(
        session,
        actor,
        plan,
        clock(),
        announcement_text=text.announcement(actor.name, svc.AUTHOR_ROLE, plan),
        progress_chat_id=message.chat.id,
        progress_message_id=message.message_id,
        ack_markup=ann_kb.ack_markup,
        message_text=lambda name, role, _typed: text.announcement(name, role, plan),
        default_locale=settings.default_locale,
    )
    await session.flush()  # a rejected write fails before the person is told
    await state.clear()
    announced = announcement.recipients_total if announcement else 0
    await edit_or_send(message, text.done(plan, announced), kb.home())


async def cancel(query: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_or_send(message_of(query), text.cancelled(), kb.home())


def create_router() -> Router:
    router = journal_router("distance")
    cb = router.callback_query
    cb.register(start, DistCb.filter(F.act == DistanceAction.START))
    cb.register(today, DistCb.filter(F.act == DistanceAction.TODAY))
    cb.register(toggle_group, DistCb.filter(F.act == DistanceAction.GROUP))
    cb.register(all_groups, DistCb.filter(F.act == DistanceAction.ALL))
    cb.register(chosen_groups, DistCb.filter(F.act == DistanceAction.NEXT))
    cb.register(confirm, DistCb.filter(F.act == DistanceAction.CONFIRM))
    cb.register(cancel, DistCb.filter(F.act == DistanceAction.CANCEL))
    typed = F.text & ~F.text.startswith("/")
    router.message.register(typed_days, StateFilter(DistanceDraft.days), typed)
    router.message.register(typed_platform, StateFilter(DistanceDraft.platform), typed)
    return router
