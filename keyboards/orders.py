"""Movement orders: the kinds, students found, groups and subgroups, the preview's buttons."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.orders import found_label
from screens.vocabulary import order_kind
from services.orders.card import StudentCard
from services.policy import Action
from storage.models import Group, OrderKind, Subgroup
from storage.orders import FoundStudent

GROUPS_PER_ROW = 3


class OrderAction(StrEnum):
    """What a button of an order does. The values are short: they travel in the payload."""

    START = "new"
    KIND = "kind"
    STUDENT = "st"
    GROUP = "grp"
    TO = "to"
    SUBGROUP = "sub"
    CONFIRM = "ok"
    CANCEL = "x"
    FIND = "find"
    CARD = "card"
    ANNUL = "an"  # ``val``: the order and the student, ``order-student``
    ANNUL_OK = "ano"


class OrdCb(CallbackData, prefix="or"):
    """``new`` (the kinds), ``kind`` (``val`` = kind), ``st`` (a student found), ``grp`` (the
    group of a group order), ``to`` (the group moved or enrolled to), ``sub`` (a subgroup, or
    none), ``ok``, ``x``; ``find`` and ``card`` open a student's card."""

    act: OrderAction
    val: str = ""


add_menu_item(35, Action.ENTER_ORDERS, __("📜 Movement order"), OrdCb(act=OrderAction.START))
add_menu_item(36, Action.ENTER_ORDERS, __("🔎 Student card"), OrdCb(act=OrderAction.FIND))


def _cancel(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("✖ Cancel"), callback_data=OrdCb(act=OrderAction.CANCEL))


def kinds_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in (
        OrderKind.ENROLMENT,
        OrderKind.TRANSFER,
        OrderKind.ACADEMIC_LEAVE,
        OrderKind.REINSTATEMENT,
        OrderKind.EXPULSION,
        OrderKind.NEXT_COURSE,
        OrderKind.GRADUATION,
    ):
        builder.button(
            text=order_kind(kind).capitalize(),
            callback_data=OrdCb(act=OrderAction.KIND, val=kind.value),
        )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()


def found_keyboard(found: Sequence[FoundStudent], *, card: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    act = OrderAction.CARD if card else OrderAction.STUDENT
    for student in found:
        builder.button(
            text=found_label(student), callback_data=OrdCb(act=act, val=str(student.student_id))
        )
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def groups_keyboard(groups: Sequence[Group], act: OrderAction) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for group in groups:
        builder.button(text=group.name, callback_data=OrdCb(act=act, val=str(group.id)))
    _cancel(builder)
    rows = [GROUPS_PER_ROW] * ((len(groups) - 1) // GROUPS_PER_ROW + 1) if groups else []
    builder.adjust(*rows, 1)
    return builder.as_markup()


def subgroups_keyboard(subgroups: Sequence[Subgroup]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("No subgroup"), callback_data=OrdCb(act=OrderAction.SUBGROUP))
    for sub in subgroups:
        builder.button(
            text=sub.name, callback_data=OrdCb(act=OrderAction.SUBGROUP, val=str(sub.id))
        )
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def cancel_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _cancel(builder)
    return builder.as_markup()


def preview_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Confirm"), callback_data=OrdCb(act=OrderAction.CONFIRM))
    _cancel(builder)
    builder.adjust(2)
    return builder.as_markup()


def card_keyboard(card: StudentCard) -> InlineKeyboardMarkup:
    """The student card's buttons: annul an order whose date is still ahead (the deputy's)."""
    builder = InlineKeyboardBuilder()
    for row in card.history:
        if row.may_annul:
            builder.button(
                text=_("✖ Annul order No. {number}").format(number=row.number),
                callback_data=OrdCb(act=OrderAction.ANNUL, val=f"{row.order_id}-{card.student_id}"),
            )
    _after(builder, None)
    return builder.as_markup()


def annul_keyboard(order_id: int, student_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Annul it"),
        callback_data=OrdCb(act=OrderAction.ANNUL_OK, val=f"{order_id}-{student_id}"),
    )
    builder.button(text=_("⬅ Back"), callback_data=OrdCb(act=OrderAction.CARD, val=str(student_id)))
    builder.adjust(1)
    return builder.as_markup()


def after_keyboard(student_id: int | None) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _after(builder, student_id)
    return builder.as_markup()


def _after(builder: InlineKeyboardBuilder, student_id: int | None) -> None:
    if student_id:
        builder.button(
            text=_("🔎 Student card"),
            callback_data=OrdCb(act=OrderAction.CARD, val=str(student_id)),
        )
    builder.button(text=_("📜 Another order"), callback_data=OrdCb(act=OrderAction.START))
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
