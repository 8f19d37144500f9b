"""Buttons of the administrator's *College settings* screen."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from screens.college_settings import choice_label
from services.college_settings import ADULTS, CHOICES, LEAVERS, MAX, CollegeSettings
from services.policy import Action


class SettingsAction(StrEnum):
    """What a button does; short values: they travel in the 64-byte payload."""

    SHOW = "s"
    SET = "v"


class SettingKey(StrEnum):
    ADULTS = "a"
    LEAVERS = "l"
    MAX = "m"


KEYS = {SettingKey.ADULTS: ADULTS, SettingKey.LEAVERS: LEAVERS, SettingKey.MAX: MAX}


class CollegeCb(CallbackData, prefix="cs"):
    act: SettingsAction = SettingsAction.SHOW
    key: SettingKey = SettingKey.ADULTS
    value: str = ""


add_menu_item(75, Action.MANAGE_SETTINGS, __("⚙️ College settings"), CollegeCb())


def settings_keyboard(current: CollegeSettings) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    values = {
        SettingKey.ADULTS: current.adults,
        SettingKey.LEAVERS: current.leavers,
        SettingKey.MAX: current.max,
    }
    for short, key in KEYS.items():
        for value in CHOICES[key]:
            mark = "• " if values[short] == value else ""
            builder.button(
                text=mark + choice_label(key, value),
                callback_data=CollegeCb(act=SettingsAction.SET, key=short, value=value),
            )
    builder.button(text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()
