"""Intermediate attestation (R3): the teacher's tasks, a sheet with period averages, a keypad
with the values of the curriculum's form.

Every press is re-authorised by the services (the teacher teaches the group or subgroup the
discipline in that period, the student is on its list, the period is open, the value fits the
form); a refusal is shown as an alert and changes nothing.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Denied
from core.i18n import _
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, message_of
from keyboards import attestation as kb
from screens.attestation import TaskProgress, keypad_text, sheet_text, tasks_text
from screens.vocabulary import grade_label
from services.access import Actor
from services.journal import attestation, teacher_day
from services.journal.attestation import AttestationRow, AttestationSheet
from storage.models import Subgroup


def _row(sheet: AttestationSheet, student_id: int) -> AttestationRow:
    for row in sheet.rows:
        if row.student_id == student_id:
            return row
    raise Denied(_("This student is not on the attestation list of this group."))


async def _sheet(session: AsyncSession, actor: Actor, data: kb.AttCb) -> AttestationSheet:
    return await attestation.attestation_sheet(
        session, actor, data.group, data.disc, data.period, subgroup_id=data.sub or None
    )


async def _subgroup_name(session: AsyncSession, sheet: AttestationSheet) -> str | None:
    # Already in the session: the services loaded it to check the teacher's scope.
    if sheet.subgroup_id is None:
        return None
    subgroup = await session.get(Subgroup, sheet.subgroup_id)
    return subgroup.name if subgroup else None


async def show_tasks(
    query: CallbackQuery, session: AsyncSession, actor: Actor, clock: Clock
) -> None:
    items = []
    for task in await teacher_day.attestation_tasks(session, actor, clock()):
        sheet = await attestation.attestation_sheet(
            session,
            actor,
            task.group_id,
            task.discipline_id,
            task.period.id,
            subgroup_id=task.subgroup_id,
        )
        items.append(TaskProgress(task, sheet.filled, len(sheet.rows)))
    await edit_or_send(message_of(query), tasks_text(items), kb.tasks_keyboard(items))


async def on_sheet(
    query: CallbackQuery,
    callback_answer: CallbackAnswer,
    callback_data: kb.AttCb,
    session: AsyncSession,
    actor: Actor,
    clock: Clock,
) -> None:
    data = callback_data
    toast: str | None = None
    if data.act == "open":
        sheet = await _sheet(session, actor, data)
        if sheet.locked:
            raise Denied(sheet.locked)
        row = _row(sheet, data.student)
        await edit_or_send(message_of(query), keypad_text(sheet, row), kb.keypad(sheet, row))
        return
    if data.act == "del":
        await attestation.remove_period_grade(
            session,
            actor,
            data.group,
            data.disc,
            data.period,
            data.student,
            subgroup_id=data.sub or None,
        )
        toast = _("Period grade removed.")
    elif data.act not in {"sheet", "new"}:
        grade = await attestation.set_period_grade(
            session,
            actor,
            data.group,
            data.disc,
            data.period,
            data.student,
            data.act,
            clock(),
            subgroup_id=data.sub or None,
        )
        toast = _("Saved: {value}.").format(value=grade_label(grade.value))
    await session.flush()  # a rejected write fails before the person is told
    sheet = await _sheet(session, actor, data)
    text = sheet_text(sheet, await _subgroup_name(session, sheet))
    fresh = data.act == "new"  # from a reminder: the digest stays
    await edit_or_send(message_of(query), text, kb.sheet_keyboard(sheet), fresh=fresh)
    callback_answer.text = toast


def create_router() -> Router:
    router = journal_router("attestation")
    router.callback_query.register(show_tasks, kb.AttListCb.filter())
    router.callback_query.register(on_sheet, kb.AttCb.filter())
    return router
