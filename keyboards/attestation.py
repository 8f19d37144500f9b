"""Intermediate attestation screens: the teacher's tasks, a sheet, a student's keypad.

A sheet is named by (group, subgroup, discipline, period); ``sub`` 0 is the whole group.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.attestation import TaskProgress
from screens.vocabulary import grade_label
from services.journal.attestation import FORM_VALUES, AttestationRow, AttestationSheet
from services.policy import Action


class AttListCb(CallbackData, prefix="al"):
    """The teacher's attestation tasks."""


class AttCb(CallbackData, prefix="at"):
    """A sheet (``student`` 0) or one student's keypad. ``act``: ``sheet`` (``new``: the sheet
    in a new message, from a reminder), ``open`` (the keypad), a value (2–5, pass, fail) or
    ``del``."""

    group: Id
    sub: Id = 0
    disc: Id
    period: Id
    student: Id = 0
    act: str = "sheet"


add_menu_item(30, Action.GRADE_ATTESTATION, __("📝 Attestation"), AttListCb())


def sheet_cb(sheet: AttestationSheet, student: int = 0, act: str = "sheet") -> AttCb:
    return AttCb(
        group=sheet.group.id,
        sub=sheet.subgroup_id or 0,
        disc=sheet.discipline.id,
        period=sheet.period.id,
        student=student,
        act=act,
    )


def tasks_keyboard(items: Sequence[TaskProgress]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for item in items:
        task = item.task
        group = task.group_name + (f"/{task.subgroup_name}" if task.subgroup_name else "")
        done = "✅" if item.total and item.filled == item.total else "⬜"
        label = f"{done} {group} {task.discipline_name} {item.filled}/{item.total}"
        builder.button(
            text=label[:60],
            callback_data=AttCb(
                group=task.group_id,
                sub=task.subgroup_id or 0,
                disc=task.discipline_id,
                period=task.period.id,
            ),
        )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()


def row_label(row: AttestationRow) -> str:
    shown = grade_label(row.value) if row.value else "⬜"
    return f"{row.name} · {shown}"


def sheet_keyboard(sheet: AttestationSheet) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if sheet.locked is None:
        for row in sheet.rows:
            builder.button(
                text=row_label(row)[:60],
                callback_data=sheet_cb(sheet, row.student_id, "open"),
            )
    builder.button(text=_("⬅ Attestation"), callback_data=AttListCb())
    builder.adjust(2)
    return builder.as_markup()


def keypad(sheet: AttestationSheet, row: AttestationRow) -> InlineKeyboardMarkup:
    """The values of the sheet's form; the suggested one starred, the stored one dotted."""
    builder = InlineKeyboardBuilder()
    values = FORM_VALUES[sheet.form]
    for value in values:
        mark = "• " if value == row.value else ("⭐ " if value == row.suggested else "")
        builder.button(
            text=mark + grade_label(value),
            callback_data=sheet_cb(sheet, row.student_id, value),
        )
    sizes = [len(values)]
    if row.value is not None:
        builder.button(text=_("🗑 Remove"), callback_data=sheet_cb(sheet, row.student_id, "del"))
        sizes.append(1)
    builder.button(text=_("⬅ Students"), callback_data=sheet_cb(sheet))
    sizes.append(1)
    builder.adjust(*sizes)
    return builder.as_markup()
