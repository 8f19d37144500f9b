"""The curator's screens: unexplained absences of their groups by student and by day,
setting a reason for one lesson, a whole day or a typed date range, a paper certificate
brought to the curator (its dates and the day it was received: R4 counts from that day), the
certificates waiting for a decision, and the group's invite links (R5).

Every press is re-authorised by the services (the student is in one of the curator's groups
now); a refusal is a polite alert and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.errors import Denied, JournalError
from core.i18n import _, fmt_date
from core.messenger import Messenger
from core.textsplit import split_html
from handlers.justification import send_to_curator
from handlers.middlewares import journal_router
from handlers.ui import Stale, alert, edit_or_send, invite_terms, message_of
from keyboards import curator as kb
from keyboards.curator import AbsCb, AbsenceAction, InvCb, InviteAction
from keyboards.menu import home_button
from screens import curator as text
from screens import markup
from screens.invite_sheet import to_xlsx
from screens.justification import waiting_header
from services.absences import justifications
from services.absences import unexplained as absences
from services.absences.dates import DateRange, parse_range
from services.access import Actor
from services.people import curator_invites
from services.reminders import deadlines as rules
from storage.absences import StudentInfo

WAITING_SHOWN = 10


class ReasonRange(StatesGroup):
    dates = State()


class PaperCertificate(StatesGroup):
    dates = State()
    received = State()


TYPING = {ReasonRange.dates.state, PaperCertificate.dates.state, PaperCertificate.received.state}


def _not_curator() -> Denied:
    return Denied(_("This is for curators of a group."))


def _dates(data: AbsCb) -> DateRange | None:
    first = kb.parse_day(data.d1)
    last = kb.parse_day(data.d2) if data.d2 else first
    if first is None or last is None:
        return None
    return DateRange(first, last)


# --- unexplained absences --------------------------------------------------------------


async def show_overview(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock, state: FSMContext
) -> None:
    if not actor.curator_group_ids:
        raise _not_curator()
    if await state.get_state() in TYPING:
        await state.clear()
    groups = await absences.curated_groups(session, actor)
    students = await absences.by_student(session, actor, actor.today(clock()))
    waiting = await justifications.count_waiting(session, actor)
    await edit_or_send(
        message_of(query),
        text.overview_text(groups, students, waiting),
        kb.overview_keyboard(students, waiting),
    )


async def show_days(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    if not actor.curator_group_ids:
        raise _not_curator()
    days = await absences.by_day(session, actor, actor.today(clock()))
    await edit_or_send(message_of(query), text.days_text(days), kb.days_keyboard(days))


async def show_day(
    query: CallbackQuery, callback_data: AbsCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    day = kb.parse_day(callback_data.d1)
    if day is None:
        raise Stale()
    if not actor.curator_group_ids:
        raise _not_curator()
    found = await absences.of_day(session, actor, day, actor.today(clock()))
    await edit_or_send(message_of(query), text.day_text(found), kb.day_keyboard(found))


async def _render_student(
    query: CallbackQuery,
    session: AsyncSession,
    actor: Actor,
    student_id: int,
    today: date,
    *,
    fresh: bool = False,
) -> None:
    student, found = await absences.of_student(session, actor, student_id, today)
    await edit_or_send(
        message_of(query),
        text.student_text(student, found),
        kb.student_keyboard(found),
        fresh=fresh,
    )


async def show_student(
    query: CallbackQuery,
    callback_data: AbsCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    state: FSMContext,
) -> None:
    if await state.get_state() in TYPING:
        await state.clear()  # "Back" from typing dates
    await _render_student(
        query,
        session,
        actor,
        callback_data.sid,
        actor.today(clock()),
        fresh=bool(callback_data.nw),
    )


async def ask_reason(
    query: CallbackQuery, callback_data: AbsCb, session: AsyncSession, actor: Actor
) -> None:
    data = callback_data
    dates = None if data.les else _dates(data)
    if not data.les and dates is None:
        raise Stale()
    student, rows = await absences.unexplained_in(
        session,
        actor,
        data.sid,
        first=dates.first if dates else None,
        last=dates.last if dates else None,
        lesson_id=data.les or None,
    )
    what = text.scope_label(rows, data.les, dates)
    await edit_or_send(
        message_of(query),
        text.ask_text(student, rows, what),
        kb.reason_keyboard(data, any_left=bool(rows)),
    )


async def set_reason(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: AbsCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    data = callback_data
    reason = kb.REASONS_BY_CODE.get(data.r)
    dates = None if data.les else _dates(data)
    if reason is None or (not data.les and dates is None):
        raise Stale()
    now = clock()
    result = await absences.set_reason(
        session,
        actor,
        data.sid,
        reason,
        now,
        first=dates.first if dates else None,
        last=dates.last if dates else None,
        lesson_id=data.les or None,
    )
    await session.flush()  # a rejected write fails before the person is told
    today = actor.today(now)
    if data.bk == "d" and (day := kb.parse_day(data.d1)) is not None:
        found = await absences.of_day(session, actor, day, today)
        await edit_or_send(message_of(query), text.day_text(found), kb.day_keyboard(found))
    else:
        await _render_student(query, session, actor, data.sid, today)
    if result.count:
        callback_answer.text = text.reason_set(result)
    else:
        alert(callback_answer, text.nothing_set())


async def _ask_dates(
    query: CallbackQuery,
    callback_data: AbsCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    step: State,
    prompt: Callable[[StudentInfo], str],
) -> None:
    """Ask for the dates of a student's absences (a reason's range, a paper certificate)."""
    student = await absences.student_for_reasons(session, actor, callback_data.sid)
    await state.set_state(step)
    await state.set_data({"sid": student.student_id})
    await message_of(query).answer(
        prompt(student), reply_markup=kb.back_to_student(student.student_id)
    )


async def ask_range(
    query: CallbackQuery,
    callback_data: AbsCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    await _ask_dates(
        query, callback_data, session, actor, state, ReasonRange.dates, text.range_prompt
    )


async def typed_range(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    data = await state.get_data()
    today = actor.today(clock())
    try:
        dates = parse_range(
            message.text or "", today, max_days=absences.MAX_RANGE_DAYS, not_after=today
        )
        student, rows = await absences.unexplained_in(
            session, actor, int(data["sid"]), first=dates.first, last=dates.last
        )
    except JournalError as exc:
        await message.answer(markup.text(exc.message))
        return
    await state.clear()
    choice = AbsCb(
        act=AbsenceAction.ASK,
        sid=student.student_id,
        d1=kb.day_code(dates.first),
        d2=kb.day_code(dates.last),
        bk="s",
    )
    await message.answer(
        text.ask_text(student, rows, dates.label()),
        reply_markup=kb.reason_keyboard(choice, any_left=bool(rows)),
    )


# --- a paper certificate (R4 counts from the day it was received) --------------------------


async def ask_paper(
    query: CallbackQuery,
    callback_data: AbsCb,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
) -> None:
    await _ask_dates(
        query, callback_data, session, actor, state, PaperCertificate.dates, text.paper_dates_prompt
    )


async def typed_paper_dates(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    data = await state.get_data()
    today = actor.today(clock())
    try:
        student = await absences.student_for_reasons(session, actor, int(data["sid"]))
        dates = parse_range(message.text or "", today, max_days=justifications.MAX_DAYS)
        justifications.check_dates(dates, today)
    except JournalError as exc:
        await message.answer(markup.text(exc.message))
        return
    await state.set_state(PaperCertificate.received)
    await state.update_data(d1=kb.day_code(dates.first), d2=kb.day_code(dates.last))
    await message.answer(
        text.paper_received_prompt(dates.label()),
        reply_markup=kb.received_keyboard(student.student_id),
    )


async def _record_paper(
    answer: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock, day: date
) -> None:
    """Record the certificate whose dates the conversation holds, received on ``day``."""
    data = await state.get_data()
    first, last = kb.parse_day(data.get("d1", "")), kb.parse_day(data.get("d2", ""))
    if first is None or last is None:
        raise Stale()
    view = await justifications.record_paper(
        session, actor, int(data["sid"]), DateRange(first, last), day, clock()
    )
    await session.flush()  # a rejected write fails before the curator is told
    await state.clear()
    deadline = rules.justification_deadline(day, actor.calendar)
    await answer.answer(text.paper_recorded(fmt_date(deadline, "d MMMM")))
    await send_to_curator(answer, view)


async def typed_paper_received(
    message: Message, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    today = actor.today(clock())
    day = parse_range(message.text or "", today, max_days=1).first
    await _record_paper(message, session, actor, state, clock, day)


async def received_today(
    query: CallbackQuery, session: AsyncSession, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    if await state.get_state() != PaperCertificate.received.state:
        raise Stale()
    await _record_paper(message_of(query), session, actor, state, clock, actor.today(clock()))


async def show_waiting(
    query: CallbackQuery, callback_answer: CallbackAnswer, session: AsyncSession, actor: Actor
) -> None:
    """Certificates still waiting, each with its buttons: for a curator who linked after they
    were sent, or who lost the message."""
    views = await justifications.waiting(session, actor)
    if not views:
        alert(callback_answer, _("No certificates are waiting for a decision."))
        return
    target = message_of(query)
    await target.answer(waiting_header(len(views)))
    for view in views[:WAITING_SHOWN]:
        await send_to_curator(target, view)


# --- invite links ------------------------------------------------------------------------


async def invites_ask(
    query: CallbackQuery, callback_data: InvCb, session: AsyncSession, actor: Actor
) -> None:
    if callback_data.group:
        group = await curator_invites.curated_group(session, actor, callback_data.group)
    else:
        groups = await absences.curated_groups(session, actor)
        if not groups:
            raise _not_curator()
        if len(groups) > 1:
            await edit_or_send(
                message_of(query),
                text.invite_choose_group(),
                kb.invite_groups_keyboard(groups),
            )
            return
        group = groups[0]
    await edit_or_send(
        message_of(query),
        text.invite_confirm(group),
        kb.invite_confirm_keyboard(group.id),
    )


async def invites_issue(
    query: CallbackQuery,
    callback_data: InvCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    clock: Clock,
    bot: Bot,
    messenger_bots: dict[Messenger, Bot] | None = None,
) -> None:
    group, rows = await curator_invites.issue_group_links(
        session,
        actor,
        callback_data.group,
        await invite_terms(bot, settings, clock(), messenger_bots),
    )
    await session.flush()  # a rejected write fails before the person is told
    target = message_of(query)
    if not rows:
        await edit_or_send(target, text.invite_none(group), home_button())
        return
    await edit_or_send(target, text.invite_done(group, rows), home_button())
    for part in split_html(text.invite_list(group, rows)):
        await target.answer(part)
    sheet = BufferedInputFile(to_xlsx(rows), filename=f"invites-{group.name}.xlsx")
    await target.answer_document(sheet, caption=text.invite_file_caption(group, rows))


def create_router() -> Router:
    router = journal_router("curator")
    cb = router.callback_query
    cb.register(show_overview, AbsCb.filter(F.act == AbsenceAction.OVERVIEW))
    cb.register(show_days, AbsCb.filter(F.act == AbsenceAction.DAYS))
    cb.register(show_day, AbsCb.filter(F.act == AbsenceAction.DAY))
    cb.register(show_student, AbsCb.filter(F.act == AbsenceAction.STUDENT))
    cb.register(ask_reason, AbsCb.filter(F.act == AbsenceAction.ASK))
    cb.register(set_reason, AbsCb.filter(F.act == AbsenceAction.SET))
    cb.register(ask_range, AbsCb.filter(F.act == AbsenceAction.RANGE))
    cb.register(ask_paper, AbsCb.filter(F.act == AbsenceAction.PAPER))
    cb.register(received_today, AbsCb.filter(F.act == AbsenceAction.RECEIVED_TODAY))
    cb.register(show_waiting, AbsCb.filter(F.act == AbsenceAction.CERTIFICATES))
    cb.register(invites_ask, InvCb.filter(F.act == InviteAction.ASK))
    cb.register(invites_issue, InvCb.filter(F.act == InviteAction.ISSUE))
    router.message.register(typed_range, ReasonRange.dates, F.text, ~(F.text.startswith("/")))
    typed = (F.text, ~(F.text.startswith("/")))
    router.message.register(typed_paper_dates, PaperCertificate.dates, *typed)
    router.message.register(typed_paper_received, PaperCertificate.received, *typed)
    return router
