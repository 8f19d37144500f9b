"""Absence justifications: a parent (or an adult student) sends a certificate — the dates, a
comment, a photo or a document — and the curator approves or rejects it.

The sender's steps are a conversation (``JustForm``); the curator's buttons come with the
message the outbox delivers. Every press re-checks on the server whose certificate it is
(services/absences/justifications.py); a refusal is a polite alert and changes nothing.

A certificate reaches the curator as the file itself with the notice as its caption and the
decision buttons under it: a photo as a photo, a document as a document.
"""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.errors import JournalError
from core.i18n import _
from handlers.middlewares import journal_router
from handlers.ui import Stale, alert, edit_or_send, message_of
from keyboards import justification as kb
from keyboards.curator import REASONS_BY_CODE
from keyboards.justification import DecideAction, DecideCb, SendAction, SendCb
from screens import justification as text
from screens import markup
from services import files
from services.absences import justifications as js
from services.absences.dates import DateRange, parse_range, quick_range
from services.absences.justifications import Decision, JustificationView, Outgoing
from services.access import Actor
from services.people.identity import Identity
from storage.models import AbsenceReason, JustificationStatus


class JustForm(StatesGroup):
    dates = State()
    comment = State()
    file = State()


# --- what the outbox carries -------------------------------------------------------------


def decision_markup(view: JustificationView) -> InlineKeyboardMarkup:
    # The photo comes with the notice itself: no "Show the photo" button is needed.
    return kb.decision_keyboard(view.id, photo=False)


def curator_message(view: JustificationView) -> Outgoing:
    kind = view.file_kind if view.file_id else None
    markup = kb.as_outbox(decision_markup(view))
    return Outgoing(text.curator_notice(view), markup, view.file_id if kind else None, kind)


def outcome_message(decision: Decision) -> Outgoing:
    return Outgoing(text.outcome_notice(decision), kb.as_outbox(kb.done_keyboard()))


async def send_to_curator(message: Message, view: JustificationView) -> None:
    """The same notice, sent straight to a curator who asked for the waiting ones."""
    markup = decision_markup(view)
    if view.file_id and view.file_kind in (js.DOCUMENT, js.PHOTO):
        send = message.answer_photo if view.file_kind == js.PHOTO else message.answer_document
        try:
            await send(view.file_id, caption=text.curator_notice(view), reply_markup=markup)
            return
        except TelegramBadRequest:
            pass  # a file_id of another bot: the text and buttons still let them decide
    await message.answer(text.curator_notice(view), reply_markup=markup)


# --- the sender ----------------------------------------------------------------------------


async def start(
    query: CallbackQuery,
    callback_data: SendCb,
    session: AsyncSession,
    identity: Identity,
    actor: Actor,
    state: FSMContext,
    clock: Clock,
) -> None:
    child = identity.child.student_id if identity.child else None
    sid = callback_data.sid or await js.default_student(session, actor, identity.role, child)
    if sid is None:
        raise JournalError(_("There is no student to send a certificate for."))
    student = await js.student_for_submitter(session, actor, sid, actor.today(clock()))
    await state.set_state(JustForm.dates)
    await state.set_data({"sid": student.student_id})
    await edit_or_send(message_of(query), text.ask_dates(student), kb.dates_keyboard())


async def _dates_chosen(
    target: Message, dates: DateRange, actor: Actor, state: FSMContext, now: datetime
) -> None:
    js.check_dates(dates, actor.today(now))
    await state.update_data(d1=dates.first.isoformat(), d2=dates.last.isoformat())
    await state.set_state(JustForm.comment)
    await target.answer(text.ask_comment(dates), reply_markup=kb.comment_keyboard())


async def quick_dates(
    query: CallbackQuery, callback_data: SendCb, actor: Actor, state: FSMContext, clock: Clock
) -> None:
    if await state.get_state() != JustForm.dates.state:
        raise Stale()
        return
    now = clock()
    dates = quick_range(callback_data.v, actor.today(now))
    await _dates_chosen(message_of(query), dates, actor, state, now)


async def typed_dates(message: Message, actor: Actor, state: FSMContext, clock: Clock) -> None:
    now = clock()
    try:
        dates = parse_range(message.text or "", actor.today(now))
        await _dates_chosen(message, dates, actor, state, now)
    except JournalError as exc:
        await message.answer(markup.text(exc.message), reply_markup=kb.dates_keyboard())


async def typed_comment(message: Message, state: FSMContext) -> None:
    try:
        comment = js.check_comment(message.text or "")
    except JournalError as exc:
        await message.answer(markup.text(exc.message), reply_markup=kb.comment_keyboard())
        return
    await state.update_data(comment=comment)
    await state.set_state(JustForm.file)
    await message.answer(text.ask_file(), reply_markup=kb.file_keyboard())


