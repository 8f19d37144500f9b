"""Buttons of the deputy director's distance days: the groups (all or chosen), then the
declaration confirmed."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from services.policy import Action


class DistanceAction(StrEnum):
    """What a button of the declaration does. Short values: they travel in the payload."""

    START = "s"
    TODAY = "t"
    GROUP = "g"
    ALL = "a"
    NEXT = "n"
    CONFIRM = "c"
    CANCEL = "x"


class DistCb(CallbackData, prefix="dd"):
    """``s`` start, ``t`` today only, ``g`` toggle a group (``g`` its id), ``a`` all groups,
    ``n`` the chosen groups done, ``c`` declare, ``x`` cancel. The chosen days and groups live
    in the conversation; the server checks every id."""

    act: DistanceAction = DistanceAction.START
    g: int = 0


add_menu_item(38, Action.DECLARE_DISTANCE, __("🏠 Distance days"), DistCb())


def _cancel(builder: InlineKeyboardBuilder) -> None:
    builder.button(text=_("✖ Cancel"), callback_data=DistCb(act=DistanceAction.CANCEL))


def days() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Today"), callback_data=DistCb(act=DistanceAction.TODAY))
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def groups(found: Sequence[tuple[int, str]], chosen: Collection[int]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🏫 All groups"), callback_data=DistCb(act=DistanceAction.ALL))
    for group_id, name in found:
        mark = "✅ " if group_id in chosen else ""
        builder.button(
            text=f"{mark}{name}", callback_data=DistCb(act=DistanceAction.GROUP, g=group_id)
        )
    if chosen:
        builder.button(text=_("Next ➡"), callback_data=DistCb(act=DistanceAction.NEXT))
    _cancel(builder)
    sizes = [1, *([3] * ((len(found) + 2) // 3))]
    builder.adjust(*sizes, 1, 1)
    return builder.as_markup()


def cancel_only() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    _cancel(builder)
    return builder.as_markup()


def confirm() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(
        text=_("✅ Declare and announce"), callback_data=DistCb(act=DistanceAction.CONFIRM)
    )
    _cancel(builder)
    builder.adjust(1)
    return builder.as_markup()


def home() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    return builder.as_markup()
