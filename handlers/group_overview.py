"""The curator's group overview: choose the group and the period, read each student's
attendance and progress (students at risk first), and get the group statement as XLSX.

Every press re-checks that the group is one the person curates; a forged group is refused
and nothing is read for it.
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
from keyboards import monitoring as kb
from keyboards.monitoring import GroupCb, OverviewAction
from screens import group_overview as text
from services.access import Actor
from services.monitoring import group_overview, indicators, span
from services.monitoring.span import Preset, Span

G = OverviewAction


class GroupDates(StatesGroup):
    dates = State()


def _span(data: GroupCb, actor: Actor, clock: Clock) -> Span:
    found = span.from_code(data.sp)
    if found is None:
        raise Stale()
    return span.checked(found, actor.today(clock()), actor.calendar)


async def show_groups(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    groups = await group_overview.curated(session, actor)
    if len(groups) == 1:
        await _show_periods(query, session, actor, clock, groups[0].id)
        return
    await edit_or_send(
        message_of(query), text.choose_group(groups), kb.overview_groups_keyboard(groups)
    )


async def show_periods(
    query: CallbackQuery, callback_data: GroupCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    await _show_periods(query, session, actor, clock, callback_data.group)


async def _show_periods(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock, group_id: int
) -> None:
    group = await group_overview.group_of(session, actor, group_id)
    today = actor.today(clock())
    semester = await indicators.semester_of(session, actor.org_id, today)
    await edit_or_send(
        message_of(query),
        text.choose_period(group),
        kb.overview_period_keyboard(
            group.id,
            group_overview.month_span(today, previous=False),
            group_overview.month_span(today, previous=True),
            span.preset(Preset.SEMESTER, today, semester),
        ),
    )


async def show_overview(
    query: CallbackQuery, callback_data: GroupCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    chosen = _span(callback_data, actor, clock)
    found = await group_overview.overview(session, actor, callback_data.group, chosen)
    await edit_or_send(
        message_of(query), text.overview(found), kb.overview_keyboard(found.group_id, chosen)
    )


async def ask_dates(
    query: CallbackQuery,
    callback_data: GroupCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    group = await group_overview.group_of(session, actor, callback_data.group)
    await state.set_state(GroupDates.dates)
    await state.set_data({"group": group.id})
    await edit_or_send(
        message_of(query), text.ask_dates(group), kb.overview_typing_keyboard(group.id)
    )


async def typed_dates(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    group_id = int((await state.get_data()).get("group", 0))

    async def show(chosen: Span, _today: date) -> Shown:
        found = await group_overview.overview(session, actor, group_id, chosen)
        return text.overview(found), kb.overview_keyboard(found.group_id, chosen)

    back = kb.overview_typing_keyboard(group_id)
    if await answer_typed_span(message, actor, clock, back, show):
        await state.clear()


async def send_statement(
    query: CallbackQuery, callback_data: GroupCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    chosen = _span(callback_data, actor, clock)
    found = await group_overview.overview(session, actor, callback_data.group, chosen)
    await message_of(query).answer_document(
        BufferedInputFile(text.to_xlsx(found), filename=text.statement_name(found)),
        caption=text.statement_caption(found),
    )


def create_router() -> Router:
    router = journal_router("group_overview")
    cb = router.callback_query
    cb.register(show_groups, GroupCb.filter(F.act == G.GROUPS))
    cb.register(show_periods, GroupCb.filter(F.act == G.PERIOD))
    cb.register(show_overview, GroupCb.filter(F.act == G.SHOW))
    cb.register(send_statement, GroupCb.filter(F.act == G.STATEMENT))
    cb.register(ask_dates, GroupCb.filter(F.act == G.TYPE))
    typed = (F.text, ~F.text.startswith("/"))
    router.message.register(typed_dates, GroupDates.dates, *typed)
    return router
