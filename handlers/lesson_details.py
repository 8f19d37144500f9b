"""Topic and hours, homework (text and/or a file), and the distance-lesson format (R9).

Typed input is validated by the services; an invalid one gets the reason and another try,
and the conversation (kept in the store) survives a restart of the bot.
"""

from __future__ import annotations

import re
from datetime import datetime

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Denied
from core.i18n import _
from handlers.lessons import card_keyboard
from handlers.middlewares import journal_router
from handlers.ui import message_of, save_input
from keyboards import journal as kb
from screens.lessons import card_text, topic_prompt
from screens.markup import join
from services import files
from services.access import Actor
from services.journal import lesson_details, register

TRAILING_TIME = re.compile(r"^(?P<platform>.*?)\s+(?P<time>\d{1,2}[:.]\d{2})\s*$")


class LessonInput(StatesGroup):
    topic = State()
    homework = State()
    distance = State()


async def _editable(
    session: AsyncSession, actor: Actor, lesson_id: int, now: datetime
) -> lesson_details.LessonDetails:
    details = await lesson_details.lesson_details(session, actor, lesson_id, now)
    if details.locked:
        raise Denied(details.locked)
    return details


async def ask(
    query: CallbackQuery,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    state: FSMContext,
) -> None:
    lesson_id, action = callback_data.id, callback_data.do
    details = await _editable(session, actor, lesson_id, clock())
    lesson = details.lesson
    message = message_of(query)
    if action is kb.LessonAction.TOPIC:
        await state.set_state(LessonInput.topic)
        await message.answer(topic_prompt(lesson), reply_markup=kb.back_to_lesson(lesson_id))
    elif action is kb.LessonAction.HOMEWORK:
        await state.set_state(LessonInput.homework)
        await message.answer(
            _("Send the homework as text, or a file with a caption."),
            reply_markup=kb.homework_keyboard(
                lesson_id, bool(lesson.homework or lesson.homework_file_id)
            ),
        )
    else:
        await message.answer(
            _("Is the lesson held at a distance? Choose the format."),
            reply_markup=kb.distance_keyboard(lesson_id, details.distance is not None),
        )
    await state.update_data(lesson=lesson_id)


async def choose_distance_mode(
    query: CallbackQuery,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    state: FSMContext,
) -> None:
    await _editable(session, actor, callback_data.id, clock())
    mode = "online" if callback_data.do is kb.LessonAction.ONLINE else "offline"
    await state.set_state(LessonInput.distance)
    await state.update_data(lesson=callback_data.id, mode=mode)
    await message_of(query).answer(
        _(
            "Send the platform and, if it differs from the lesson's start, the time: "
            "for example “Zoom 10:40” or “Moodle”."
        ),
        reply_markup=kb.back_to_lesson(callback_data.id),
    )


async def _show_card(
    message: Message, session: AsyncSession, actor: Actor, lesson_id: int, now: datetime, note: str
) -> None:
    view = await register.open_register(session, actor, lesson_id, now)
    await message.answer(
        join([note, "", card_text(view, actor.tz)]), reply_markup=card_keyboard(view, actor)
    )


async def on_topic(
    message: Message, session: AsyncSession, actor: Actor, clock: Clock, state: FSMContext
) -> None:
    lesson_id = int((await state.get_data())["lesson"])
    change = lesson_details.set_topic(session, actor, lesson_id, message.text or "", clock())
    details = await save_input(session, change)
    await state.clear()
    await message.answer(
        _("Topic saved. Hours of the lesson: {hours}.").format(hours=details.lesson.hours),
        reply_markup=kb.hours_keyboard(lesson_id, details.lesson.hours),
    )
    await _show_card(message, session, actor, lesson_id, clock(), "")


async def set_hours(
    query: CallbackQuery,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    hours = int(callback_data.do[1:])
    details = await lesson_details.lesson_details(session, actor, callback_data.id, clock())
    await lesson_details.set_topic(
        session, actor, callback_data.id, details.lesson.topic, clock(), hours=hours
    )
    await session.flush()  # a rejected write fails before the person is told
    await message_of(query).edit_text(
        _("Topic saved. Hours of the lesson: {hours}.").format(hours=hours),
        reply_markup=kb.hours_keyboard(callback_data.id, hours),
    )


async def on_homework(
    message: Message, session: AsyncSession, actor: Actor, clock: Clock, state: FSMContext
) -> None:
    lesson_id = int((await state.get_data())["lesson"])
    document = message.document
    text = message.caption if document else message.text
    if document:
        files.check_document(document.file_name, document.mime_type, document.file_size)
    change = lesson_details.set_homework(
        session,
        actor,
        lesson_id,
        text or "",
        clock(),
        file_id=document.file_id if document else None,
        file_name=document.file_name if document else None,
    )
    await save_input(session, change)
    await state.clear()
    await _show_card(message, session, actor, lesson_id, clock(), _("Homework saved."))


async def on_distance(
    message: Message, session: AsyncSession, actor: Actor, clock: Clock, state: FSMContext
) -> None:
    data = await state.get_data()
    lesson_id = int(data["lesson"])
    text = (message.text or "").strip()
    found = TRAILING_TIME.match(text)
    platform, at = (found["platform"], found["time"]) if found else (text, None)
    change = lesson_details.set_distance(
        session, actor, lesson_id, clock(), mode=str(data.get("mode", "")), platform=platform, at=at
    )
    await save_input(session, change)
    await state.clear()
    await _show_card(message, session, actor, lesson_id, clock(), _("Distance format saved."))


async def clear(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    state: FSMContext,
) -> None:
    if callback_data.do is kb.LessonAction.CLEAR_HOMEWORK:
        await lesson_details.clear_homework(session, actor, callback_data.id, clock())
        note = _("Homework cleared.")
    else:
        await lesson_details.clear_distance(session, actor, callback_data.id, clock())
        note = _("The lesson is no longer marked as distance.")
    await session.flush()  # a rejected write fails before the person is told
    await state.clear()
    callback_answer.text = note
    await _show_card(message_of(query), session, actor, callback_data.id, clock(), note)


async def not_text(message: Message) -> None:
    await message.answer(_("Please send text (or /cancel)."))


def create_router() -> Router:
    router = journal_router("lesson_details")
    router.callback_query.register(
        ask,
        kb.LessonCb.filter(
            F.do.in_({kb.LessonAction.TOPIC, kb.LessonAction.HOMEWORK, kb.LessonAction.DISTANCE})
        ),
    )
    router.callback_query.register(
        choose_distance_mode,
        kb.LessonCb.filter(F.do.in_({kb.LessonAction.ONLINE, kb.LessonAction.OFFLINE})),
    )
    router.callback_query.register(set_hours, kb.LessonCb.filter(F.do.in_(kb.HOURS_ACTIONS)))
    router.callback_query.register(
        clear,
        kb.LessonCb.filter(
            F.do.in_({kb.LessonAction.CLEAR_HOMEWORK, kb.LessonAction.CLEAR_DISTANCE})
        ),
    )
    router.message.register(on_topic, LessonInput.topic, F.text, ~F.text.startswith("/"))
    router.message.register(
        on_homework, LessonInput.homework, (F.text & ~F.text.startswith("/")) | F.document
    )
    router.message.register(on_distance, LessonInput.distance, F.text, ~F.text.startswith("/"))
    router.message.register(not_text, LessonInput.topic, ~F.text.startswith("/"))
    router.message.register(not_text, LessonInput.distance, ~F.text.startswith("/"))
    return router
