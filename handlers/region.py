"""Regional monitoring for the regional specialist: the colleges of their region side by
side for a period, a college's teachers, and the workbook (XLSX). Aggregates only.

Every press re-checks the right, the span and that the college is in the specialist's scope;
a college outside it is refused and nothing is read for it.
"""

from __future__ import annotations

from datetime import date

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from handlers.middlewares import journal_router
from handlers.monitoring import Shown, answer_typed_span
from handlers.ui import Stale, edit_or_send, message_of
from keyboards import region as kb
from keyboards.region import RegionAction, RegionCb
from screens import region as text
from screens.monitoring_book import region_to_xlsx
from services.access import Actor
from services.monitoring import region, span
from services.monitoring.span import Preset, Span

R = RegionAction


def _span(data: RegionCb, actor: Actor, clock: Clock) -> Span:
    found = span.from_code(data.sp)
    if found is None:
        raise Stale()
    return span.checked(found, actor.today(clock()), actor.calendar)


class RegionDates(StatesGroup):
    dates = State()


async def choose(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    region.require(actor)
    if await state.get_state() == RegionDates.dates.state:
        await state.clear()
    await edit_or_send(message_of(query), text.choose_period(), kb.period_keyboard())


async def ask_dates(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    region.require(actor)
    await state.set_state(RegionDates.dates)
    await edit_or_send(message_of(query), text.ask_dates(), kb.typing_keyboard())


async def typed_dates(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    region.require(actor)

    async def show(chosen: Span, _today: date) -> Shown:
        found = await region.region(session, actor, chosen, clock())
        return text.summary(found), kb.summary_keyboard(found)

    if await answer_typed_span(message, actor, clock, kb.typing_keyboard(), show):
        await state.clear()


async def show_preset(
    query: CallbackQuery,
    callback_data: RegionCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    region.require(actor)
    try:
        kind = Preset(callback_data.p)
    except ValueError:
        raise Stale() from None
    today = actor.today(clock())
    chosen = region.preset_span(actor, kind, today)
    found = await region.region(session, actor, chosen, clock())
    await edit_or_send(message_of(query), text.summary(found), kb.summary_keyboard(found))


async def show_summary(
    query: CallbackQuery,
    callback_data: RegionCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    region.require(actor)
    found = await region.region(session, actor, _span(callback_data, actor, clock), clock())
    await edit_or_send(message_of(query), text.summary(found), kb.summary_keyboard(found))


async def show_college(
    query: CallbackQuery,
    callback_data: RegionCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    region.require(actor)
    chosen = _span(callback_data, actor, clock)
    found = await region.college(session, actor, callback_data.org, chosen, clock())
    await edit_or_send(message_of(query), text.college(found), kb.college_keyboard(chosen))


async def send_book(
    query: CallbackQuery,
    callback_data: RegionCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    region.require(actor)
    chosen = _span(callback_data, actor, clock)
    found = await region.region(session, actor, chosen, clock(), book=True)
    name = f"region-{chosen.first:%Y%m%d}-{chosen.last:%Y%m%d}.xlsx"
    await message_of(query).answer_document(
        BufferedInputFile(region_to_xlsx(found), filename=name), caption=text.book_caption(found)
    )


def create_router() -> Router:
    router = journal_router("region")
    cb = router.callback_query
    cb.register(choose, RegionCb.filter(F.act == R.CHOOSE))
    cb.register(show_preset, RegionCb.filter(F.act == R.PRESET))
    cb.register(show_summary, RegionCb.filter(F.act == R.SUMMARY))
    cb.register(show_college, RegionCb.filter(F.act == R.COLLEGE))
    cb.register(send_book, RegionCb.filter(F.act == R.BOOK))
    cb.register(ask_dates, RegionCb.filter(F.act == R.TYPE))
    typed = (F.text, ~F.text.startswith("/"))
    router.message.register(typed_dates, RegionDates.dates, *typed)
    return router
