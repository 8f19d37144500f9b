"""Buttons of the 📱 Messengers screen."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from core.i18n import _
from keyboards.callbacks import MenuAction, MenuCb
from screens.messengers import label
from services.people.messengers import MessengerAccount


class MessengerAction(StrEnum):
    """The values are short: they travel in the 64-byte payload (and MAX's 1024)."""

    SHOW = "s"
    NOTIFY = "n"  # turn the notifications of account ``id`` on or off
    LINK = "l"  # a fresh link to add a messenger


class MessengerCb(CallbackData, prefix="ms"):
    act: MessengerAction = MessengerAction.SHOW
    id: int = 0


def screen(accounts: Sequence[MessengerAccount]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=label(a),
                callback_data=MessengerCb(act=MessengerAction.NOTIFY, id=a.id).pack(),
            )
        ]
        for a in accounts
    ]
    rows.append(
        [
            InlineKeyboardButton(
                text=_("🔗 A link for another messenger"),
                callback_data=MessengerCb(act=MessengerAction.LINK).pack(),
            )
        ]
    )
    rows.append(
        [
            InlineKeyboardButton(
                text=_("☰ Menu"), callback_data=MenuCb(action=MenuAction.HOME).pack()
            )
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


def back() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("⬅ Back"), callback_data=MessengerCb(act=MessengerAction.SHOW).pack()
                )
            ]
        ]
    )
