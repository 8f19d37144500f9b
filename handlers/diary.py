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
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.config import Settings
from core.i18n import _
from handlers.middlewares import LinkedOnly
from handlers.ui import Stale, alert, edit_or_send
from keyboards import diary as kb
from keyboards.diary import DiaryAction, DiaryCb
from screens import diary as text
from services.diary import service as diary
from services.diary.service import StudentCard
from services.people.identity import Identity
from storage.models import utcnow


async def _student(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    settings: Settings,
    clock: Clock,
) -> StudentCard:
    """The student the button names, if this person may see them (else a refusal)."""
    viewer = diary.viewer_of(identity.person, identity.memberships)
    child = identity.child.student_id if identity.child else None
    sid = callback_data.sid or diary.default_student(viewer, identity.role, child)
    return await diary.open_student(
        session,
        viewer,
        sid,
        adults_default=settings.adults.parents,
        today=clock().astimezone(settings.tz).date(),
    )


async def _show(query: CallbackQuery, body: str, markup: InlineKeyboardMarkup) -> None:
    """Edit the screen in place; an identical screen (a repeated tap) is not an error, and a
    message that can no longer be edited gets a fresh one."""
    message = query.message
    if isinstance(message, Message):
        await edit_or_send(message, body, markup, resend=True)
        return
    if query.bot is not None:
        await query.bot.send_message(query.from_user.id, body, reply_markup=markup)


async def show_day(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    settings: Settings,
    clock: Clock = utcnow,
) -> None:
    card = await _student(query, callback_data, session, identity, settings, clock)
    today = card.today(clock())
    if callback_data.act is DiaryAction.DAY:
        day = kb.parse_day(callback_data.day)
        if day is None:
            raise Stale()
    else:
        day = today + timedelta(days=1 if callback_data.act is DiaryAction.TOMORROW else 0)
    found = await diary.diary_day(session, card, day)
    screen = text.day_screen(card, found, today)
    await _show(query, screen.text, kb.day_keyboard(card.student_id, found, screen.shortened))


async def show_week(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    settings: Settings,
    clock: Clock = utcnow,
) -> None:
    card = await _student(query, callback_data, session, identity, settings, clock)
    today = card.today(clock())
    day = kb.parse_day(callback_data.day) if callback_data.day else today
    if day is None:
        raise Stale()
    week = await diary.diary_week(session, card, day)
    screen = text.week_screen(card, week, today)
    await _show(query, screen.text, kb.week_keyboard(card.student_id, week))


async def show_lesson(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    settings: Settings,
    clock: Clock = utcnow,
) -> None:
    card = await _student(query, callback_data, session, identity, settings, clock)
    lesson = await diary.diary_lesson(session, card, callback_data.lid)
    screen = text.lesson_screen(card, lesson)
    await _show(query, screen.text, kb.lesson_keyboard(card.student_id, lesson))


async def send_homework_file(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    bot: Bot,
    settings: Settings,
    clock: Clock = utcnow,
) -> None:
    card = await _student(query, callback_data, session, identity, settings, clock)
    found = await diary.homework_file(session, card, callback_data.lid)
    caption = text.homework_caption(found.discipline, found.date)
    try:
        await bot.send_document(query.from_user.id, found.file_id, caption=caption)
    except TelegramBadRequest:
        alert(
            callback_answer,
            _("The file could not be sent. Please ask the teacher to attach it again."),
        )


async def show_summary(
    query: CallbackQuery,
    callback_data: DiaryCb,
    session: AsyncSession,
    identity: Identity,
    settings: Settings,
    clock: Clock = utcnow,
) -> None:
    """The period's grades by discipline (``grades``) or attendance by reason (``att``)."""
    card = await _student(query, callback_data, session, identity, settings, clock)
    today = card.today(clock())
    if callback_data.act is DiaryAction.GRADES:
        screen = text.grades_screen(card, await diary.grades_summary(session, card, today))
    else:
        screen = text.attendance_screen(card, await diary.attendance_summary(session, card, today))
    await _show(query, screen.text, kb.summary_keyboard(card.student_id))


def create_router() -> Router:
    router = Router(name="diary")
    router.message.middleware(LinkedOnly())
    router.callback_query.middleware(LinkedOnly())
    days = {DiaryAction.TODAY, DiaryAction.TOMORROW, DiaryAction.DAY}
    router.callback_query.register(show_day, DiaryCb.filter(F.act.in_(days)))
    router.callback_query.register(show_week, DiaryCb.filter(F.act == DiaryAction.WEEK))
    router.callback_query.register(show_lesson, DiaryCb.filter(F.act == DiaryAction.LESSON))
    router.callback_query.register(send_homework_file, DiaryCb.filter(F.act == DiaryAction.FILE))
    router.callback_query.register(
        show_summary, DiaryCb.filter(F.act.in_({DiaryAction.GRADES, DiaryAction.ATTENDANCE}))
    )
    return router
