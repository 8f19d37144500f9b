"""The diary of students and parents: a day, a week, one lesson, homework files, grades by
discipline and attendance of the current period.

Every press names the student (0: the one in use, from the menu) and ``services.diary.service``
re-checks that the person may see them; otherwise a polite alert, and nothing of that
student is shown.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Denied
from core.i18n import _
from handlers.middlewares import LinkedOnly
from keyboards import diary as kb
from keyboards.diary import DiaryCb
from screens import diary as text
from services.diary import service as diary
from services.diary.service import StudentCard
from services.people.identity import Identity
from storage.models import utcnow


async def _student(
    query: CallbackQuery, callback_data: DiaryCb, session: AsyncSession, identity: Identity
) -> StudentCard | None:
    """The student the button names, if this person may see them; else an alert and None."""
    viewer = diary.viewer_of(identity.person, identity.memberships)
    child = identity.child.student_id if identity.child else None
    sid = callback_data.sid or diary.default_student(viewer, identity.role, child)
    try:
        return await diary.open_student(session, viewer, sid)
    except Denied as exc:
        await query.answer(exc.message, show_alert=True)
        return None


async def _show(query: CallbackQuery, body: str, markup: InlineKeyboardMarkup) -> None:
    """Edit the screen in place; an identical screen (a repeated tap) is not an error, and a
    message that can no longer be edited gets a fresh one."""
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_text(body, reply_markup=markup)
            await query.answer()
            return
        except TelegramBadRequest as exc:
            if "message is not modified" in exc.message:
                await query.answer()
                return
    await query.bot.send_message(query.from_user.id, body, reply_markup=markup)  # type: ignore[union-attr]
    await query.answer()


async def _stale(query: CallbackQuery) -> None:
    await query.answer(_("This button is no longer active. Open /menu."), show_alert=True)


async def show_day(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    clock: Clock = utcnow,
) -> None:
    card = await _student(query, callback_data, session, identity)
    if card is None:
        return
    today = card.today(clock())
    if callback_data.act == "day":
        day = kb.parse_day(callback_data.day)
        if day is None:
            await _stale(query)
            return
    else:
        day = today + timedelta(days=1 if callback_data.act == "tomorrow" else 0)
    found = await diary.diary_day(session, card, day)
    screen = text.day_screen(card, found, today)
    await _show(query, screen.text, kb.day_keyboard(card.student_id, found, screen.shortened))


async def show_week(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    clock: Clock = utcnow,
) -> None:
    card = await _student(query, callback_data, session, identity)
    if card is None:
        return
    today = card.today(clock())
    day = kb.parse_day(callback_data.day) if callback_data.day else today
    if day is None:
        await _stale(query)
        return
    week = await diary.diary_week(session, card, day)
    screen = text.week_screen(card, week, today)
    await _show(query, screen.text, kb.week_keyboard(card.student_id, week))


async def show_lesson(
    query: CallbackQuery, callback_data: DiaryCb, session: AsyncSession, identity: Identity
) -> None:
    card = await _student(query, callback_data, session, identity)
    if card is None:
        return
    try:
        lesson = await diary.diary_lesson(session, card, callback_data.lid)
    except Denied as exc:
        await query.answer(exc.message, show_alert=True)
        return
    screen = text.lesson_screen(card, lesson)
    await _show(query, screen.text, kb.lesson_keyboard(card.student_id, lesson))


async def send_homework_file(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    bot: Bot,
) -> None:
    card = await _student(query, callback_data, session, identity)
    if card is None:
        return
    try:
        found = await diary.homework_file(session, card, callback_data.lid)
    except Denied as exc:
        await query.answer(exc.message, show_alert=True)
        return
    caption = text.homework_caption(found.discipline, found.date)
    try:
        await bot.send_document(query.from_user.id, found.file_id, caption=caption)
    except TelegramBadRequest:
        await query.answer(
            _("The file could not be sent. Please ask the teacher to attach it again."),
            show_alert=True,
        )
        return
    await query.answer()


async def show_summary(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    clock: Clock = utcnow,
) -> None:
    """The period's grades by discipline (``grades``) or attendance by reason (``att``)."""
    card = await _student(query, callback_data, session, identity)
    if card is None:
        return
    today = card.today(clock())
    if callback_data.act == "grades":
        screen = text.grades_screen(card, await diary.grades_summary(session, card, today))
    else:
        screen = text.attendance_screen(card, await diary.attendance_summary(session, card, today))
    await _show(query, screen.text, kb.summary_keyboard(card.student_id))


def create_router() -> Router:
    router = Router(name="diary")
    router.message.middleware(LinkedOnly())
    router.callback_query.middleware(LinkedOnly())
    days = {"today", "tomorrow", "day"}
    router.callback_query.register(show_day, DiaryCb.filter(F.act.in_(days)))
    router.callback_query.register(show_week, DiaryCb.filter(F.act == "week"))
    router.callback_query.register(show_lesson, DiaryCb.filter(F.act == "lesson"))
    router.callback_query.register(send_homework_file, DiaryCb.filter(F.act == "file"))
    router.callback_query.register(show_summary, DiaryCb.filter(F.act.in_({"grades", "att"})))
    return router
