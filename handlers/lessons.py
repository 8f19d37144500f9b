"""The teacher's day and the lesson card with its register.

Every press is re-authorised by the services (the lesson is the actor's, the student is on
its register, the period is open, the edit window has not passed); a refusal they raise is
shown as an alert and changes nothing (``handlers.middlewares.RefusalMiddleware``).
"""

from __future__ import annotations

from datetime import datetime

from aiogram import F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Denied, JournalError
from core.i18n import _, ngettext
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, message_of
from keyboards import journal as kb
from keyboards.callbacks import parse_id
from keyboards.journal import LESSON_LINK_PATTERN, LESSON_LINK_PREFIX
from screens.lessons import card_text, day_text, groups_text
from services import access
from services.access import Actor
from services.journal import register, teacher_day
from services.journal.register import RegisterView


def card_keyboard(view: RegisterView, actor: Actor) -> InlineKeyboardMarkup:
    """The card's keyboard; an overseer's Back leads to the lesson's group, not to a day of
    their own lessons."""
    group = 0 if access.teaches(actor, view.lesson) else view.lesson.group_id
    return kb.register_keyboard(view, group)


async def show_groups(query: CallbackQuery, session: AsyncSession, actor: Actor) -> None:
    groups = await teacher_day.overseen_groups(session, actor)
    await edit_or_send(
        message_of(query),
        groups_text(),
        kb.groups_keyboard(groups),
    )


async def show_day(
    query: CallbackQuery, callback_data: kb.DayCb, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    try:
        day = (
            datetime.strptime(callback_data.day, "%Y%m%d").date()
            if callback_data.day
            else actor.today(clock())
        )
    except ValueError:
        day = actor.today(clock())
    if callback_data.g:
        cards = await teacher_day.group_lessons_of_day(session, actor, callback_data.g, day)
        title = dict(await teacher_day.overseen_groups(session, actor))[callback_data.g]
    else:
        cards, title = await teacher_day.lessons_of_day(session, actor, day), None
    await edit_or_send(
        message_of(query),
        day_text(day, cards, title),
        kb.day_keyboard(day, cards, callback_data.g),
    )


async def show_card(
    query: CallbackQuery,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    view = await register.open_register(session, actor, callback_data.id, clock())
    if (
        callback_data.do is kb.LessonAction.NEW_MESSAGE
    ):  # from a reminder: the digest stays, the card comes below
        await message_of(query).answer(
            card_text(view, actor.tz), reply_markup=card_keyboard(view, actor)
        )
    else:
        await render_card(query, view, actor)


async def open_by_link(
    message: Message, command: CommandObject, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    """``/start lesson-<id>``: a lesson opened from a link in a message or a reminder."""
    lesson_id = parse_id((command.args or "").removeprefix(LESSON_LINK_PREFIX))
    if lesson_id is None:  # a forged or mistyped link names no lesson
        raise Denied(access.not_your_lesson())
    view = await register.open_register(session, actor, lesson_id, clock())
    await message.answer(card_text(view, actor.tz), reply_markup=card_keyboard(view, actor))


async def render_card(query: CallbackQuery, view: RegisterView, actor: Actor) -> None:
    await edit_or_send(message_of(query), card_text(view, actor.tz), card_keyboard(view, actor))


async def tap(
    query: CallbackQuery,
    callback_data: kb.MarkCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    seen = kb.MARKS_BY_CODE.get(callback_data.seen)
    if seen is None:
        raise JournalError(_("This button is out of date. Please open the register again."))
    view = await register.toggle_mark(
        session, actor, callback_data.lesson, callback_data.student, seen, clock()
    )
    await session.flush()  # a rejected write fails before the person is told
    await render_card(query, view, actor)


async def all_present(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    view = await register.mark_all_present(session, actor, callback_data.id, clock())
    await session.flush()  # a rejected write fails before the person is told
    await render_card(query, view, actor)
    callback_answer.text = _("Everyone is present.")


async def finalise(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    result = await register.finalise_register(session, actor, callback_data.id, clock())
    await session.flush()  # a rejected write fails before the person is told
    await render_card(query, result.view, actor)
    if result.changes:
        note = ngettext(
            "Register saved. Parents of {n} student will be notified.",
            "Register saved. Parents of {n} students will be notified.",
            len(result.changes),
        ).format(n=len(result.changes))
    else:
        note = _("Register saved.")
    callback_answer.text = note


def create_router() -> Router:
    router = journal_router("lessons")
    router.message.register(
        open_by_link, CommandStart(deep_link=True, magic=F.args.regexp(LESSON_LINK_PATTERN))
    )
    router.callback_query.register(show_day, kb.DayCb.filter())
    router.callback_query.register(show_groups, kb.GroupsCb.filter())
    router.callback_query.register(tap, kb.MarkCb.filter())
    router.callback_query.register(
        all_present, kb.LessonCb.filter(F.do == kb.LessonAction.ALL_PRESENT)
    )
    router.callback_query.register(finalise, kb.LessonCb.filter(F.do == kb.LessonAction.DONE))
    router.callback_query.register(
        show_card, kb.LessonCb.filter(F.do.in_({kb.LessonAction.CARD, kb.LessonAction.NEW_MESSAGE}))
    )
    return router