async def skip_comment(query: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() != JustForm.comment.state:
        raise Stale()
        return
    await state.update_data(comment="")
    await state.set_state(JustForm.file)
    await message_of(query).answer(text.ask_file(), reply_markup=kb.file_keyboard())


async def on_file(
    message: Message,
    session: AsyncSession,
    actor: Actor,
    state: FSMContext,
    settings: Settings,
    clock: Clock,
) -> None:
    """A photo or a document at the comment or the file step: the certificate is complete.
    A caption is the comment when none was written."""
    data = await state.get_data()
    if message.photo:
        file_id, kind = message.photo[-1].file_id, js.PHOTO
    else:
        document = message.document
        assert document is not None  # the router's filter
        files.check_document(document.file_name, document.mime_type, document.file_size)
        file_id, kind = document.file_id, js.DOCUMENT
    comment = str(data.get("comment") or message.caption or "")
    dates = DateRange(
        datetime.fromisoformat(data["d1"]).date(), datetime.fromisoformat(data["d2"]).date()
    )
    done = await js.submit(
        session,
        actor,
        int(data["sid"]),
        dates,
        comment,
        file_id,
        kind,
        clock(),
        settings=settings,
        compose=curator_message,
    )
    await session.flush()
    await state.clear()
    await message.answer(text.sent(done.view, done.curators_told), reply_markup=kb.done_keyboard())


async def file_too_early(message: Message) -> None:
    await message.answer(text.need_dates_first(), reply_markup=kb.dates_keyboard())


async def not_a_comment(message: Message) -> None:
    await message.answer(text.need_text_comment(), reply_markup=kb.comment_keyboard())


async def not_a_file(message: Message) -> None:
    await message.answer(text.need_file(), reply_markup=kb.file_keyboard())


async def stop(query: CallbackQuery, state: FSMContext) -> None:
    if await state.get_state() in (s.state for s in JustForm.__states__):
        await state.clear()
    await edit_or_send(message_of(query), text.cancelled(), kb.done_keyboard())


# --- the curator ---------------------------------------------------------------------------


async def _close_buttons(query: CallbackQuery) -> None:
    """The decision is taken: the buttons go, so an old message cannot be pressed again."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_reply_markup(reply_markup=None)
        except TelegramBadRequest:
            pass  # already without buttons


async def decide(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: DecideCb,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    clock: Clock,
) -> None:
    approve = callback_data.act is DecideAction.APPROVE
    reason = REASONS_BY_CODE.get(callback_data.r, AbsenceReason.ILLNESS)
    decision = await js.decide(
        session,
        actor,
        callback_data.id,
        approve=approve,
        reason=reason,
        now=clock(),
        settings=settings,
        compose=outcome_message,
    )
    await session.flush()  # a rejected write fails before the person is told
    if decision.already:
        alert(callback_answer, text.already_decided(decision.view))
        await _close_buttons(query)
        return
    await _close_buttons(query)
    await message_of(query).answer(text.decided_here(decision))


async def _open(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: DecideCb,
    session: AsyncSession,
    actor: Actor,
) -> JustificationView | None:
    """The certificate if the actor may decide it and it is still open; else an alert (a
    refusal to decide is raised and answered by the router's middleware)."""
    view = await js.for_decision(session, actor, callback_data.id)
    if view.status is not JustificationStatus.PENDING:
        alert(callback_answer, text.already_decided(view))
        await _close_buttons(query)
        return None
    return view


async def ask_reject(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: DecideCb,
    session: AsyncSession,
    actor: Actor,
) -> None:
    view = await _open(query, callback_answer, callback_data, session, actor)
    if view is None:
        return
    await message_of(query).edit_reply_markup(reply_markup=kb.reject_keyboard(view.id))
    callback_answer.text = _("Reject the certificate? The sender will be told.")


async def back_to_decision(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: DecideCb,
    session: AsyncSession,
    actor: Actor,
) -> None:
    view = await _open(query, callback_answer, callback_data, session, actor)
    if view is None:
        return
    await message_of(query).edit_reply_markup(reply_markup=decision_markup(view))


async def show_photo(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: DecideCb,
    session: AsyncSession,
    actor: Actor,
) -> None:
    view = await js.for_decision(session, actor, callback_data.id)
    if not view.file_id:
        alert(callback_answer, _("This certificate has no photo."))
        return
    try:
        await message_of(query).answer_photo(view.file_id, caption=text.photo_caption(view))
    except TelegramBadRequest:
        alert(callback_answer, _("The messenger no longer has this photo."))
        return


def create_router() -> Router:
    router = journal_router("justification")
    cb = router.callback_query
    cb.register(start, SendCb.filter(F.act == SendAction.START))
    cb.register(quick_dates, SendCb.filter(F.act == SendAction.DATES))
    cb.register(skip_comment, SendCb.filter(F.act == SendAction.SKIP_COMMENT))
    cb.register(stop, SendCb.filter(F.act == SendAction.STOP))
    cb.register(decide, DecideCb.filter(F.act.in_({DecideAction.APPROVE, DecideAction.REJECT})))
    cb.register(ask_reject, DecideCb.filter(F.act == DecideAction.ASK_REJECT))
    cb.register(back_to_decision, DecideCb.filter(F.act == DecideAction.BACK))
    cb.register(show_photo, DecideCb.filter(F.act == DecideAction.PHOTO))
    files = F.photo | F.document
    not_command = ~(F.text.startswith("/"))
    msg = router.message
    msg.register(file_too_early, JustForm.dates, files)
    msg.register(typed_dates, JustForm.dates, F.text, not_command)
    msg.register(on_file, JustForm.comment, files)
    msg.register(typed_comment, JustForm.comment, F.text, not_command)
    msg.register(not_a_comment, JustForm.comment, not_command)
    msg.register(on_file, JustForm.file, files)
    msg.register(not_a_file, JustForm.file, not_command)
    return router
