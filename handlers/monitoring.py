"""The teacher's own week, and monitoring on request (§IV) for the deputy director and the
director: the period, the college's summary with the teachers furthest behind, a teacher's
lessons, one lesson, the workbook (XLSX) and the chart (a photo).

Every press re-checks the right and the span; a forged teacher or lesson is refused as not
found in the college, and nothing is computed for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.errors import JournalError
from handlers.middlewares import journal_router
from handlers.ui import Stale, edit_or_send, message_of
from keyboards import monitoring as kb
from keyboards.monitoring import MonCb, MonitoringAction
from screens import markup
from screens import monitoring as text
from screens.monitoring_book import to_xlsx
from services.access import Actor
from services.monitoring import indicators, items, my_week, span
from services.monitoring.span import Preset, Span

A = MonitoringAction


class MonitoringDates(StatesGroup):
    dates = State()


def _span(data: MonCb, actor: Actor, clock: Clock) -> Span:
    found = span.from_code(data.sp)
    if found is None:
        raise Stale()
    return span.checked(found, actor.today(clock()), actor.calendar)


async def choose(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    indicators.require(actor)
    if await state.get_state() == MonitoringDates.dates.state:
        await state.clear()
    await edit_or_send(message_of(query), text.choose_period(), kb.period_keyboard())


async def show_preset(
    query: CallbackQuery, callback_data: MonCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    indicators.require(actor)
    try:
        kind = Preset(callback_data.p)
    except ValueError:
        raise Stale() from None
    today = actor.today(clock())
    chosen = await indicators.preset_span(session, actor, kind, today)
    m = await items.college_book(session, actor, chosen, today)
    await edit_or_send(message_of(query), text.summary(m), kb.summary_keyboard(m))


async def ask_dates(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    indicators.require(actor)
    await state.set_state(MonitoringDates.dates)
    await edit_or_send(message_of(query), text.ask_dates(), kb.typing_keyboard())


Shown = tuple[str, InlineKeyboardMarkup]


async def answer_typed_span(
    message: Message,
    actor: Actor,
    clock: Clock,
    back: InlineKeyboardMarkup,
    show: Callable[[Span, date], Awaitable[Shown]],
) -> bool:
    """Typed dates (``01.11.2026 – 30.11.2026``) checked, and what ``show`` makes of them
    answered; False, with the refusal and ``back``, for dates refused (the wrong order, no
    working day…): the person types them again. Monitoring, the region and the curator's
    group share it."""
    today = actor.today(clock())
    try:
        chosen = span.checked(span.parse(message.text or ""), today, actor.calendar)
        shown, markup_ = await show(chosen, today)
    except JournalError as exc:
        await message.answer(markup.text(exc.message), reply_markup=back)
        return False
    await message.answer(shown, reply_markup=markup_)
    return True


async def typed_dates(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    async def show(chosen: Span, today: date) -> Shown:
        m = await items.college_book(session, actor, chosen, today)
        return text.summary(m), kb.summary_keyboard(m)

    if await answer_typed_span(message, actor, clock, kb.typing_keyboard(), show):
        await state.clear()


async def show_summary(
    query: CallbackQuery, callback_data: MonCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    indicators.require(actor)
    m = await items.college_book(
        session, actor, _span(callback_data, actor, clock), actor.today(clock())
    )
    await edit_or_send(message_of(query), text.summary(m), kb.summary_keyboard(m))


async def show_teacher(
    query: CallbackQuery, callback_data: MonCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    indicators.require(actor)
    name, m = await items.teacher_book(
        session,
        actor,
        callback_data.tid,
        _span(callback_data, actor, clock),
        actor.today(clock()),
    )
    await edit_or_send(
        message_of(query), text.teacher(name, m), kb.teacher_keyboard(m, callback_data.tid)
    )


async def show_lesson(
    query: CallbackQuery, callback_data: MonCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    indicators.require(actor)
    chosen = _span(callback_data, actor, clock)
    judged = await indicators.lesson(session, actor, callback_data.lid, actor.today(clock()))
    await edit_or_send(
        message_of(query), text.lesson(judged), kb.lesson_keyboard(chosen, judged.row.teacher_id)
    )


async def send_book(
    query: CallbackQuery, callback_data: MonCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    indicators.require(actor)
    chosen = _span(callback_data, actor, clock)
    m = await items.college_book(session, actor, chosen, actor.today(clock()))
    name = f"monitoring-{chosen.first:%Y%m%d}-{chosen.last:%Y%m%d}.xlsx"
    await message_of(query).answer_document(
        BufferedInputFile(to_xlsx(m), filename=name), caption=text.book_caption(m)
    )


async def send_chart(
    query: CallbackQuery, callback_data: MonCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    indicators.require(actor)
    chosen = _span(callback_data, actor, clock)
    m = await indicators.college(session, actor, chosen, actor.today(clock()))
    # matplotlib costs about 25 MB of memory: loaded when a chart is first drawn, not at start.
    from screens.monitoring_chart import to_png

    png = to_png(indicators.weekly(m))
    await message_of(query).answer_photo(
        BufferedInputFile(png, filename="monitoring.png"), caption=text.chart_caption(m)
    )


async def show_my_week(
    query: CallbackQuery, session: AsyncSession, actor: Actor, settings: Settings, clock: Clock
) -> None:
    week = await my_week.my_week(session, actor, settings, clock())
    await edit_or_send(message_of(query), text.my_week(week), kb.my_week_keyboard(week))


def create_router() -> Router:
    router = journal_router("monitoring")
    cb = router.callback_query
    cb.register(choose, MonCb.filter(F.act == A.CHOOSE))
    cb.register(show_preset, MonCb.filter(F.act == A.PRESET))
    cb.register(ask_dates, MonCb.filter(F.act == A.TYPE))
    cb.register(show_summary, MonCb.filter(F.act == A.SUMMARY))
    cb.register(show_teacher, MonCb.filter(F.act == A.TEACHER))
    cb.register(show_lesson, MonCb.filter(F.act == A.LESSON))
    cb.register(send_book, MonCb.filter(F.act == A.BOOK))
    cb.register(send_chart, MonCb.filter(F.act == A.CHART))
    cb.register(show_my_week, MonCb.filter(F.act == A.MY_WEEK))
    typed = (F.text, ~(F.text.startswith("/")))
    router.message.register(typed_dates, MonitoringDates.dates, *typed)
    return router
