"""Intermediate attestation (R3): the teacher's tasks, a sheet with period averages, a keypad
with the values of the curriculum's form.

Every press is re-authorised by the services (the teacher teaches the group or subgroup the
discipline in that period, the student is on its list, the period is open, the value fits the
form); a refusal is shown as an alert and changes nothing.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.types import CallbackQuery
from aiogram.utils.callback_answer import CallbackAnswer
from babel.numbers import format_decimal
from sqlalchemy.ext.asyncio import AsyncSession

from core.clock import Clock
from core.errors import Denied
from core.i18n import _, current_locale, fmt_date, ngettext
from handlers.middlewares import journal_router
from handlers.ui import edit_or_send, message_of
from keyboards import attestation as kb
from keyboards.journal import grade_label
from services.access import Actor
from services.journal import attestation, teacher_day
from services.journal.attestation import AttestationRow, AttestationSheet
from storage.models import Subgroup


def average_text(row: AttestationRow) -> str:
    if row.average is None:
        return _("no grades")
    return ngettext(
        "average {average} ({n} grade)", "average {average} ({n} grades)", row.grades_count
    ).format(
        average=format_decimal(row.average, "0.##", locale=current_locale()),
        n=row.grades_count,
    )


def _group(name: str, subgroup: str | None) -> str:
    return html.escape(name + (f" / {subgroup}" if subgroup else ""))


def tasks_text(items: list[kb.TaskProgress]) -> str:
    lines = [_("<b>Intermediate attestation</b>")]
    if not items:
        lines.append(_("No period grades are due from you in the open periods."))
        return "\n".join(lines)
    for item in items:
        task = item.task
        lines.append(
            _("{group} · {discipline} · {form}: {filled} of {total}, due {date}").format(
                group=_group(task.group_name, task.subgroup_name),
                discipline=html.escape(task.discipline_name),
                form=kb.form_label(task.form),
                filled=item.filled,
                total=item.total,
                date=fmt_date(task.period.ends_on, "d MMMM"),
            )
        )
    lines.append(_("Choose a group and discipline to enter period grades."))
    return "\n".join(lines)


def _sheet_head(sheet: AttestationSheet, subgroup: str | None) -> str:
    return _("<b>Attestation</b> · {discipline} · {group}\n{period} · {form} · due {date}").format(
        discipline=html.escape(sheet.discipline.name),
        group=_group(sheet.group.name, subgroup),
        period=html.escape(sheet.period.name),
        form=kb.form_label(sheet.form),
        date=fmt_date(sheet.period.ends_on, "d MMMM"),
    )


def sheet_text(sheet: AttestationSheet, subgroup: str | None) -> str:
    lines = [
        _sheet_head(sheet, subgroup),
        _("Filled: {filled} of {total}").format(filled=sheet.filled, total=len(sheet.rows)),
        "",
    ]
    for n, row in enumerate(sheet.rows, 1):
        value = grade_label(row.value) if row.value else "⬜"
        lines.append(f"{n}. {html.escape(row.name)} — {average_text(row)} → {value}")
    if sheet.locked:
        lines.append("\n🔒 " + sheet.locked)
    elif sheet.rows:
        lines.append("\n" + _("Tap a student to enter the period grade."))
    else:
        lines.append(_("Nobody studies in this group now."))
    return "\n".join(lines)


def keypad_text(sheet: AttestationSheet, row: AttestationRow) -> str:
    lines = [
        f"<b>{html.escape(row.name)}</b> · {html.escape(sheet.discipline.name)}",
        kb.form_label(sheet.form) + " · " + html.escape(sheet.period.name),
        _("Current grades in the period: {average}").format(average=average_text(row)),
        _("Period grade: {value}").format(
            value=grade_label(row.value) if row.value else _("not entered")
        ),
    ]
    if row.suggested:
        lines.append(_("⭐ suggested by the average: {value}").format(value=row.suggested))
    lines.append(_("Press a value."))
    return "\n".join(lines)


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
        items.append(kb.TaskProgress(task, sheet.filled, len(sheet.rows)))
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
