"""Buttons of the adult student's screen: their parents' access to the diary."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from services.diary.adults import Choice
from services.policy import Action


class ParentAccessAction(StrEnum):
    """What a button of the screen does.
    The values are short: they travel in the 64-byte payload."""

    SHOW = "s"
    ALLOW = "a"
    STOP = "x"


class ParentsCb(CallbackData, prefix="pa"):
    act: ParentAccessAction = ParentAccessAction.SHOW


add_menu_item(95, Action.CHOOSE_PARENT_ACCESS, __("👪 Parents' access"), ParentsCb())


def choice_keyboard(choice: Choice, *, may_choose: bool) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if may_choose and choice.allowed is not True:
        builder.button(
            text=_("✅ Allow my parents"), callback_data=ParentsCb(act=ParentAccessAction.ALLOW)
        )
    if may_choose and choice.allowed is not False:
        builder.button(
            text=_("🚫 Stop my parents' access"),
            callback_data=ParentsCb(act=ParentAccessAction.STOP),
        )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()
