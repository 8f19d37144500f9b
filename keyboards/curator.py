"""The curator's buttons: unexplained absences by student and by day, the reason choice, and
the group's invite links.

Buttons carry ids and dates only; the server re-checks on every press that the student is in
one of the curator's groups (services/absences/unexplained.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __, fmt_date
from keyboards.callbacks import Id, MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.curator import DAYS_MAX, STUDENTS_MAX
from services.absences.unexplained import DayAbsences, StudentAbsences
from services.policy import Action
from storage.models import AbsenceReason, Group

REASON_CODES = {
    AbsenceReason.ILLNESS: "i",
    AbsenceReason.EXCUSED: "e",
    AbsenceReason.UNEXCUSED: "u",
}
REASONS_BY_CODE = {code: reason for reason, code in REASON_CODES.items()}
LABEL_MAX = 48
LESSONS_MAX = 20
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class AbsenceAction(StrEnum):
    """What a button of the curator's absences does.
    The values are short: they travel in the 64-byte payload."""

    ASK = "ask"
    CERTIFICATES = "cert"
    DAY = "day"
    DAYS = "days"
    OVERVIEW = "ov"
    PAPER = "pap"
    RANGE = "rng"
    RECEIVED_TODAY = "rcv"
    SET = "set"
    STUDENT = "st"


class AbsCb(CallbackData, prefix="ab"):
    """``ov`` (by student), ``days`` (by day), ``day`` (one day ``d1``), ``st`` (student
    ``sid``), ``ask`` (reason choice for ``sid``: lesson ``les``, or days ``d1``–``d2``),
    ``set`` (the same with reason ``r``), ``rng`` (type a date range for ``sid``), ``pap``
    (record a paper certificate for ``sid``: its dates, then the day it was received),
    ``rcv`` (it was received today), ``cert`` (certificates waiting for a decision). ``bk``
    is where ``ask``/``set`` return: ``s`` the student, ``d`` the day ``d1``. ``nw`` 1: show
    in a new message (a button under a reminder, which must stay)."""

    act: AbsenceAction = AbsenceAction.OVERVIEW
    sid: Id = 0
    les: Id = 0
    d1: str = ""
    d2: str = ""
    r: str = ""
    bk: str = ""
    nw: Id = 0


class InviteAction(StrEnum):
    """What a button of the invite links does.
    The values are short: they travel in the 64-byte payload."""

    ASK = "ask"
    ISSUE = "go"


class InvCb(CallbackData, prefix="iv"):
    """``ask`` (choose the group, or confirm for ``group``), ``go`` (issue the links)."""

    act: InviteAction = InviteAction.ASK
    group: Id = 0


add_menu_item(50, Action.SET_ABSENCE_REASON, __("❗ Unexplained absences"), AbsCb())
add_menu_item(60, Action.ISSUE_INVITES, __("🔗 Invite links"), InvCb())


def reason_button(reason: AbsenceReason) -> str:
    return {
        AbsenceReason.ILLNESS: _("🤒 Illness"),
        AbsenceReason.EXCUSED: _("📄 Excused"),
        AbsenceReason.UNEXCUSED: _("🚫 Unexcused"),
    }[reason]


def day_code(day: date) -> str:
    return day.strftime("%Y%m%d")


def parse_day(code: str) -> date | None:
    """The date of a button, or None for a forged or broken payload."""
    if len(code) != 8 or not code.isdigit():
        return None
    try:
        day = date(int(code[:4]), int(code[4:6]), int(code[6:]))
    except ValueError:
        return None
    return day if FIRST_DAY <= day <= LAST_DAY else None


def _short_day(day: date) -> str:
    return f"{day:%d.%m}, {fmt_date(day, 'EEE')}"


def _menu(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))


def overview_keyboard(students: Sequence[StudentAbsences], waiting: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for s in students[:STUDENTS_MAX]:
        label = f"{s.name} · {len(s.absences)}"
        builder.button(
            text=label[:LABEL_MAX], callback_data=AbsCb(act=AbsenceAction.STUDENT, sid=s.student_id)
        )
    if students:
        builder.button(text=_("📅 By day"), callback_data=AbsCb(act=AbsenceAction.DAYS))
    if waiting:
        builder.button(
            text=_("📄 Certificates to decide ({count})").format(count=waiting),
            callback_data=AbsCb(act=AbsenceAction.CERTIFICATES),
        )
    _menu(builder)
    builder.adjust(1)
    return builder.as_markup()


def days_keyboard(days: Sequence[DayAbsences]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for d in days[:DAYS_MAX]:
        builder.button(
            text=f"{_short_day(d.day)} · {d.count}",
            callback_data=AbsCb(act=AbsenceAction.DAY, d1=day_code(d.day)),
        )
    builder.button(text=_("👤 By student"), callback_data=AbsCb(act=AbsenceAction.OVERVIEW))
    _menu(builder)
    builder.adjust(2)
    return builder.as_markup()


def day_keyboard(day: DayAbsences) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    code = day_code(day.day)
    for s in day.students[:STUDENTS_MAX]:
        label = _("{name}: the whole day ({count})").format(name=s.name, count=len(s.absences))
        builder.button(
            text=label[:LABEL_MAX],
            callback_data=AbsCb(act=AbsenceAction.ASK, sid=s.student_id, d1=code, d2=code, bk="d"),
        )
    builder.button(text=_("⬅ By day"), callback_data=AbsCb(act=AbsenceAction.DAYS))
    builder.adjust(1)
    return builder.as_markup()


def student_keyboard(student: StudentAbsences) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    sid = student.student_id
    days = student.days[-DAYS_MAX:]
    for day in days:
        code = day_code(day)
        label = _("📅 {day}: the whole day ({count})").format(
            day=_short_day(day), count=len(student.on(day))
        )
        builder.button(
            text=label[:LABEL_MAX],
            callback_data=AbsCb(act=AbsenceAction.ASK, sid=sid, d1=code, d2=code, bk="s"),
        )
    for row in student.absences[-LESSONS_MAX:]:
        label = f"{row.day:%d.%m} · {row.pair_no}. {row.discipline}"
        builder.button(
            text=label[:LABEL_MAX],
            callback_data=AbsCb(
                act=AbsenceAction.ASK, sid=sid, les=row.lesson_id, d1=day_code(row.day), bk="s"
            ),
        )
    builder.button(
        text=_("📆 Several days (a certificate)…"),
        callback_data=AbsCb(act=AbsenceAction.RANGE, sid=sid),
    )
    builder.button(
        text=_("📥 A paper certificate was brought…"),
        callback_data=AbsCb(act=AbsenceAction.PAPER, sid=sid),
    )
    builder.button(text=_("⬅ All students"), callback_data=AbsCb(act=AbsenceAction.OVERVIEW))
    builder.adjust(1)
    return builder.as_markup()


def back_target(data: AbsCb) -> AbsCb:
    if data.bk == "d" and data.d1:
        return AbsCb(act=AbsenceAction.DAY, d1=data.d1)
    return AbsCb(act=AbsenceAction.STUDENT, sid=data.sid)


def reason_keyboard(data: AbsCb, *, any_left: bool = True) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if any_left:
        for reason, code in REASON_CODES.items():
            builder.button(
                text=reason_button(reason),
                callback_data=AbsCb(
                    act=AbsenceAction.SET, sid=data.sid, les=data.les, d1=data.d1, d2=data.d2,
                    r=code, bk=data.bk,
                ),
            )  # fmt: skip
    builder.button(text=_("⬅ Back"), callback_data=back_target(data))
    builder.adjust(1)
    return builder.as_markup()


def received_keyboard(student_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("📥 Today"), callback_data=AbsCb(act=AbsenceAction.RECEIVED_TODAY, sid=student_id)
    )
    builder.button(text=_("⬅ Back"), callback_data=AbsCb(act=AbsenceAction.STUDENT, sid=student_id))
    builder.adjust(1)
    return builder.as_markup()


def back_to_student(student_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("⬅ Back"), callback_data=AbsCb(act=AbsenceAction.STUDENT, sid=student_id))
    return builder.as_markup()


def invite_groups_keyboard(groups: Sequence[Group]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group in groups:
        builder.button(text=group.name, callback_data=InvCb(act=InviteAction.ASK, group=group.id))
    _menu(builder)
    builder.adjust(2)
    return builder.as_markup()


def invite_confirm_keyboard(group_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Issue new links"), callback_data=InvCb(act=InviteAction.ISSUE, group=group_id)
    )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()
