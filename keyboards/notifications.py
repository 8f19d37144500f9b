"""A parent's or student's notification preferences: one button per kind, a tap moves it on."""

from __future__ import annotations

from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from core.i18n import LazyProxy, _, __
from keyboards.callbacks import MenuAction, MenuCb
from keyboards.menu import add_menu_item
from services.notifications import prefs
from services.policy import Action


class NotifyAction(StrEnum):
    """What a button of the notification settings does.
    The values are short: they travel in the 64-byte payload."""

    CYCLE = "cycle"
    SHOW = "show"


class NotifyCb(CallbackData, prefix="nt"):
    """``show`` the screen, or ``cycle`` the mode of ``kind``."""

    action: NotifyAction
    kind: str = ""


KIND_LABELS: dict[str, LazyProxy] = {
    prefs.GRADES: __("📘 Grades"),
    prefs.ATTENDANCE: __("🚫 Absences and lateness"),
    prefs.REASONS: __("📝 Absence reasons"),
    prefs.WEEKLY: __("📊 Weekly summary"),
}
MODE_LABELS: dict[str, LazyProxy] = {
    prefs.NOW: __("immediately"),
    prefs.DIGEST: __("daily digest"),
    prefs.OFF: __("off"),
    prefs.ON: __("on"),
}

add_menu_item(
    90, Action.CHOOSE_NOTIFICATIONS, __("🔔 Notifications"), NotifyCb(action=NotifyAction.SHOW)
)


def choice_label(kind: str, mode: str) -> str:
    return _("{kind}: {mode}").format(kind=KIND_LABELS[kind], mode=MODE_LABELS[mode])


def preferences(modes: dict[str, str]) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for kind in prefs.KINDS:
        builder.button(
            text=choice_label(kind, modes[kind]),
            callback_data=NotifyCb(action=NotifyAction.CYCLE, kind=kind),
        )
    builder.button(text=_("⬅ Back"), callback_data=MenuCb(action=MenuAction.HOME))
    builder.adjust(1)
    return builder.as_markup()
