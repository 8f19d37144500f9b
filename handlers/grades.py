"""Grades on a lesson: pick a student, press a value on the keypad; change, comment, remove."""

from __future__ import annotations

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
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, message_of, save_input
from keyboards import journal as kb
from screens.lessons import keypad_text, sheet_text
from screens.vocabulary import grade_label
from services.access import Actor, not_on_register
from services.journal import grades
from services.journal.grades import LessonGrades, StudentGrades
from storage.models import GradeKind


class GradeComment(StatesGroup):
    text = State()


def _row(sheet: LessonGrades, student_id: int) -> StudentGrades:
    for row in sheet.rows:
        if row.student_id == student_id:
            return row
    raise Denied(not_on_register())


async def show_sheet(
    query: CallbackQuery,
    callback_data: kb.LessonCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    sheet = await grades.lesson_grades(session, actor, callback_data.id, clock())
    await edit_or_send(message_of(query), sheet_text(sheet), kb.grades_keyboard(sheet))


async def _show_keypad(
    query: CallbackQuery, session: AsyncSession, actor: Actor, now: datetime, data: kb.GradeCb
) -> None:
    sheet = await grades.lesson_grades(session, actor, data.lesson, now)
    if sheet.locked:
        raise Denied(sheet.locked)
    row = _row(sheet, data.student)
    if data.grade and all(g.grade_id != data.grade for g in row.grades):
        data = kb.GradeCb(lesson=data.lesson, student=data.student)  # gone meanwhile: a new one
    kind = kb.KINDS_BY_CODE.get(data.kind, GradeKind.CURRENT)
    await edit_or_send(
        message_of(query),
        keypad_text(sheet, row, data.grade, kind),
        kb.keypad(data.lesson, row, data.grade, kind),
    )


async def on_grade(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.GradeCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
    state: FSMContext,
) -> None:
    data, now = callback_data, clock()
    if data.act == "open":
        await _show_keypad(query, session, actor, now, data)
        return
    if data.act == "note":
        await grades.lesson_grades(session, actor, data.lesson, now)  # authorises the view
        await state.set_state(GradeComment.text)
        await state.update_data(lesson=data.lesson, student=data.student, grade=data.grade)
        await message_of(query).answer(
            _("Write a comment to the grade (up to 255 characters), or /cancel.")
        )
        return
    if data.act == "del":
        await grades.remove_grade(session, actor, data.grade, now)
        toast = _("Grade removed.")
    elif data.grade:
        await grades.change_grade(session, actor, data.grade, now, value=data.act)
        toast = _("Grade changed to {value}.").format(value=grade_label(data.act))
    else:
        kind = kb.KINDS_BY_CODE.get(data.kind, GradeKind.CURRENT)
        await grades.add_grade(session, actor, data.lesson, data.student, data.act, now, kind=kind)
        toast = _("Saved: {value}.").format(value=grade_label(data.act))
    await session.flush()  # a rejected write fails before the person is told
    sheet = await grades.lesson_grades(session, actor, data.lesson, now)
    await edit_or_send(message_of(query), sheet_text(sheet), kb.grades_keyboard(sheet))
    callback_answer.text = toast


async def on_comment(
    message: Message, session: AsyncSession, actor: Actor, clock: Clock, state: FSMContext
) -> None:
    data = await state.get_data()
    change = grades.change_grade(
        session, actor, int(data["grade"]), clock(), comment=message.text or ""
    )
    await save_input(session, change)
    await state.clear()
    sheet = await grades.lesson_grades(session, actor, int(data["lesson"]), clock())
    await message.answer(
        _("Comment saved.") + "\n\n" + sheet_text(sheet), reply_markup=kb.grades_keyboard(sheet)
    )


def create_router() -> Router:
    router = journal_router("grades")
    router.callback_query.register(show_sheet, kb.LessonCb.filter(F.do == kb.LessonAction.GRADES))
    router.callback_query.register(on_grade, kb.GradeCb.filter())
    router.message.register(on_comment, GradeComment.text, F.text, ~F.text.startswith("/"))
    return router
