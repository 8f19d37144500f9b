"""The deputy director hands a teacher's group and discipline to another teacher from a date.
Every press is authorised again by services/people/leaving.py."""

from __future__ import annotations

from datetime import date, datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Invalid
from handlers.middlewares import journal_router
from handlers.ui import Stale, edit_or_send, message_of
from keyboards import handover as kb
from keyboards.handover import HandCb, HandoverAction
from screens import handover as text
from services.access import Actor
from services.people import leaving


class HandoverSteps(StatesGroup):
    teacher = State()  # waiting for letters of the receiving teacher's surname
    day = State()


def _typed_day(value: str) -> date:
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except ValueError:
            continue
    raise Invalid(text.bad_date())


def _day(ordinal: int) -> date:
    try:
        return date.fromordinal(ordinal)
    except (ValueError, OverflowError):
        raise Stale() from None


async def old_teachers(
    query: CallbackQuery, session: AsyncSession, actor: Actor, state: FSMContext
) -> None:
    found = await leaving.teachers(session, actor)
    await state.clear()
    await edit_or_send(message_of(query), text.choose_old(), kb.old_teachers(found))


async def loads(
    query: CallbackQuery, callback_data: HandCb, session: AsyncSession, actor: Actor
) -> None:
    teacher, found = await leaving.loads(session, actor, callback_data.old)
    await edit_or_send(
        message_of(query), text.choose_load(teacher, len(found)), kb.loads(teacher.id, found)
    )


async def ask_new_teacher(
    query: CallbackQuery,
    callback_data: HandCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    c = callback_data
    await leaving.loads(session, actor, c.old)  # the deputy, and a teacher of the college
    await state.set_state(HandoverSteps.teacher)
    await state.set_data({"old": c.old, "g": c.g, "d": c.d})
    await edit_or_send(message_of(query), text.choose_new(), kb.back_to_loads(c.old))


async def typed_teacher(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext
) -> None:
    """A few letters of the receiving teacher's surname, as a student is found for an order."""
    data = await state.get_data()
    letters = (message.text or "").strip()
    found = await leaving.find_teachers(session, actor, letters)
    old, g, d = (int(data.get(k, 0)) for k in ("old", "g", "d"))
    await message.answer(
        text.found_new(found, letters, old), reply_markup=kb.new_teachers(old, g, d, found)
    )


async def ask_date(
    query: CallbackQuery,
    callback_data: HandCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    clock: Clock,
) -> None:
    c = callback_data
    plan = await leaving.plan_handover(
        session, actor, old_teacher_id=c.old, new_teacher_id=c.new, group_id=c.g, discipline_id=c.d
    )
    await state.set_state(HandoverSteps.day)
    await state.set_data({"old": plan.old_teacher.id, "g": c.g, "d": c.d, "new": c.new})
    markup = kb.from_today(c.old, c.g, c.d, c.new, actor.today(clock()))
    await edit_or_send(message_of(query), text.ask_date(), markup)


async def _preview(
    target: Message, session: AsyncSession, actor: Actor, c: HandCb, day: date, *, fresh: bool
) -> None:
    plan = await leaving.plan_handover(
        session, actor, old_teacher_id=c.old, new_teacher_id=c.new, group_id=c.g, discipline_id=c.d
    )
    markup = kb.confirm(c.old, c.g, c.d, c.new, day)
    await edit_or_send(target, text.preview(plan, day), markup, fresh=fresh)


async def preview_today(
    query: CallbackQuery,
    callback_data: HandCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    await state.clear()
    day = _day(callback_data.day)
    await _preview(message_of(query), session, actor, callback_data, day, fresh=False)


async def typed_date(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext
) -> None:
    data = await state.get_data()
    day = _typed_day(message.text or "")
    c = HandCb(
        act=HandoverAction.PREVIEW,
        old=int(data.get("old", 0)),
        g=int(data.get("g", 0)),
        d=int(data.get("d", 0)),
        new=int(data.get("new", 0)),
    )
    await state.clear()
    await _preview(message, session, actor, c, day, fresh=True)


async def confirm(
    query: CallbackQuery,
    callback_data: HandCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    c = callback_data
    result = await leaving.hand_over(
        session,
        actor,
        old_teacher_id=c.old,
        new_teacher_id=c.new,
        group_id=c.g,
        discipline_id=c.d,
        from_day=_day(c.day),
        today=actor.today(clock()),
    )
    await session.flush()  # a rejected write fails before the person is told
    await edit_or_send(message_of(query), text.done(result), kb.old_teachers([]))


def create_router() -> Router:
    router = journal_router("handover")
    cb = router.callback_query
    cb.register(old_teachers, HandCb.filter(F.act == HandoverAction.OLD))
    cb.register(loads, HandCb.filter(F.act == HandoverAction.LOAD))
    cb.register(ask_new_teacher, HandCb.filter(F.act == HandoverAction.NEW))
    cb.register(ask_date, HandCb.filter(F.act == HandoverAction.DATE))
    cb.register(preview_today, HandCb.filter(F.act == HandoverAction.PREVIEW))
    cb.register(confirm, HandCb.filter(F.act == HandoverAction.CONFIRM))
    router.message.register(typed_teacher, HandoverSteps.teacher, F.text, ~(F.text.startswith("/")))
    router.message.register(typed_date, HandoverSteps.day, F.text, ~(F.text.startswith("/")))
    return router
